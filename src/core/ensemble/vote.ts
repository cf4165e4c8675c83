/**
 * The weighted vote, then the risk analyst's cap.
 *
 * For one (day, asset), over the analysts that do not abstain and have weight w > 0:
 *
 *   v = +strength for BUY, −strength for SELL, 0 for HOLD
 *   score = Σ w·v / Σ w                         (in [−1, 1]; 0 when every analyst abstains)
 *
 * So a HOLD vote pulls the score towards 0 while an abstention does not count at all, and equal
 * and opposite votes cancel (a BUY/SELL tie is HOLD). action = BUY when score ≥ threshold (0.2),
 * SELL when score ≤ −0.2, else HOLD. strength = |score| · cap for BUY/SELL, 0 for HOLD, where cap
 * is the risk analyst's cap on exposure that day; a cap of 0 (veto) turns the day into HOLD with
 * strength 0, and the position rule (backtest.ts) closes the position.
 */
import {
  ABSTAIN,
  BUY,
  EnsembleError,
  HOLD,
  SELL,
  actionOfScore,
  type AnalystVotes,
  type Decisions,
} from './types.ts';
import type { RiskOutput } from './risk.ts';

export interface VoteConfig {
  /** Weight per analyst name (≥ 0; a missing name weighs 1). */
  weights: Record<string, number>;
  /** |score| needed for BUY/SELL, in (0, 1]. */
  threshold: number;
}

export const DEFAULT_VOTE: Readonly<VoteConfig> = Object.freeze({
  weights: Object.freeze({ technical: 1, news: 1 }) as Record<string, number>,
  threshold: 0.2,
});

export interface Ballot {
  /** HOLD / BUY / SELL or ABSTAIN. */
  action: number;
  strength: number;
  weight: number;
}

/** The vote of one (day, asset): the net score and the action and strength before the risk cap. */
export function vote(
  ballots: readonly Ballot[],
  threshold: number,
): { score: number; action: number; strength: number } {
  let num = 0;
  let den = 0;
  for (const b of ballots) {
    if (b.action === ABSTAIN || !(b.weight > 0)) continue;
    den += b.weight;
    if (b.action === BUY) num += b.weight * b.strength;
    else if (b.action === SELL) num -= b.weight * b.strength;
  }
  const score = den > 0 ? num / den : 0;
  const action = actionOfScore(score, threshold);
  return { score, action, strength: action === HOLD ? 0 : Math.min(1, Math.abs(score)) };
}

function weightOf(cfg: VoteConfig, name: string): number {
  const w = cfg.weights[name] ?? 1;
  if (!(w >= 0) || !Number.isFinite(w))
    throw new EnsembleError(`vote: the weight of '${name}' must be a finite number ≥ 0, got ${w}`);
  return w;
}

/** The ensemble's decisions over a panel: the weighted vote of `analysts`, capped by `risk`. */
export function ensembleDecisions(
  analysts: readonly AnalystVotes[],
  risk: Pick<RiskOutput, 'cap' | 'veto'>,
  T: number,
  N: number,
  cfg: VoteConfig = DEFAULT_VOTE,
): Decisions {
  if (!(cfg.threshold > 0 && cfg.threshold <= 1))
    throw new EnsembleError(`vote: threshold must be in (0, 1], got ${cfg.threshold}`);
  const n = T * N;
  for (const a of analysts)
    if (a.action.length !== n)
      throw new EnsembleError(`vote: analyst '${a.name}' has ${a.action.length} votes, expected ${n}`);
  if (risk.cap.length !== n)
    throw new EnsembleError(`vote: the risk cap has ${risk.cap.length} values, expected ${n}`);
  const weights = analysts.map((a) => weightOf(cfg, a.name));
  const d: Decisions = {
    T,
    N,
    action: new Int8Array(n),
    strength: new Float64Array(n),
    cap: Float64Array.from(risk.cap),
    score: new Float64Array(n),
    veto: Uint8Array.from(risk.veto),
  };
  const ballots: Ballot[] = analysts.map(() => ({ action: ABSTAIN, strength: 0, weight: 0 }));
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < analysts.length; j++) {
      ballots[j].action = analysts[j].action[k];
      ballots[j].strength = analysts[j].strength[k];
      ballots[j].weight = weights[j];
    }
    const v = vote(ballots, cfg.threshold);
    const cap = d.cap[k];
    d.score[k] = v.score;
    if (v.action === HOLD || !(cap > 0)) {
      d.action[k] = HOLD;
      d.strength[k] = 0;
    } else {
      d.action[k] = v.action;
      d.strength[k] = v.strength * cap;
    }
  }
  return d;
}
