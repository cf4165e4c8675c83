/**
 * Policy evaluation on one env: episodes with deterministic (argmax / mean) or sampled actions,
 * returns and lengths, and — for market envs, whose infos carry `portfolioValue` — the equity curve,
 * dates, positions and the backtest metrics of the first episode.
 */
import type { Action, Env, Info } from '../envs/types.ts';
import { computeMetrics } from '../metrics/report.ts';

export interface Predictor {
  predict(obs: Float32Array, rows: number, masks: Uint8Array | null, deterministic: boolean): Promise<Int32Array | Float32Array>;
}

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

function maskOf(env: Env<Action>, info: Info): Uint8Array | null {
  return info.actionMask ?? env.actionMask?.() ?? null;
}

export async function evaluatePolicy(predictor: Predictor, env: Env<Action>, opts: EvalOptions = {}): Promise<EvalResult> {
  const episodes = opts.episodes ?? 10;
  const deterministic = opts.deterministic ?? true;
  const seed = opts.seed ?? 10_000;
  const maxSteps = opts.maxSteps ?? 1_000_000;
  const returns: number[] = [];
  const lengths: number[] = [];
  let market: MarketTrace | undefined;
  const scalarAction = env.actionSpace.kind === 'discrete';
  for (let ep = 0; ep < episodes; ep++) {
    let { obs, info } = env.reset({ seed: seed + ep });
    const record = ep === 0 && typeof info.portfolioValue === 'number';
    const equity: number[] = record ? [info.portfolioValue as number] : [];
    const dates: string[] = record ? [String(info.date ?? '')] : [];
    const positions: Float64Array[] = [];
    const cash: number[] = [];
    const actions: number[][] = [];
    let total = 0;
    let steps = 0;
    for (;;) {
      const a = await predictor.predict(Float32Array.from(obs), 1, maskOf(env, info), deterministic);
      const res = env.step((scalarAction ? a[0] : a) as Action);
      total += res.reward;
      steps++;
      obs = res.obs;
      info = res.info;
      if (record) {
        equity.push(info.portfolioValue as number);
        dates.push(String(info.date ?? ''));
        if (info.positions instanceof Float64Array) positions.push(Float64Array.from(info.positions));
        if (typeof info.cash === 'number') cash.push(info.cash);
        actions.push(Array.from(a));
      }
      if (res.terminated || res.truncated || steps >= maxSteps) break;
    }
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
  const metrics: Record<string, number> = { 'eval/mean_return': meanReturn, 'eval/std_return': stdReturn, 'eval/mean_length': meanLength };
  if (market) {
    metrics['eval/total_return'] = market.totalReturn;
    metrics['eval/sharpe'] = market.sharpe;
    metrics['eval/max_drawdown'] = market.maxDrawdown;
    metrics['eval/final_value'] = market.finalValue;
  }
  return { returns, lengths, meanReturn, stdReturn, meanLength, market, metrics };
}
