/**
 * Seed 004, step 3: the behaviour-cloned policy as the ensemble's 4th analyst ('rl').
 *
 * Its state has portfolio features (position, leverage, cash, days since the last trade), and the
 * portfolio depends on the decisions the policy takes part in, so each split runs day by day: the
 * state of day t is built from the backtest of the decisions already taken (rows < t; each split
 * starts in cash), the policy votes (its action and strength, weight `weight`) beside the technical
 * and news analysts, and the vote and the risk cap give the day's decision, exactly as in vote.ts.
 *
 * Fallback: when the policy throws or returns an action outside HOLD/BUY/SELL or a strength
 * outside [0, 1], `ensembleWithPolicy` throws a PolicyFailure; the caller runs the ensemble
 * without it (`analyseEnsemble` as is).
 *
 * Pure core: the policy is a function; the CLI passes a loaded BC learner's greedy act().
 */
import { buyAndHold } from '../baselines/strategies.ts';
import { backtestDecisions } from './backtest.ts';
import type { EnsembleAnalysis, SplitRun } from './ensemble.ts';
import { SPLITS } from './ensemble.ts';
import { STATE_DIM, stateFeatures } from './state.ts';
import { ABSTAIN, HOLD, emptyVotes, type AnalystVotes, type Decisions } from './types.ts';
import { vote, type Ballot } from './vote.ts';

/** Greedy action (HOLD/BUY/SELL) and strength in [0, 1] per row of `obs` ([rows · 34]). */
export type PolicyFn = (
  obs: Float32Array,
  rows: number,
) => { action: ArrayLike<number>; strength: ArrayLike<number> };

export class PolicyFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyFailure';
  }
}

export interface WithPolicy {
  /** The decisions with the 4th analyst (rows outside the splits keep the 3-analyst decisions). */
  decisions: Decisions;
  /** The policy's votes ('rl'), ABSTAIN outside the splits. */
  rl: AnalystVotes;
  runs: SplitRun[];
}

/** Runs the ensemble with `policy` as a 4th analyst of weight `weight`, split by split (≥ 2 rows each). */
export function ensembleWithPolicy(a: EnsembleAnalysis, policy: PolicyFn, weight = 1): WithPolicy {
  const { panel, config, technical, news } = a;
  const T = panel.dates.length;
  const N = panel.assets.length;
  const base = a.decisions;
  const decisions: Decisions = {
    ...base,
    action: Int8Array.from(base.action),
    strength: Float64Array.from(base.strength),
    score: Float64Array.from(base.score),
  };
  const rl = emptyVotes('rl', T * N);
  const w = (name: string) => config.vote.weights[name] ?? 1;
  const ballots: Ballot[] = [
    { action: ABSTAIN, strength: 0, weight: w('technical') },
    { action: ABSTAIN, strength: 0, weight: w('news') },
    { action: ABSTAIN, strength: 0, weight },
  ];
  const runs: SplitRun[] = [];
  const opts = { fee: config.fee, initialCash: config.initialCash };
  for (const split of SPLITS) {
    const rows = a.splitRows[split];
    if (rows.end - rows.start < 2) continue;
    for (let t = rows.start; t < rows.end; t++) {
      // The pre-trade state of day t depends on the decisions of rows < t only.
      const bt = backtestDecisions(panel.close, decisions, {
        ...opts,
        range: { start: rows.start, end: t + 1 },
      });
      const X = stateFeatures(a, bt);
      const obs = X.subarray((t - rows.start) * N * STATE_DIM, (t - rows.start + 1) * N * STATE_DIM);
      let out;
      try {
        out = policy(obs, N);
      } catch (err) {
        throw new PolicyFailure(`the policy failed on ${panel.dates[t]}: ${(err as Error).message}`);
      }
      for (let i = 0; i < N; i++) {
        const k = t * N + i;
        const act = out.action[i];
        const s = out.strength[i];
        if (!(act === 0 || act === 1 || act === 2) || !(s >= 0 && s <= 1))
          throw new PolicyFailure(
            `the policy gave action ${act}, strength ${s} on ${panel.dates[t]} for ${panel.assets[i]} (expected HOLD/BUY/SELL and [0, 1])`,
          );
        rl.action[k] = act;
        rl.strength[k] = act === HOLD ? 0 : s;
        rl.score[k] = act === HOLD ? 0 : act === 1 ? s : -s;
        ballots[0].action = technical.action[k];
        ballots[0].strength = technical.strength[k];
        ballots[1].action = news.action[k];
        ballots[1].strength = news.strength[k];
        ballots[2].action = rl.action[k];
        ballots[2].strength = rl.strength[k];
        const v = vote(ballots, config.vote.threshold);
        const cap = decisions.cap[k];
        decisions.score[k] = v.score;
        if (v.action === HOLD || !(cap > 0)) {
          decisions.action[k] = HOLD;
          decisions.strength[k] = 0;
        } else {
          decisions.action[k] = v.action;
          decisions.strength[k] = v.strength * cap;
        }
      }
    }
    runs.push({
      split,
      rows,
      ensemble: backtestDecisions(panel.close, decisions, { ...opts, range: rows }),
      buyAndHold: buyAndHold(panel.close, N, { ...opts, range: rows }),
    });
  }
  return { decisions, rl, runs };
}
