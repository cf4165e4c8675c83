/**
 * The book settings a replay buffer, a checkpoint and an evaluation must share (seed 000: "需与训练
 * 一致的 scale/上限/衰减"). A prepared folder records them in meta.json; anything built from it
 * later carries them, and `checkKolSettings` turns a mismatch into an error naming both values
 * instead of a silently wrong number.
 */

export interface KolSettings {
  max_weight: number;
  hold_decay: number;
  fee: number;
  /** Present once a residual policy exists (checkpoint, evaluation). */
  residual_scale?: number;
}

/** The settings under their recorded names. */
export function kolSettings(
  cfg: { maxWeight: number; holdDecay: number; feeRate: number },
  residualScale?: number,
): KolSettings {
  const s: KolSettings = { max_weight: cfg.maxWeight, hold_decay: cfg.holdDecay, fee: cfg.feeRate };
  if (residualScale !== undefined) s.residual_scale = residualScale;
  return s;
}

export class KolSettingsMismatch extends Error {
  constructor(
    message: string,
    readonly mismatches: { key: keyof KolSettings; a: number | undefined; b: number | undefined }[],
  ) {
    super(message);
    this.name = 'KolSettingsMismatch';
  }
}

const KEYS: (keyof KolSettings)[] = ['max_weight', 'hold_decay', 'fee', 'residual_scale'];

/**
 * Throws KolSettingsMismatch listing every setting that differs between two named sources, e.g.
 * "settings differ: max_weight is 0.2 in replay buffer (prep/meta.json) but 0.1 in evaluation (--max-weight)".
 * residual_scale is compared only when both sides record it; every other key must be present on both.
 */
export function checkKolSettings(
  a: { name: string; settings: Partial<KolSettings> },
  b: { name: string; settings: Partial<KolSettings> },
): void {
  const bad: KolSettingsMismatch['mismatches'] = [];
  for (const key of KEYS) {
    const x = a.settings[key];
    const y = b.settings[key];
    if (key === 'residual_scale' && (x === undefined || y === undefined)) continue;
    if (x === undefined || y === undefined || !(Math.abs(x - y) <= 1e-12)) bad.push({ key, a: x, b: y });
  }
  if (bad.length === 0) return;
  const show = (v: number | undefined) => (v === undefined ? 'missing' : String(v));
  const parts = bad.map((m) => `${m.key} is ${show(m.a)} in ${a.name} but ${show(m.b)} in ${b.name}`);
  throw new KolSettingsMismatch(`settings differ: ${parts.join('; ')}`, bad);
}
