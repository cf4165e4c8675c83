/**
 * Collects on-policy rollouts from K vector envs into a RolloutBuffer — the part A2C and PPO share.
 * One batched forward pass and one readback per vector step; truncated episodes are bootstrapped
 * from V(final obs) and the rollout from V(s_T), both computed in one extra forward at the end.
 * When the buffer stores states by day (policy.ts's resident market), each state is kept as the day
 * its window ends on (the env's `row`) plus its portfolio part, and the rollout's embeddings are
 * computed once up front (Policy.beginRollout).
 */
import type { Rng } from '../../rng.ts';
import type { Info } from '../../envs/types.ts';
import type { FinalInfo, SyncVectorEnv } from '../../envs/vector.ts';
import type { RolloutBuffer } from './buffer.ts';
import type { ActOutput, ActTimings, Policy } from './policy.ts';

export interface EpisodeRecord {
  /** Global env step at which the episode finished. */
  step: number;
  /** Index of the env in the vector. */
  env: number;
  return: number;
  length: number;
  /** The env's final info (e.g. the market env's portfolio summary). */
  info: Info;
}

export interface RolloutTimings extends ActTimings {
  envMs: number;
  /** Bootstrap values and GAE. */
  bootstrapMs: number;
}

export function emptyRolloutTimings(): RolloutTimings {
  return { envMs: 0, forwardMs: 0, readbackMs: 0, sampleMs: 0, bootstrapMs: 0 };
}

/** The masks of the K envs after a reset/step: info.actionMask, else env.actionMask(); null if none gives one. */
export function gatherMasks(
  envs: SyncVectorEnv,
  infos: Info[],
  maskSize: number,
  out: Uint8Array,
): Uint8Array | null {
  let any = false;
  for (let k = 0; k < envs.numEnvs; k++) {
    const m = infos[k]?.actionMask ?? envs.envs[k].actionMask?.();
    if (!m) {
      out.fill(1, k * maskSize, (k + 1) * maskSize);
      continue;
    }
    if (m.length !== maskSize)
      throw new Error(
        `env ${k} gave an action mask of ${m.length} entries, expected ${maskSize} (one per logit)`,
      );
    out.set(m, k * maskSize);
    any = true;
  }
  return any ? out : null;
}

/** The day (row) a market env's current observation window ends on, or −1 when the env has none. */
export function envDay(env: unknown): number {
  const row = (env as { row?: unknown }).row;
  return typeof row === 'number' && Number.isInteger(row) ? row : -1;
}

/** Copies the portfolio part (the last `E` values) of each of `rows` observations into `out`. */
export function obsExtras(
  obs: Float32Array,
  obsSize: number,
  E: number,
  rows: number,
  out: Float32Array,
  outOffset = 0,
): void {
  for (let r = 0; r < rows; r++)
    out.set(obs.subarray((r + 1) * obsSize - E, (r + 1) * obsSize), outOffset + r * E);
}

export class RolloutCollector {
  readonly envs: SyncVectorEnv;
  readonly numEnvs: number;
  readonly obsSize: number;
  /** Observation the next action is taken in, [K · obsSize]. */
  readonly nextObs: Float32Array;
  private readonly maskSize: number;
  private readonly maskBuf: Uint8Array;
  private nextMasks: Uint8Array | null = null;
  private readonly episodeReturns: Float64Array;
  private readonly episodeLengths: Int32Array;
  private readonly actOut: ActOutput;
  private readonly envActions: Int32Array | Float32Array;

  /**
   * @param useMasks read masks from the envs (categorical policies only); `maskSize` = Σ nvec.
   */
  constructor(envs: SyncVectorEnv, policy: Policy, useMasks: boolean, seed: number) {
    this.envs = envs;
    this.numEnvs = envs.numEnvs;
    this.obsSize = envs.obsSize;
    if (policy.obsSize !== this.obsSize)
      throw new Error(
        `policy expects observations of ${policy.obsSize} values, the env gives ${this.obsSize}`,
      );
    this.nextObs = new Float32Array(this.numEnvs * this.obsSize);
    this.maskSize = useMasks && policy.head.kind === 'categorical' ? policy.piSize : 0;
    this.maskBuf = new Uint8Array(this.numEnvs * Math.max(1, this.maskSize));
    this.episodeReturns = new Float64Array(this.numEnvs);
    this.episodeLengths = new Int32Array(this.numEnvs);
    const K = this.numEnvs;
    const isInt = policy.head.kind === 'categorical';
    this.actOut = {
      actions: isInt ? new Int32Array(K * policy.actionSize) : new Float32Array(K * policy.actionSize),
      logprobs: new Float32Array(K),
      values: new Float32Array(K),
    };
    this.envActions = isInt ? (this.actOut.actions as Int32Array) : new Float32Array(K * policy.actionSize);
    const { obs, infos } = envs.reset({ seed });
    this.nextObs.set(obs);
    this.nextMasks = this.maskSize > 0 ? gatherMasks(envs, infos, this.maskSize, this.maskBuf) : null;
  }

  /** Current masks [K · Σ nvec] or null. */
  get masks(): Uint8Array | null {
    return this.nextMasks;
  }

  /**
   * Fill `buffer` with numSteps vector steps, then bootstrap and compute GAE(λ) into it.
   * Returns the episodes that finished, stamped with their global step.
   */
  async collect(
    buffer: RolloutBuffer,
    policy: Policy,
    rng: Rng,
    opts: {
      globalStep: number;
      gamma: number;
      lambda: number;
      rewardScale?: number;
      timings?: RolloutTimings;
    },
  ): Promise<EpisodeRecord[]> {
    const K = this.numEnvs;
    const T = buffer.numSteps;
    if (buffer.numEnvs !== K)
      throw new Error(`buffer is for ${buffer.numEnvs} envs, the vector env has ${K}`);
    const timings = opts.timings;
    const episodes: EpisodeRecord[] = [];
    const pendingFinal: { index: number; obs: Float32Array; day: number }[] = [];
    const aSize = policy.actionSize;
    const scale = opts.rewardScale ?? 1;
    // Day path: states as (day, portfolio part); the embeddings of the days ahead computed once.
    const E = buffer.extrasSize;
    const byDay = buffer.days !== null && policy.resident;
    if (buffer.days && !policy.resident)
      throw new Error('the buffer stores states by day but the policy has no resident market');
    const days = new Int32Array(K);
    const extras = new Float32Array(K * E);
    const readDays = () => {
      for (let k = 0; k < K; k++) {
        days[k] = envDay(this.envs.envs[k]);
        if (days[k] < 0)
          throw new Error(`env ${k} reports no day (row): it cannot be used with a resident market`);
      }
      obsExtras(this.nextObs, this.obsSize, E, K, extras);
    };
    if (byDay) {
      const tf0 = performance.now();
      readDays();
      policy.beginRollout(days, T);
      if (timings) timings.forwardMs += performance.now() - tf0;
    }
    let step = opts.globalStep;
    for (let t = 0; t < T; t++) {
      const base = t * K;
      if (byDay) {
        buffer.days!.set(days, base);
        buffer.extras!.set(extras, base * E);
      } else buffer.obs.set(this.nextObs, base * this.obsSize);
      if (buffer.masks) {
        if (this.nextMasks) buffer.masks.set(this.nextMasks, base * buffer.maskSize);
        else buffer.masks.fill(1, base * buffer.maskSize, (base + K) * buffer.maskSize);
      }
      if (byDay) await policy.actDays(days, extras, K, this.nextMasks, rng, false, this.actOut, timings);
      else await policy.act(this.nextObs, K, this.nextMasks, rng, false, this.actOut, timings);
      buffer.actions.set(this.actOut.actions, base * aSize);
      buffer.logprobs.set(this.actOut.logprobs, base);
      buffer.values.set(this.actOut.values, base);
      const te = performance.now();
      const envActions = policy.envActions(this.actOut.actions, this.envActions as Float32Array);
      const res = this.envs.step(envActions);
      if (timings) timings.envMs += performance.now() - te;
      step += K;
      for (let k = 0; k < K; k++) {
        const i = base + k;
        const reward = res.rewards[k];
        const terminated = res.terminated[k] === 1;
        const truncated = res.truncated[k] === 1;
        // The learner sees scaled rewards; episode returns are reported unscaled.
        buffer.rewards[i] = reward * scale;
        buffer.dones[i] = terminated || truncated ? 1 : 0;
        buffer.timeouts[i] = truncated && !terminated ? 1 : 0;
        buffer.finalValues[i] = 0;
        this.episodeReturns[k] += reward;
        this.episodeLengths[k] += 1;
        if (terminated || truncated) {
          const info = res.infos[k] as FinalInfo;
          if (truncated && !terminated) {
            if (!info.finalObs) throw new Error(`env ${k} was truncated but the vector env gave no finalObs`);
            const day = (info.finalInfo as { t?: unknown } | undefined)?.t;
            pendingFinal.push({ index: i, obs: info.finalObs, day: typeof day === 'number' ? day : -1 });
          }
          episodes.push({
            step,
            env: k,
            return: this.episodeReturns[k],
            length: this.episodeLengths[k],
            info: info.finalInfo ?? {},
          });
          this.episodeReturns[k] = 0;
          this.episodeLengths[k] = 0;
        }
      }
      this.nextObs.set(res.obs);
      if (byDay) readDays();
      if (this.maskSize > 0) this.nextMasks = gatherMasks(this.envs, res.infos, this.maskSize, this.maskBuf);
    }
    const tb = performance.now();
    // V(final obs) of truncated steps and V(s_T) of the next observations: one batched forward.
    const rows = pendingFinal.length + K;
    let bootValues: Float32Array;
    if (byDay) {
      const bootDays = new Int32Array(rows);
      const bootExtras = new Float32Array(rows * E);
      pendingFinal.forEach((p, j) => {
        if (p.day < 0)
          throw new Error(
            `env ${p.index % K} gave a final info without its day (t): cannot bootstrap on the day path`,
          );
        bootDays[j] = p.day;
        obsExtras(p.obs, this.obsSize, E, 1, bootExtras, j * E);
      });
      bootDays.set(days, pendingFinal.length);
      bootExtras.set(extras, pendingFinal.length * E);
      bootValues = await policy.predictValuesDays(bootDays, bootExtras, rows);
      policy.endRollout();
    } else {
      const bootObs = new Float32Array(rows * this.obsSize);
      pendingFinal.forEach((p, j) => bootObs.set(p.obs, j * this.obsSize));
      bootObs.set(this.nextObs, pendingFinal.length * this.obsSize);
      bootValues = await policy.predictValues(bootObs, rows);
    }
    pendingFinal.forEach((p, j) => (buffer.finalValues[p.index] = bootValues[j]));
    buffer.computeReturnsAndAdvantages(bootValues.subarray(pendingFinal.length), opts.gamma, opts.lambda);
    if (timings) timings.bootstrapMs += performance.now() - tb;
    return episodes;
  }
}
