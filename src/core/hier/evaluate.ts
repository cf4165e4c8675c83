/**
 * The hierarchy on one split, as the lab's shared evaluation shape plus the workflow's sections
 * (extras.ts): the hierarchy's book ('agent'), every expert alone ('expert-k': that expert trades
 * every day) and the configured baselines (buy-and-hold, …), all through experiment/evaluation.ts's
 * evaluateSplit on the same deterministic episode; the router's choice per day, the true regime per
 * day (when the data has planted regimes), the choice counts per regime and MI(regime; expert).
 *
 * Deterministic: the router takes its most likely allowed expert every n days, the expert its most
 * likely action. Decision i of the split is taken at row firstDecision + i·n, where the router sees
 * the regime features of that close.
 */
import type { SplitName } from '../data/types.ts';
import type { SplitEvaluation } from '../experiment/types.ts';
import { evaluateSplit, type Predictor } from '../experiment/evaluation.ts';
import type { CostModel } from '../experiment/evaluation.ts';
import { SPLIT_NAMES, type BaselineName } from '../experiment/config.ts';
import type { PreparedExperiment } from '../experiment/run.ts';
import { mutualInformation } from '../metrics/diversity.ts';
import type { HierRegimeProof } from './extras.ts';
import { bestExpertPerRegime, expertStyle, regimeProof } from './regimeProof.ts';
import { argmax } from './routerEnv.ts';
import type { Hierarchy } from './train.ts';

export const expertName = (k: number): string => `expert-${k}`;

/**
 * An evaluation's weights[i] is the book at date i's close before that close's trade: what was held
 * over date i, decided at date i − 1's close. expertStyle wants what was held from date i into
 * i + 1 (decided knowing date i's return), which is weights[i + 1]; the last date has none (NaN).
 */
export function positionsHeldFrom(weights: ArrayLike<number>): Float64Array {
  const out = new Float64Array(weights.length).fill(NaN);
  for (let i = 0; i + 1 < weights.length; i++) out[i] = weights[i + 1];
  return out;
}

export interface HierSplitResult {
  evaluation: SplitEvaluation;
  /** [dates] expert whose action earned the return into that date (−1 at the first date). */
  expertPerDate: Int8Array;
  /** [dates] true regime of that date, −1 unknown. */
  regimePerDate: Int8Array;
  /** One entry per router decision. */
  decisions: { row: number; expert: number; regime: number }[];
  /** counts[regime][expert] of the decisions (empty without regimes). */
  counts: number[][];
  mutualInformation: number;
  usage: number[];
  /** Per regime, the expert that earned most on its days alone (with regimes and experts evaluated). */
  bestExpert: number[] | null;
  /** The untrained router's choice at each decision (with `untrainedChoice`), same order. */
  untrainedDecisions: number[] | null;
  /** The sharper evidence (regimeProof.ts), with regimes, experts and `untrainedChoice`. */
  proof: HierRegimeProof | null;
  /** Per expert run alone, its exposure and momentum per regime (regimeProof.ts's expertStyle); null without regimes. */
  styles: { exposure: number[]; momentum: number[] }[] | null;
}

export interface HierEvalOptions {
  annualization: number;
  costs: CostModel;
  baselines: readonly BaselineName[];
  /** True regime of a panel row (features row index), −1 unknown; null: the data has none. */
  regimeOfRow: ((row: number) => number) | null;
  regimes: number;
  /** Evaluate every expert alone too (default true; PBT scores skip it). */
  experts?: boolean;
  /** The same seed's untrained router's choice per features row (runner.ts), for the proof. */
  untrainedChoice?: ArrayLike<number>;
  /** Seed of the MI permutation test. */
  seed?: number;
}

/** The hierarchy's policy as a Predictor of the market env; counts its calls to know the row. */
class HierPredictor implements Predictor {
  private calls = 0;
  private current = -1;
  readonly decisions: { row: number; expert: number; regime: number }[] = [];
  readonly actedBy: number[] = [];
  private readonly p: Float64Array;

  constructor(
    private readonly h: Hierarchy,
    private readonly firstRow: number,
    private readonly regimeOfRow: ((row: number) => number) | null,
  ) {
    this.p = new Float64Array(3);
  }

  async predict(obs: Float32Array): Promise<Int32Array> {
    const h = this.h;
    const n = h.config.routerInterval;
    if (this.calls % n === 0) {
      const row = this.firstRow + this.calls;
      const K = h.config.experts;
      const logits = await h.router.predict(h.routerObs(row), 1, h.shared.allowed.slice(0, K), true);
      this.current = logits[0];
      this.decisions.push({
        row,
        expert: this.current,
        regime: this.regimeOfRow ? this.regimeOfRow(row) : -1,
      });
    }
    this.calls++;
    this.actedBy.push(this.current);
    return Int32Array.of(argmax(h.experts.probs(this.current, obs, this.p)));
  }
}

class ExpertPredictor implements Predictor {
  private readonly p = new Float64Array(3);
  constructor(
    private readonly h: Hierarchy,
    private readonly k: number,
  ) {}
  predict(obs: Float32Array): Promise<Int32Array> {
    return Promise.resolve(Int32Array.of(argmax(this.h.experts.probs(this.k, obs, this.p))));
  }
}

export async function evaluateHierarchySplit(
  h: Hierarchy,
  split: SplitName,
  opts: HierEvalOptions,
): Promise<HierSplitResult> {
  const fs = h.market.features;
  const probe = h.market.makeEvalEnv(split);
  const firstRow = probe.reset({}).info.t as number;
  const pred = new HierPredictor(h, firstRow, opts.regimeOfRow);
  const eo = { annualization: opts.annualization, costs: opts.costs, baselines: opts.baselines };
  const evaluation = await evaluateSplit(pred, h.market.makeEvalEnv(split), fs, split, eo);
  const K = h.config.experts;
  const expertWeights: Float32Array[] = [];
  for (let k = 0; k < (opts.experts === false ? 0 : K); k++) {
    const ev = await evaluateSplit(new ExpertPredictor(h, k), h.market.makeEvalEnv(split), fs, split, {
      ...eo,
      baselines: [],
    });
    const name = expertName(k);
    evaluation.equity[name] = ev.equity.agent;
    evaluation.returns[name] = ev.returns.agent;
    evaluation.drawdown[name] = ev.drawdown.agent;
    evaluation.metrics[name] = ev.metrics.agent;
    expertWeights.push(ev.weights);
  }
  const L = evaluation.dates.length;
  const rowOf = new Map(fs.dates.map((d, i) => [d, i]));
  const expertPerDate = new Int8Array(L).fill(-1);
  const regimePerDate = new Int8Array(L).fill(-1);
  for (let i = 0; i < L; i++) {
    if (i > 0 && i - 1 < pred.actedBy.length) expertPerDate[i] = pred.actedBy[i - 1];
    const row = rowOf.get(evaluation.dates[i]);
    if (opts.regimeOfRow && row !== undefined) regimePerDate[i] = opts.regimeOfRow(row);
  }
  const usage = new Array<number>(K).fill(0);
  for (const d of pred.decisions) usage[d.expert] += 1 / Math.max(1, pred.decisions.length);
  const withRegime = pred.decisions.filter((d) => d.regime >= 0);
  const counts: number[][] = opts.regimeOfRow
    ? Array.from({ length: opts.regimes }, () => new Array<number>(K).fill(0))
    : [];
  for (const d of withRegime) if (counts[d.regime]) counts[d.regime][d.expert]++;
  const mi = withRegime.length
    ? mutualInformation(
        withRegime.map((d) => d.regime),
        withRegime.map((d) => d.expert),
      )
    : NaN;
  const withExperts = opts.experts !== false;
  const bestExpert =
    opts.regimeOfRow && withExperts
      ? bestExpertPerRegime(
          Array.from({ length: K }, (_, k) => evaluation.returns[expertName(k)]),
          regimePerDate.subarray(1),
          opts.regimes,
        )
      : null;
  const untrainedDecisions = opts.untrainedChoice
    ? withRegime.map((d) => opts.untrainedChoice![d.row])
    : null;
  const proof =
    bestExpert && untrainedDecisions && withRegime.length
      ? regimeProof(
          withRegime.map((d) => d.regime),
          withRegime.map((d) => d.expert),
          untrainedDecisions,
          withRegime.map((d) => bestExpert[d.regime]),
          bestExpert,
          K,
          opts.seed ?? 1,
        )
      : null;
  let styles: HierSplitResult['styles'] = null;
  if (opts.regimeOfRow && expertWeights.length) {
    const assetReturn = new Float64Array(L);
    for (let i = 1; i < L; i++) {
      const a = rowOf.get(evaluation.dates[i - 1]);
      const b = rowOf.get(evaluation.dates[i]);
      if (a !== undefined && b !== undefined) assetReturn[i] = fs.close[b] / fs.close[a] - 1;
    }
    styles = expertWeights.map((w) =>
      expertStyle(positionsHeldFrom(w), assetReturn, regimePerDate, opts.regimes),
    );
  }
  return {
    bestExpert,
    untrainedDecisions,
    proof,
    styles,
    evaluation,
    expertPerDate,
    regimePerDate,
    decisions: pred.decisions,
    counts,
    mutualInformation: mi,
    usage,
  };
}

/**
 * Every configured split a run can evaluate (the prepared experiment's `eval.splits` that hold an
 * episode), in order: the runner's evaluation and a PBT population's best member use the same.
 */
export async function evaluateHierarchySplits(
  h: Hierarchy,
  prep: Pick<PreparedExperiment, 'config' | 'evaluableSplits' | 'annualization' | 'costs'>,
  opts: Pick<HierEvalOptions, 'regimeOfRow' | 'regimes' | 'untrainedChoice' | 'seed'>,
): Promise<{ results: Partial<Record<SplitName, HierSplitResult>>; splits: SplitEvaluation[] }> {
  const results: Partial<Record<SplitName, HierSplitResult>> = {};
  const splits: SplitEvaluation[] = [];
  const c = prep.config;
  for (const split of SPLIT_NAMES) {
    if (!c.eval.splits.includes(split) || !prep.evaluableSplits.includes(split)) continue;
    const r = await evaluateHierarchySplit(h, split, {
      annualization: prep.annualization,
      costs: prep.costs,
      baselines: c.eval.baselines,
      ...opts,
    });
    results[split] = r;
    splits.push(r.evaluation);
  }
  return { results, splits };
}
