/**
 * Seed 004's single-asset trading env (Gymnasium-style) on the ensemble's position rule, for RL
 * fine-tuning of the behaviour-cloned policy (policy/finetune.ts).
 *
 * State: the 34 features of state.ts for one asset at close t (market columns precomputed; the
 * portfolio columns from the env's own book: position, gross exposure |p|, cash share, days since
 * the last trade), optionally standardised with a fixed mean/std (BC's, so the warm-started actor
 * sees what BC saw).
 * Action: Box(2) = [action code, strength]: the code is rounded to HOLD (0) / BUY (1) / SELL (2)
 * and the strength clipped to [0, 1]; the lab's spaces have no Tuple(Discrete(3), Box), so the
 * pair is flattened (hybridPolicy.ts samples it as a categorical × Gaussian).
 * Dynamics: backtest.ts's rule for one asset with the whole capital: BUY → p = +min(s, cap),
 * SELL → p = −min(s, cap), HOLD → keep (trimmed to the risk cap; a veto closes), trade at close t,
 * fee × traded notional out of the post-trade value (the same fixed point).
 * Reward: log(V_{t+1} / V_t) of the pre-trade values (fees at t and the move to close t+1), so an
 * episode's rewards sum to the log growth of the book.
 * Episodes: `episodeLength` 0 runs the whole range from its first row in cash (evaluation, like a
 * split's backtest); > 0 draws a random window of that many rows inside the range (training),
 * starting in cash. The last step is truncated (a time limit, not an MDP end: bootstrap).
 */
import type { RowRange } from '../data/types.ts';
import { Rng } from '../rng.ts';
import type { BoxSpace, Env, ResetOptions, ResetResult, StepResult } from '../envs/types.ts';
import { backtestDecisions, targetPosition, type PositionBacktestResult } from './backtest.ts';
import type { EnsembleAnalysis } from './ensemble.ts';
import { DAYS_SCALE, STATE_DIM, STATE_FEATURES, stateFeatures } from './state.ts';
import { EnsembleError, HOLD, SELL, type Decisions } from './types.ts';

export interface PositionEnvOptions {
  /** Rows the env lives in (a split). */
  range: RowRange;
  /** Asset column of the panel. Default 0. */
  asset?: number;
  /** Rows per training episode; 0 (default) = the whole range from its start. */
  episodeLength?: number;
  /** Standardise observations: (x − mean) / std per feature. */
  normalizer?: { mean: Float32Array; std: Float32Array } | null;
  /** Apply the risk analyst's cap and veto, as the ensemble does. Default true. */
  riskCap?: boolean;
  seed?: number;
}

export interface PositionInfo {
  [key: string]: unknown;
  /** Row of the decision just taken. */
  t: number;
  value: number;
  position: number;
  traded: boolean;
  fee: number;
}

const col = (n: string) => STATE_FEATURES.indexOf(n);
const POS = col('position');
const LEV = col('leverage');
const CASH = col('cash_pct');
const DAYS = col('days_since_trade');

export class PositionEnv implements Env<Float32Array, PositionInfo> {
  readonly observationSpace: BoxSpace = { kind: 'box', shape: [STATE_DIM], low: -Infinity, high: Infinity };
  readonly actionSpace: BoxSpace = {
    kind: 'box',
    shape: [2],
    low: Float32Array.of(0, 0),
    high: Float32Array.of(2, 1),
  };
  readonly range: RowRange;
  readonly asset: number;
  /** [L · 34] raw market features of the range's rows (portfolio columns filled per step). */
  private readonly market: Float32Array;
  private readonly close: Float64Array;
  private readonly cap: Float64Array;
  private readonly fee: number;
  private readonly initialCash: number;
  private readonly episodeLength: number;
  private readonly normalizer: PositionEnvOptions['normalizer'];
  private rng: Rng;
  private obs = new Float32Array(STATE_DIM);
  // The book: cash, shares, the current row, the episode's last row, the last trade's row.
  private cash = 0;
  private shares = 0;
  private t = 0;
  private end = 0;
  private lastTrade = 0;

  constructor(a: EnsembleAnalysis, opts: PositionEnvOptions) {
    const { panel, config } = a;
    const N = panel.assets.length;
    const { start, end } = opts.range;
    this.asset = opts.asset ?? 0;
    if (!(Number.isInteger(this.asset) && this.asset >= 0 && this.asset < N))
      throw new EnsembleError(`PositionEnv: asset ${this.asset} is not a column of the ${N}-asset panel`);
    if (!(end - start >= 2))
      throw new EnsembleError(`PositionEnv: the range [${start}, ${end}) has < 2 rows`);
    this.episodeLength = opts.episodeLength ?? 0;
    if (!(Number.isInteger(this.episodeLength) && this.episodeLength >= 0) || this.episodeLength === 1)
      throw new EnsembleError(
        `PositionEnv: episodeLength must be 0 or an integer ≥ 2, got ${this.episodeLength}`,
      );
    this.range = opts.range;
    const L = end - start;
    // The market columns do not depend on the book: compute them once (any backtest of the range).
    const X = stateFeatures(a, backtestDecisions(panel.close, a.decisions, { range: opts.range }));
    this.market = new Float32Array(L * STATE_DIM);
    this.close = new Float64Array(L);
    this.cap = new Float64Array(L);
    const riskCap = opts.riskCap ?? true;
    for (let k = 0; k < L; k++) {
      const j = (start + k) * N + this.asset;
      this.market.set(
        X.subarray((k * N + this.asset) * STATE_DIM, (k * N + this.asset + 1) * STATE_DIM),
        k * STATE_DIM,
      );
      this.close[k] = panel.close[j];
      this.cap[k] = riskCap ? a.decisions.cap[j] : 1;
    }
    this.fee = config.fee;
    this.initialCash = config.initialCash;
    this.normalizer = opts.normalizer ?? null;
    this.rng = new Rng(opts.seed ?? 0);
  }

  /** The episode's rows (absolute): the first one and the end (exclusive) of its window. */
  get window(): { first: number; end: number } {
    return { first: this.range.start + this.t, end: this.range.start + this.end };
  }

  /** Row (absolute) of the current observation. */
  get row(): number {
    return this.range.start + this.t;
  }

  private value(k: number): number {
    return this.cash + this.shares * this.close[k];
  }

  private observe(): Float32Array {
    const k = this.t;
    const o = this.obs;
    o.set(this.market.subarray(k * STATE_DIM, (k + 1) * STATE_DIM));
    const v = this.value(k);
    const p = (this.shares * this.close[k]) / v;
    o[POS] = p;
    o[LEV] = Math.abs(p);
    o[CASH] = this.cash / v;
    o[DAYS] = Math.tanh((k - this.lastTrade) / DAYS_SCALE);
    if (this.normalizer) {
      const { mean, std } = this.normalizer;
      for (let f = 0; f < STATE_DIM; f++) o[f] = (o[f] - mean[f]) / std[f];
    }
    return Float32Array.from(o);
  }

  reset(opts: ResetOptions = {}): ResetResult<PositionInfo> {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    const L = this.range.end - this.range.start;
    const len = this.episodeLength === 0 ? L : Math.min(this.episodeLength, L);
    this.t = len === L ? 0 : this.rng.int(L - len + 1);
    this.end = this.t + len;
    this.cash = this.initialCash;
    this.shares = 0;
    this.lastTrade = this.t;
    return {
      obs: this.observe(),
      info: { t: this.row, value: this.initialCash, position: 0, traded: false, fee: 0 },
    };
  }

  /**
   * Trade at close t (backtest.ts's rule and fee fixed point for one asset), then move to t + 1.
   * The episode's last row is not stepped: the next observation would need close t + 1 of a row
   * outside the window, so the last step is the one into it (truncated).
   */
  step(action: Float32Array): StepResult<PositionInfo> {
    const k = this.t;
    if (k + 1 >= this.end) throw new EnsembleError('PositionEnv: step after the episode ended; call reset()');
    const code = Math.min(SELL, Math.max(HOLD, Math.round(action[0])));
    const strength = Math.min(1, Math.max(0, Number.isFinite(action[1]) ? action[1] : 0));
    const price = this.close[k];
    const before = this.value(k);
    const { fee, traded } = this.trade(k, code, strength);
    const next = this.value(k + 1);
    this.t = k + 1;
    const done = this.t + 1 >= this.end;
    return {
      obs: this.observe(),
      // A short book can lose it all; log of a non-positive value is cut at log(1e-6).
      reward: Math.log(Math.max(next, 1e-6 * before) / before),
      terminated: next <= 0,
      truncated: done && next > 0,
      info: {
        t: this.range.start + k,
        value: next,
        position: (this.shares * price) / (before - fee),
        traded,
        fee,
      },
    };
  }

  /** The trade of row k. Same arithmetic as backtestDecisions with N = 1. */
  private trade(k: number, code: number, strength: number): { fee: number; traded: boolean } {
    const p = this.close[k];
    const value = this.cash + this.shares * p;
    const cur = (this.shares * p) / value;
    const target = targetPosition(code, code === HOLD ? 0 : strength, this.cap[k], cur);
    const none = { fee: 0, traded: false };
    if (Number.isNaN(target)) return none;
    let post = value;
    for (let iter = 0; iter < 100; iter++) {
      const nextPost = value - this.fee * Math.abs(target * post - this.shares * p);
      const done = Math.abs(nextPost - post) <= 1e-13 * value;
      post = nextPost;
      if (done) break;
    }
    const delta = target * post - this.shares * p;
    if (Math.abs(delta) <= 1e-8) return none;
    this.cash -= delta;
    this.shares = (target * post) / p;
    this.lastTrade = k;
    const fees = this.fee * Math.abs(delta);
    this.cash -= fees;
    return { fee: fees, traded: true };
  }
}

/** A policy's greedy decision for one standardised/raw observation (as the env gives it). */
export type DecisionFn = (
  obs: Float32Array,
) => { action: number; strength: number } | Promise<{ action: number; strength: number }>;

export interface PolicyBacktest {
  /** [L] the policy's action and strength per row of the range. */
  action: Int8Array;
  strength: Float64Array;
  /** The rows' backtest (backtest.ts, one asset): equity, returns, fees, positions. */
  backtest: PositionBacktestResult;
  /** Σ of the env's rewards: log growth of the book up to the last row's pre-trade value. */
  logReturn: number;
}

/**
 * `policy` as the only decision maker of one asset over `range`, day by day in a PositionEnv
 * (its state holds the book its own decisions made), then the decisions' backtest on the
 * ensemble's rule, so its metrics compare with the ensemble's and buy-and-hold's on the same rows.
 */
export async function policyBacktest(
  a: EnsembleAnalysis,
  range: RowRange,
  policy: DecisionFn,
  opts: { asset?: number; normalizer?: PositionEnvOptions['normalizer']; riskCap?: boolean } = {},
): Promise<PolicyBacktest> {
  const env = new PositionEnv(a, { ...opts, range, episodeLength: 0 });
  const L = range.end - range.start;
  const action = new Int8Array(L);
  const strength = new Float64Array(L);
  let { obs } = env.reset();
  let logReturn = 0;
  for (let k = 0; k < L; k++) {
    const d = await policy(obs);
    action[k] = Math.min(SELL, Math.max(HOLD, Math.round(d.action)));
    // Float32, as the env's action array holds it: the backtest then trades exactly what the env did.
    strength[k] = action[k] === HOLD ? 0 : Math.fround(Math.min(1, Math.max(0, d.strength)));
    if (k === L - 1) break;
    const r = env.step(Float32Array.of(action[k], strength[k]));
    logReturn += r.reward;
    obs = r.obs;
  }
  const { panel } = a;
  const N = panel.assets.length;
  const asset = env.asset;
  const T = panel.dates.length;
  const close = new Float64Array(T);
  for (let t = 0; t < T; t++) close[t] = panel.close[t * N + asset];
  const riskCap = opts.riskCap ?? true;
  const decisions: Decisions = {
    T,
    N: 1,
    action: new Int8Array(T),
    strength: new Float64Array(T),
    cap: new Float64Array(T).fill(1),
    score: new Float64Array(T),
    veto: new Uint8Array(T),
  };
  for (let k = 0; k < L; k++) {
    const t = range.start + k;
    decisions.action[t] = action[k];
    decisions.strength[t] = strength[k];
    if (riskCap) decisions.cap[t] = a.decisions.cap[t * N + asset];
  }
  const backtest = backtestDecisions(close, decisions, {
    fee: a.config.fee,
    initialCash: a.config.initialCash,
    range,
  });
  return { action, strength, backtest, logReturn };
}
