/**
 * The router's view of the market (seed 002's meta_router): one step = one decision = the chosen
 * expert trading the market env for `routerInterval` days. Its observation is the regime features
 * at the decision's close (regimeFeatures.ts); its action is an expert id, masked where an expert is
 * frozen, failed or disallowed (`allowed`, read through info.actionMask as MaskablePPO does);
 * its reward over the n days is
 *
 *   rewardScale·[(V_{t+n}/V_t − 1) − (P_{t+n}/P_t − 1)] + λ·mean_days KL(π_selected ‖ π_mean)
 *
 * the hierarchy's book against buy-and-hold of the same asset, plus the seed's diversity bonus
 * (π_mean = the mean of the K experts' action distributions on the same state). Every day's
 * transition goes into the shared replay, tagged with the expert and its μ(a|s).
 *
 * With `routerReward: 'counterfactual'` the relative return is the chosen expert's against its
 * peers on the same days: every expert keeps a shadow book (the market env traded by that expert
 * alone, greedily, in lockstep with this one), and the return term becomes
 *
 *   rewardScale·[log(S^k_{t+n}/S^k_t) − (1/K)·Σ_j log(S^j_{t+n}/S^j_t)]
 *
 * for chosen expert k. The market's own move, common to every book, cancels, so what remains is
 * which expert earned more on these days: the question a regime-aware router must answer (and the
 * one the regime proof scores), without the day-to-day noise of the asset that buries it in the
 * benchmark reward. With `ownership: 'won'` the same shadow books decide whose own days the
 * decision's transitions count among: the expert that earned most over them.
 *
 * The market env is a single-asset TradingEnv: its MultiDiscrete([3]) HOLD/BUY/SELL head is the
 * experts' Discrete(3) action (with buyPct = sellPct = 1, BUY = all in, SELL = all out).
 */
import type { Rng } from '../rng.ts';
import type { Action, BoxSpace, Env, Info, ResetOptions, ResetResult, StepResult } from '../envs/types.ts';
import { klToMean } from '../metrics/diversity.ts';
import type { HierExperts } from '../agents/hier/experts.ts';
import type { SharedReplay } from './sharedReplay.ts';

/** What every router env of one hierarchy shares. */
export interface RouterShared {
  experts: HierExperts;
  replay: SharedReplay;
  /** [T] index log returns and the per-row router observation builder. */
  routerObs(t: number): Float32Array;
  routerObsSize: number;
  /** [T] unnormalised close of the traded asset. */
  close: Float64Array;
  /** 1 = the router may choose that expert. */
  allowed: Uint8Array;
  routerInterval: number;
  rewardScale: number;
  klLambda: number;
  /** The return term: the book against buy-and-hold, or the chosen expert's shadow book against its peers'. */
  routerReward: 'benchmark' | 'counterfactual';
  /**
   * 'won': a decision's transitions belong to the expert whose shadow book earned most over it
   * (SharedReplay.setOwner); 'cluster': to `clusterOf` the decision's first row.
   */
  ownership: 'acted' | 'won' | 'cluster';
  /** ownership 'cluster': the expert whose market-state cluster row t falls in. */
  clusterOf?: (t: number) => number;
  /** Env steps taken by every router env together (the hierarchy's global step). */
  envSteps: number;
  /** Finished market episodes: undiscounted return (sum of env rewards) and length. */
  episodes: { step: number; return: number; length: number }[];
  /** Sample actions (training) or take the argmax (evaluation). */
  deterministic: boolean;
  /** Store transitions in the shared replay (off in evaluation). */
  record: boolean;
}

export interface RouterStepInfo extends Info {
  /** Row of the market after the decision. */
  t: number;
  /** Days the decision lasted (< n at the episode's end). */
  days: number;
}

export function sampleIndex(p: ArrayLike<number>, rng: Rng): number {
  let u = rng.float();
  for (let a = 0; a < p.length; a++) if ((u -= p[a]) < 0) return a;
  return p.length - 1;
}

export function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let a = 1; a < p.length; a++) if (p[a] > p[best]) best = a;
  return best;
}

export class RouterEnv implements Env<number, RouterStepInfo> {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: { kind: 'discrete'; n: number };
  private obs: Float32Array;
  private t = 0;
  private epReturn = 0;
  private epLength = 0;
  private value = NaN;
  private readonly probs: Float64Array[];
  private readonly act = new Int32Array(1);
  /** Called after every market day (evaluation records the book). */
  onDay?: (expert: number, action: number, res: StepResult) => void;
  /** Shadow books (counterfactual reward, ownership 'won'): per expert its env, observation, value and log return this decision. */
  private readonly shadow: {
    envs: Env<Action>[];
    obs: Float32Array[];
    value: Float64Array;
    logReturn: Float64Array;
    probs: Float64Array;
  } | null;

  /**
   * `shadows` (K envs made exactly like `market`, so the same resets draw the same days) are
   * required with routerReward 'counterfactual' or ownership 'won', and ignored otherwise.
   */
  constructor(
    readonly market: Env<Action>,
    readonly shared: RouterShared,
    readonly stream: number,
    private readonly rng: Rng,
    shadows?: Env<Action>[],
  ) {
    const K = shared.experts.experts;
    this.observationSpace = { kind: 'box', shape: [shared.routerObsSize], low: -Infinity, high: Infinity };
    this.actionSpace = { kind: 'discrete', n: K };
    const A = market.actionSpace.kind === 'multi-discrete' ? market.actionSpace.nvec[0] : 0;
    if (market.actionSpace.kind !== 'multi-discrete' || market.actionSpace.nvec.length !== 1)
      throw new Error('hierarchical: the experts trade one asset (choose one asset: data.config.assets = 1)');
    this.probs = Array.from({ length: K }, () => new Float64Array(A));
    this.obs = new Float32Array(market.observationSpace.shape[0]);
    if (shared.routerReward === 'counterfactual' || shared.ownership === 'won') {
      if (!shadows || shadows.length !== K)
        throw new Error(
          `RouterEnv: the counterfactual reward and ownership 'won' need one shadow env per expert (${K})`,
        );
      this.shadow = {
        envs: shadows,
        obs: shadows.map(() => new Float32Array(this.obs.length)),
        value: new Float64Array(K),
        logReturn: new Float64Array(K),
        probs: new Float64Array(A),
      };
    } else this.shadow = null;
  }

  actionMask(): Uint8Array {
    return this.shared.allowed.slice();
  }

  reset(opts: ResetOptions = {}): ResetResult<RouterStepInfo> {
    const r = this.market.reset(opts);
    this.obs.set(r.obs);
    this.t = r.info.t as number;
    this.value = r.info.portfolioValue as number;
    this.epReturn = 0;
    this.epLength = 0;
    const sh = this.shadow;
    if (sh)
      sh.envs.forEach((env, k) => {
        const rs = env.reset(opts);
        if (rs.info.t !== this.t)
          throw new Error(
            `RouterEnv: shadow book ${k} starts on row ${String(rs.info.t)}, the market on ${this.t}`,
          );
        sh.obs[k].set(rs.obs);
        sh.value[k] = rs.info.portfolioValue as number;
      });
    return {
      obs: this.shared.routerObs(this.t),
      info: { ...r.info, t: this.t, days: 0, actionMask: this.actionMask() },
    };
  }

  step(expert: number): StepResult<RouterStepInfo> {
    const s = this.shared;
    const K = s.experts.experts;
    if (!(expert >= 0 && expert < K)) throw new Error(`RouterEnv: expert ${expert} out of 0..${K - 1}`);
    const t0 = this.t;
    const value0 = this.value;
    let kl = 0;
    let days = 0;
    let terminated = false;
    let truncated = false;
    let info: Info = {};
    const sh = this.shadow;
    sh?.logReturn.fill(0);
    const rows: number[] = [];
    while (days < s.routerInterval) {
      if (sh) this.stepShadows(sh);
      for (let k = 0; k < K; k++) s.experts.probs(k, this.obs, this.probs[k]);
      const p = this.probs[expert];
      const a = s.deterministic ? argmax(p) : sampleIndex(p, this.rng);
      if (s.klLambda > 0) kl += klToMean(this.probs, expert, p.length);
      this.act[0] = a;
      const res = this.market.step(this.act);
      info = res.info;
      this.value = res.info.portfolioValue as number;
      if (s.record)
        rows.push(
          s.replay.add(this.stream, {
            obs: this.obs,
            nextObs: res.obs,
            action: a,
            reward: res.reward * s.rewardScale,
            terminated: res.terminated,
            truncated: res.truncated && !res.terminated,
            expert,
            logProb: Math.log(Math.max(p[a], 1e-12)),
          }),
        );
      this.onDay?.(expert, a, res);
      this.obs.set(res.obs);
      this.t = res.info.t as number;
      this.epReturn += res.reward;
      this.epLength++;
      s.envSteps++;
      days++;
      terminated = res.terminated;
      truncated = res.truncated;
      if (terminated || truncated) break;
    }
    if (terminated || truncated)
      s.episodes.push({ step: s.envSteps, return: this.epReturn, length: this.epLength });
    if (s.ownership === 'cluster' && s.record) {
      if (!s.clusterOf) throw new Error("RouterEnv: ownership 'cluster' needs shared.clusterOf");
      const owner = s.clusterOf(t0);
      for (const id of rows) s.replay.setOwner(id, owner);
    } else if (sh && s.ownership === 'won') {
      const winner = argmax(sh.logReturn);
      // A tie (books that did the same, e.g. two flat ones) leaves the days with the expert that acted.
      const tied = sh.logReturn.some((x, k) => k !== winner && Math.abs(x - sh.logReturn[winner]) < 1e-12);
      if (!tied) for (const id of rows) s.replay.setOwner(id, winner);
    }
    let relative: number;
    if (sh && s.routerReward === 'counterfactual') {
      let mean = 0;
      for (let k = 0; k < K; k++) mean += sh.logReturn[k] / K;
      relative = sh.logReturn[expert] - mean;
    } else relative = this.value / value0 - 1 - (s.close[this.t] / s.close[t0] - 1);
    const reward = s.rewardScale * relative + (s.klLambda * kl) / Math.max(1, days);
    return {
      obs: s.routerObs(this.t),
      reward,
      terminated,
      truncated: truncated && !terminated,
      info: { ...info, t: this.t, days, actionMask: this.actionMask() },
    };
  }

  /** One day of every shadow book: expert k trades its own book greedily (the market steps right after, on the same row). */
  private stepShadows(sh: NonNullable<RouterEnv['shadow']>): void {
    const experts = this.shared.experts;
    sh.envs.forEach((env, k) => {
      this.act[0] = argmax(experts.probs(k, sh.obs[k], sh.probs));
      const res = env.step(this.act);
      const v = res.info.portfolioValue as number;
      sh.logReturn[k] += Math.log(v / sh.value[k]);
      sh.value[k] = v;
      // The env reuses its observation buffer: copy into the shadow's own (no allocation per day).
      sh.obs[k].set(res.obs);
    });
  }
}
