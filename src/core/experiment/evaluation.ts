/**
 * The one evaluation module of the lab (the trainer worker, `lab train`, `lab evaluate`, sweeps and
 * the run loop all evaluate through it):
 *
 * - `evaluateSplit`: a trained policy over one whole split of a market env, beside the baselines on
 *   the same rows, fees and start: equity, returns, drawdowns, metrics, positions (weights), trades,
 *   rolling Sharpe and monthly returns. Full resolution: nothing here is downsampled. What every
 *   market result (the lab's Results, metrics.json, equity.csv, sweeps) is built from.
 * - `evaluatePolicy`: episodes on any env → returns and lengths (`eval/*` metrics; market envs add
 *   the equity of the first episode). The run loop's periodic evaluation (runTraining) and the
 *   sanity envs' (cartpole, bandit) final evaluation in `lab train` / `lab evaluate`.
 */
import { runBaseline, type StrategySpec } from '../baselines/index.ts';
import type { SplitName } from '../data/types.ts';
import type { Action, Env, Info, StepResult } from '../envs/types.ts';
import type { FeatureSet } from '../features/types.ts';
import { drawdownFromEquity, monthlyReturnsTable, rollingSharpe } from '../metrics/index.ts';
import { computeMetrics, metricsRecord } from '../metrics/report.ts';
import type { BaselineName, ResolvedExperimentConfig } from './config.ts';
import type { MetricsRecordView, SplitEvaluation, Trade } from './types.ts';

/** What the evaluators need of a trained agent (every Learner is one). */
export interface Predictor {
  predict(
    obs: Float32Array,
    rows: number,
    masks: Uint8Array | null,
    deterministic: boolean,
  ): Promise<Int32Array | Float32Array>;
}

export const BASELINE_SPECS: Record<BaselineName, StrategySpec> = {
  'buy-and-hold': { kind: 'buy-and-hold' },
  'equal-weight': { kind: 'equal-weight', every: 1 },
  'ma-10': { kind: 'ma', n: 10 },
  'ma-20': { kind: 'ma', n: 20 },
  'ma-30': { kind: 'ma', n: 30 },
};

/** Reset seed of evaluation episodes (away from training seeds; whole-split episodes do not use it). */
export const EVAL_SEED = 10_000;
const ROLLING_SHARPE_WINDOW = 63;

/** What the evaluation needs to know about the env's costs, for trade records and the baselines. */
export interface CostModel {
  /** Fee rate per traded notional (trading: feeRate; portfolio: costRate). */
  feeRate: number;
  /** Slippage as a fraction of price (trading env only). */
  slippage: number;
  /** Starting cash of the baselines (trading: the env's initialCash). */
  initialCash: number;
}

export function costModelOf(config: ResolvedExperimentConfig): CostModel {
  const env = config.env;
  if (config.envKind === 'trading') {
    return {
      feeRate: env.feeRate as number,
      slippage: (env.slippageBps as number) / 10_000,
      initialCash: env.initialCash as number,
    };
  }
  return { feeRate: env.costRate as number, slippage: 0, initialCash: 1e6 };
}

/** Numbers only (the tables show numbers; dates of drawdown points are dropped, null turnover too). */
function numericRecord(r: Record<string, unknown>): MetricsRecordView {
  const out: MetricsRecordView = {};
  for (const [k, v] of Object.entries(r)) if (typeof v === 'number') out[k] = v;
  return out;
}

function returnsOf(equity: Float64Array): Float64Array {
  const r = new Float64Array(Math.max(0, equity.length - 1));
  for (let t = 1; t < equity.length; t++) r[t - 1] = equity[t] / equity[t - 1] - 1;
  return r;
}

interface Trace {
  rows: number[];
  dates: string[];
  value: number[];
  weights: number[];
  turnover: number[];
  trades: Trade[];
}

// ---- the one episode loop -------------------------------------------------------------------

export interface EpisodeHooks {
  /** Called with the reset's info. */
  onReset?(info: Info): void;
  /** Called after each step with the info before it, the action taken and the step's result. */
  onStep?(before: Info, action: Int32Array | Float32Array, res: StepResult): void;
}

/**
 * One episode of a policy in an env: reset with `seed`, act (masks applied) until terminated,
 * truncated or `maxSteps`. Every evaluation — a split's backtest, the run loop's periodic
 * evaluation, the sanity envs — runs through this loop, recording what it needs in the hooks.
 */
export async function runEpisode(
  predictor: Predictor,
  env: Env<Action>,
  opts: { seed: number; deterministic: boolean; maxSteps: number },
  hooks: EpisodeHooks = {},
): Promise<{ totalReward: number; steps: number }> {
  const scalar = env.actionSpace.kind === 'discrete';
  let { obs, info } = env.reset({ seed: opts.seed });
  hooks.onReset?.(info);
  let totalReward = 0;
  let steps = 0;
  while (steps < opts.maxSteps) {
    const mask = info.actionMask ?? env.actionMask?.() ?? null;
    const a = await predictor.predict(Float32Array.from(obs), 1, mask, opts.deterministic);
    const res = env.step((scalar ? a[0] : a) as Action) as StepResult;
    hooks.onStep?.(info, a, res);
    totalReward += res.reward;
    steps++;
    obs = res.obs;
    info = res.info;
    if (res.terminated || res.truncated) break;
  }
  return { totalReward, steps };
}

/** One deterministic episode over the whole split, recording what the env reports at each step. */
async function rollout(
  predictor: Predictor,
  env: Env<Action>,
  fs: FeatureSet,
  costs: CostModel,
): Promise<Trace> {
  const N = fs.assets.length;
  const trace: Trace = { rows: [], dates: [], value: [], weights: [], turnover: [], trades: [] };
  const record = (inf: Info) => {
    const t = inf.t as number;
    const value = inf.portfolioValue as number;
    trace.rows.push(t);
    trace.dates.push(String(inf.date));
    trace.value.push(value);
    if (inf.positions instanceof Float64Array) {
      for (let j = 0; j < N; j++) trace.weights.push((inf.positions[j] * fs.close[t * N + j]) / value);
    } else if (inf.weights instanceof Float64Array) {
      for (let j = 0; j < N; j++) trace.weights.push(inf.weights[j]);
    } else {
      for (let j = 0; j < N; j++) trace.weights.push(0);
    }
  };
  await runEpisode(
    predictor,
    env,
    { seed: EVAL_SEED, deterministic: true, maxSteps: fs.dates.length + 1 },
    {
      onReset: record,
      onStep: (before, _a, res) => {
        const info = res.info;
        const prevT = before.t as number;
        const prevDate = String(before.date);
        const prevValue = before.portfolioValue as number;
        if (info.executedQty instanceof Float64Array) {
          for (let j = 0; j < N; j++) {
            const q = info.executedQty[j];
            if (q === 0) continue;
            const price = fs.close[prevT * N + j] * (1 + Math.sign(q) * costs.slippage);
            trace.trades.push({
              date: prevDate,
              asset: fs.assets[j],
              side: q > 0 ? 'BUY' : 'SELL',
              quantity: Math.abs(q),
              price,
              fee: Math.abs(q) * price * costs.feeRate,
            });
          }
          trace.turnover.push((info.tradedNotional as number) / 2 / prevValue);
        } else {
          trace.turnover.push(typeof info.turnover === 'number' ? info.turnover / 2 : 0);
        }
        record(info);
      },
    },
  );
  return trace;
}

export interface EvaluateSplitOptions {
  /** Periods per year for the metrics. */
  annualization: number;
  costs: CostModel;
  /** Baselines to run beside the agent. */
  baselines: readonly BaselineName[];
}

/**
 * Agent vs baselines on one split. `env` must run the whole split (episodeLength null). The baselines
 * trade the same rows from the agent's first decision, with the env's fee (plus slippage, which
 * costs a trade the same fraction of its notional) and cash.
 */
export async function evaluateSplit(
  predictor: Predictor,
  env: Env<Action>,
  fs: FeatureSet,
  split: SplitName,
  opts: EvaluateSplitOptions,
): Promise<SplitEvaluation> {
  const { annualization, costs } = opts;
  const N = fs.assets.length;
  const trace = await rollout(predictor, env, fs, costs);
  const L = trace.value.length;
  const dates = trace.dates;
  const agentEquity = Float64Array.from(trace.value, (v) => v / trace.value[0]);
  const agentReturns = returnsOf(agentEquity);
  const equity: Record<string, Float64Array> = { agent: agentEquity };
  const returns: Record<string, Float64Array> = { agent: agentReturns };
  const metrics: Record<string, MetricsRecordView> = {
    agent: numericRecord(
      metricsRecord(
        computeMetrics(agentReturns, {
          annualization,
          dates: dates.slice(1),
          turnover: Float64Array.from(trace.turnover),
        }),
      ),
    ),
  };
  const start = trace.rows[0];
  const range = { start, end: start + L };
  const fee = costs.feeRate + costs.slippage;
  for (const name of opts.baselines) {
    try {
      const bt = runBaseline(BASELINE_SPECS[name], fs.close, N, {
        fee,
        initialCash: costs.initialCash,
        range,
      });
      const eq = Float64Array.from(bt.equity, (v) => v / costs.initialCash);
      equity[name] = eq;
      // Period returns on the agent's dates: the first period runs from the initial cash (before the
      // first day's fees) to the next close, so entry fees and the entry trade count as they do for the agent.
      const fromCash = eq.slice();
      fromCash[0] = 1;
      const r = returnsOf(fromCash);
      returns[name] = r;
      const turnover = bt.turnover.slice(1);
      if (turnover.length > 0) turnover[0] += bt.turnover[0];
      metrics[name] = numericRecord(
        metricsRecord(computeMetrics(r, { annualization, dates: dates.slice(1), turnover })),
      );
    } catch {
      // A baseline that cannot run on this range (e.g. too short for its MA) is left out, not faked.
    }
  }
  const drawdown: Record<string, Float64Array> = {};
  for (const [k, e] of Object.entries(equity)) drawdown[k] = drawdownFromEquity(e);
  const rs = rollingSharpe(agentReturns, Math.min(ROLLING_SHARPE_WINDOW, Math.max(2, agentReturns.length)), {
    annualization,
  });
  const rollingFull = new Float64Array(L).fill(NaN);
  rollingFull.set(rs.subarray(0, L - 1), 1);
  return {
    split,
    dates,
    assets: fs.assets.slice(),
    equity,
    returns,
    drawdown,
    metrics,
    weights: Float32Array.from(trace.weights),
    rollingSharpe: rollingFull,
    monthly: monthlyReturnsTable(dates.slice(1), agentReturns),
    trades: trace.trades,
  };
}

/** Buy-and-hold equity on the same rows as an evaluation trace (the live chart's reference line), or null. */
export function benchmarkEquity(
  fs: FeatureSet,
  costs: CostModel,
  firstDate: string,
  length: number,
): Float64Array | null {
  const start = fs.dates.indexOf(firstDate);
  if (start < 0 || start + length > fs.dates.length) return null;
  try {
    const bt = runBaseline({ kind: 'buy-and-hold' }, fs.close, fs.assets.length, {
      fee: costs.feeRate + costs.slippage,
      initialCash: 1,
      range: { start, end: start + length },
    });
    return Float64Array.from(bt.equity);
  } catch {
    return null;
  }
}

// ---- episode returns: the run loop's periodic evaluation and the sanity envs -------------------

export interface EvalOptions {
  /** Episodes to run. Default 10. */
  episodes?: number;
  /** Argmax / mean actions (default) or sampled ones. */
  deterministic?: boolean;
  /** Seed of the first episode's reset; episode i uses seed + i. Default 10_000 (away from training seeds). */
  seed?: number;
  /** Safety cap on steps per episode. Default 1e6. */
  maxSteps?: number;
  /** Periods per year for market metrics. Default 252. */
  annualization?: number;
}

/** The first episode, step by step, when the env is a market env. */
export interface MarketTrace {
  /** Portfolio value after reset and after each step: length = steps + 1. */
  equity: Float64Array;
  /** info.date at reset and after each step (empty strings when absent). */
  dates: string[];
  /** Shares per asset after each step (info.positions), [steps][assets]. */
  positions: Float64Array[];
  cash: number[];
  /** Actions taken, flat per step. */
  actions: number[][];
  totalReturn: number;
  sharpe: number;
  maxDrawdown: number;
  finalValue: number;
}

export interface EvalResult {
  returns: number[];
  lengths: number[];
  meanReturn: number;
  stdReturn: number;
  meanLength: number;
  market?: MarketTrace;
  /** Flat eval/* metrics. */
  metrics: Record<string, number>;
}

export async function evaluatePolicy(
  predictor: Predictor,
  env: Env<Action>,
  opts: EvalOptions = {},
): Promise<EvalResult> {
  const episodes = opts.episodes ?? 10;
  const deterministic = opts.deterministic ?? true;
  const seed = opts.seed ?? EVAL_SEED;
  const maxSteps = opts.maxSteps ?? 1_000_000;
  const returns: number[] = [];
  const lengths: number[] = [];
  let market: MarketTrace | undefined;
  for (let ep = 0; ep < episodes; ep++) {
    let record = false;
    const equity: number[] = [];
    const dates: string[] = [];
    const positions: Float64Array[] = [];
    const cash: number[] = [];
    const actions: number[][] = [];
    const { totalReward: total, steps } = await runEpisode(
      predictor,
      env,
      { seed: seed + ep, deterministic, maxSteps },
      {
        onReset: (info) => {
          record = ep === 0 && typeof info.portfolioValue === 'number';
          if (!record) return;
          equity.push(info.portfolioValue as number);
          dates.push(String(info.date ?? ''));
        },
        onStep: (_before, a, res) => {
          if (!record) return;
          const info = res.info;
          equity.push(info.portfolioValue as number);
          dates.push(String(info.date ?? ''));
          if (info.positions instanceof Float64Array) positions.push(Float64Array.from(info.positions));
          if (typeof info.cash === 'number') cash.push(info.cash);
          actions.push(Array.from(a));
        },
      },
    );
    returns.push(total);
    lengths.push(steps);
    if (record) {
      const eq = Float64Array.from(equity);
      const periodReturns = new Float64Array(eq.length - 1);
      for (let t = 1; t < eq.length; t++) periodReturns[t - 1] = eq[t] / eq[t - 1] - 1;
      const report = computeMetrics(periodReturns, { annualization: opts.annualization ?? 252 });
      market = {
        equity: eq,
        dates,
        positions,
        cash,
        actions,
        totalReturn: eq[eq.length - 1] / eq[0] - 1,
        sharpe: report.sharpe,
        maxDrawdown: report.maxDrawdown,
        finalValue: eq[eq.length - 1],
      };
    }
  }
  const meanReturn = returns.reduce((s, r) => s + r, 0) / returns.length;
  const stdReturn = Math.sqrt(returns.reduce((s, r) => s + (r - meanReturn) ** 2, 0) / returns.length);
  const meanLength = lengths.reduce((s, l) => s + l, 0) / lengths.length;
  const metrics: Record<string, number> = {
    'eval/mean_return': meanReturn,
    'eval/std_return': stdReturn,
    'eval/mean_length': meanLength,
  };
  if (market) {
    metrics['eval/total_return'] = market.totalReturn;
    metrics['eval/sharpe'] = market.sharpe;
    metrics['eval/max_drawdown'] = market.maxDrawdown;
    metrics['eval/final_value'] = market.finalValue;
  }
  return { returns, lengths, meanReturn, stdReturn, meanLength, market, metrics };
}
