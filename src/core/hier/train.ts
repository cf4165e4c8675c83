/**
 * Seed 002's hierarchy and its one training loop: K experts (agents/hier/experts.ts: discrete SAC +
 * DIAYN skill reward, V-trace on the shared replay) under a maskable-PPO router (agents/ppo.ts with
 * useMasks, over routerEnv.ts), trained with the seed's alternate freezing:
 *
 *   one cycle = router phase: routerEvery decisions in every env, experts frozen, then one PPO update;
 *               expert phase: routerEvery decisions with the router frozen (sampling its policy),
 *               the experts updating after every expertEvery decisions.
 *
 * So the router learns every 10 of its decisions, the experts every 5, and the population (the
 * MF-PBT driver, population.ts, through member.ts) steps every 20 = one cycle. Both phases put every
 * day into the shared replay. Metrics come out as flat rows keyed by the global env step.
 */
import type { Action, Env } from '../envs/types.ts';
import type { FeatureSet, MarketObsLayout } from '../features/types.ts';
import { clusterOf, fitRegimeClusters } from './regimeClusters.ts';
import type { SplitName } from '../data/types.ts';
import { HierExperts } from '../agents/hier/experts.ts';
import { PPO } from '../agents/ppo.ts';
import { mapdDiscrete, klToMean } from '../metrics/diversity.ts';
import { Rng } from '../rng.ts';
import { RunControl, yieldToEventLoop } from '../run/control.ts';
import type { MetricRow } from '../run/metrics.ts';
import { cycleDecisions, resolveHierConfig, type HierConfig } from './config.ts';
import { detectPeriods, indexLogReturns, periodFeatures, regimeFeatures } from './regimeFeatures.ts';
import { RouterEnv, argmax, type RouterShared } from './routerEnv.ts';
import { edgeFeatures, EDGE_WINDOWS, returnSd, shadowExcess } from './edgeFeatures.ts';
import { SharedReplay } from './sharedReplay.ts';

/** What the hierarchy needs from a prepared experiment (experiment/run.ts's prepareExperiment). */
export interface HierMarket {
  features: FeatureSet;
  makeTrainEnv(index: number): Env<Action>;
  makeEvalEnv(split: SplitName): Env<Action>;
  /** Splits that hold an episode (the shadow books of `routerSeesEdge` trade each; default train). */
  evaluableSplits?: readonly SplitName[];
}

/** TimesNet's FFT period detection on the train split (encoder 'timesnet'). */
export interface HierPeriods {
  periods: number[];
  frequencies: number[];
  amplitudes: number[];
  window: number;
}

const PROBE_STATES = 256;

/** Trailing observation values that describe the book (positions, cash) of a market env, 0 if unknown. */
function portfolioDims(env: Env<Action>): number {
  const layout = (env as { layout?: MarketObsLayout }).layout;
  return layout ? layout.nAssets * layout.perAssetExtras + layout.globalExtras : 0;
}
const N_ACTIONS = 3;

export class Hierarchy {
  readonly config: HierConfig;
  readonly seed: number;
  readonly market: HierMarket;
  readonly experts: HierExperts;
  readonly router: PPO;
  readonly replay: SharedReplay;
  readonly shared: RouterShared;
  readonly returns: Float64Array;
  readonly periods: HierPeriods | null;
  /** Router decisions taken in cycles so far. */
  cycles = 0;
  private readonly expertEnvs: RouterEnv[];
  private expertObs: Float32Array[];
  private readonly rng: { router: Rng; probe: Rng };
  /** routerSeesEdge: per expert, its shadow book's excess log return per row; stale after an expert update. */
  private readonly edge: { excess: Float64Array[]; sigma: number; stale: boolean } | null;

  constructor(market: HierMarket, config: Partial<HierConfig>, seed: number) {
    const c = (this.config = resolveHierConfig(config));
    this.seed = seed;
    this.market = market;
    const fs = market.features;
    if (fs.assets.length !== 1)
      throw new Error(
        `hierarchical: the experts trade one asset, the data has ${fs.assets.length} (set data.config.assets = 1 or pick one asset)`,
      );
    this.returns = indexLogReturns(fs.close, 1);
    const tr = fs.splits.train;
    this.periods =
      c.encoder === 'timesnet'
        ? { ...detectPeriods(this.returns, tr.start, tr.end, c.lookback, 3), window: c.lookback }
        : null;
    const probe = market.makeTrainEnv(0);
    const obsDim = probe.observationSpace.shape[0];
    const root = new Rng(seed).fork('hier');
    this.experts = new HierExperts({
      seed: root.fork('experts').nextUint32(),
      experts: c.experts,
      obsDim,
      actions: N_ACTIONS,
      hidden: c.hidden,
      learningRate: c.expertLearningRate,
      gamma: c.gamma,
      tau: c.tau,
      miRewardWeight: c.miRewardWeight,
      batchSize: c.batchSize,
      vtraceSteps: c.vtraceSteps,
      clipRho: c.clipRho,
      clipC: c.clipC,
      ownShare: c.ownShare,
      skillInput: c.skillInput,
      portfolioDims: portfolioDims(probe),
    });
    this.replay = new SharedReplay({ capacity: c.bufferSize, obsDim, streams: 2 * c.numEnvs });
    this.edge = c.routerSeesEdge
      ? {
          excess: Array.from({ length: c.experts }, () => new Float64Array(fs.close.length)),
          sigma: returnSd(this.returns, tr.start, tr.end),
          stale: true,
        }
      : null;
    const routerObsSize =
      regimeFeatures(this.returns, 0, c.lookback).length +
      (this.periods?.frequencies.length ?? 0) +
      (this.edge ? c.experts * EDGE_WINDOWS.length : 0);
    this.shared = {
      experts: this.experts,
      replay: this.replay,
      routerObs: (t) => this.routerObs(t),
      routerObsSize,
      close: fs.close,
      allowed: new Uint8Array(c.experts).fill(1),
      routerInterval: c.routerInterval,
      rewardScale: c.rewardScale,
      klLambda: c.klLambda,
      routerReward: c.routerReward,
      ownership: c.ownership,
      clusterOf: c.ownership === 'cluster' ? this.fitClusters(root.fork('clusters')) : undefined,
      envSteps: 0,
      episodes: [],
      deterministic: false,
      record: true,
    };
    const envRng = root.fork('envs');
    const routerEnv = (i: number) =>
      new RouterEnv(
        market.makeTrainEnv(i),
        this.shared,
        i,
        envRng.fork(`stream${i}`),
        c.routerReward === 'counterfactual' || c.ownership === 'won'
          ? Array.from({ length: c.experts }, () => market.makeTrainEnv(i))
          : undefined,
      );
    this.router = new PPO(
      {
        seed: root.fork('router').nextUint32(),
        totalSteps: Number.MAX_SAFE_INTEGER,
        numEnvs: c.numEnvs,
        numSteps: c.routerEvery,
        gamma: 0.9,
        gaeLambda: 0.95,
        learningRate: c.routerLearningRate,
        annealLr: false,
        numMinibatches: 2,
        updateEpochs: 4,
        entCoef: c.entCoef,
        useMasks: true,
        rewardScale: 1,
        network: { encoder: 'mlp', hidden: [64, 64], activation: 'tanh' },
      },
      (i) => routerEnv(i) as unknown as Env,
    );
    this.expertEnvs = Array.from({ length: c.numEnvs }, (_, i) => routerEnv(c.numEnvs + i));
    this.expertObs = this.expertEnvs.map((e, i) => Float32Array.from(e.reset({ seed: seed + 7919 + i }).obs));
    this.rng = { router: root.fork('router-act'), probe: root.fork('probe') };
  }

  /** Regime features at row t (+ the periods' amplitudes with the encoder, + the experts' edge). */
  routerObs(t: number): Float32Array {
    const base = regimeFeatures(this.returns, t, this.config.lookback);
    if (!this.periods && !this.edge) return base;
    const out = new Float32Array(this.shared.routerObsSize);
    out.set(base);
    let at = base.length;
    if (this.periods) {
      out.set(periodFeatures(this.returns, t, this.config.lookback, this.periods.frequencies), at);
      at += this.periods.frequencies.length;
    }
    if (this.edge) {
      if (this.edge.stale) this.refreshEdge();
      out.set(edgeFeatures(this.edge.excess, t, this.edge.sigma), at);
    }
    return out;
  }

  /**
   * ownership 'cluster': k-means (K = experts) of the regime features on the train split's rows
   * (the base features only: the periods and the edge are not market states), as row → expert.
   * Every row's cluster is found once here, so a decision's credit is a lookup.
   */
  private fitClusters(rng: Rng): (t: number) => number {
    const tr = this.market.features.splits.train;
    const L = this.config.lookback;
    const d = regimeFeatures(this.returns, 0, L).length;
    const from = Math.max(tr.start, L);
    const n = tr.end - from;
    if (n < this.config.experts)
      throw new Error(
        `hierarchical.ownership 'cluster': the train split has ${Math.max(0, n)} days after the ${L}-day lookback, fewer than the ${this.config.experts} experts to cluster them for`,
      );
    const x = new Float64Array(n * d);
    for (let i = 0; i < n; i++) x.set(regimeFeatures(this.returns, from + i, L), i * d);
    const cl = fitRegimeClusters(x, n, d, this.config.experts, rng);
    const owner = Int8Array.from(this.returns, (_, t) => clusterOf(cl, regimeFeatures(this.returns, t, L)));
    return (t) => owner[t];
  }

  /** The experts' weights changed outside a cycle (a restored checkpoint): the shadow books are replayed on next use. */
  expertsChanged(): void {
    if (this.edge) this.edge.stale = true;
  }

  /** Replays every expert's shadow book on each split with the experts as they are now. */
  refreshEdge(): void {
    const e = this.edge;
    if (!e) return;
    const p = new Float64Array(N_ACTIONS);
    const close = this.market.features.close;
    for (const split of this.market.evaluableSplits ?? ['train'])
      for (let k = 0; k < this.config.experts; k++)
        shadowExcess(
          this.market.makeEvalEnv(split),
          (obs) => argmax(this.experts.probs(k, obs, p)),
          close,
          e.excess[k],
        );
    e.stale = false;
  }

  get envSteps(): number {
    return this.shared.envSteps;
  }

  /** β and λ are live: PBT perturbs them between rounds. */
  setWeights(h: { miRewardWeight?: number; klLambda?: number }): void {
    if (h.miRewardWeight !== undefined) this.experts.miRewardWeight = h.miRewardWeight;
    if (h.klLambda !== undefined) this.shared.klLambda = h.klLambda;
  }

  /** One cycle (router phase, expert phase); returns the cycle's metrics. */
  async cycle(control?: RunControl): Promise<Record<string, number>> {
    const c = this.config;
    const t0 = performance.now();
    const steps0 = this.envSteps;
    const episodes0 = this.shared.episodes.length;
    // Router phase: experts frozen (no update runs inside iterate; they act from their host copy).
    const report = await this.router.iterate();
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(report.metrics)) {
      if (k === 'losses/entropy') out['charts/router_entropy'] = v;
      else if (k.startsWith('losses/')) out[`losses/router_${k.slice(7)}`] = v;
    }
    // Expert phase: router frozen, sampling its policy.
    const E = this.expertEnvs.length;
    const obsSize = this.shared.routerObsSize;
    let collected = 0;
    for (let d = 0; d < c.routerEvery; d++) {
      if (control?.stopRequested) break;
      const batch = new Float32Array(E * obsSize);
      const masks = new Uint8Array(E * c.experts);
      this.expertObs.forEach((o, i) => {
        batch.set(o, i * obsSize);
        masks.set(this.shared.allowed, i * c.experts);
      });
      const acts = await this.router.predict(batch, E, masks, false, this.rng.router);
      const before = this.envSteps;
      this.expertEnvs.forEach((env, i) => {
        const res = env.step(acts[i]);
        this.expertObs[i] = Float32Array.from(res.terminated || res.truncated ? env.reset().obs : res.obs);
      });
      collected += this.envSteps - before;
      if ((d + 1) % c.expertEvery === 0 || d === c.routerEvery - 1) {
        const G = Math.round(c.updatesPerStep * collected);
        collected = 0;
        if (this.replay.size >= c.batchSize) {
          for (let g = 0; g < G; g++) this.experts.update(this.replay);
          this.experts.refreshHost();
          if (this.edge) this.edge.stale = true;
        }
        await yieldToEventLoop();
      }
    }
    Object.assign(out, this.experts.readStats());
    const div = this.diversity();
    out['charts/mapd'] = div.mapd;
    out['charts/kl_to_mean'] = div.klToMean;
    const eps = this.shared.episodes.slice(episodes0);
    if (eps.length) {
      out['charts/episodic_return'] = eps.reduce((s, e) => s + e.return, 0) / eps.length;
      out['charts/episodic_length'] = eps.reduce((s, e) => s + e.length, 0) / eps.length;
    }
    out['perf/sps'] = ((this.envSteps - steps0) / Math.max(1e-9, performance.now() - t0)) * 1000;
    this.cycles++;
    return out;
  }

  /** MAPD and mean KL-to-mean of the experts' action distributions on replayed states. */
  diversity(states = PROBE_STATES): { mapd: number; klToMean: number } {
    const n = this.replay.size;
    if (n === 0) return { mapd: NaN, klToMean: NaN };
    const K = this.config.experts;
    const d = this.replay.obsDim;
    const rng = new Rng(this.seed).fork(`probe${this.cycles}`);
    const probs = Array.from({ length: K }, () => new Float64Array(states * N_ACTIONS));
    const p = new Float64Array(N_ACTIONS);
    for (let s = 0; s < states; s++) {
      const r = rng.int(n);
      const obs = this.replay.obs.subarray(r * d, (r + 1) * d);
      for (let k = 0; k < K; k++) probs[k].set(this.experts.probs(k, obs, p), s * N_ACTIONS);
    }
    let kl = 0;
    for (let k = 0; k < K; k++) kl += klToMean(probs, k, N_ACTIONS);
    return { mapd: mapdDiscrete(probs, N_ACTIONS), klToMean: kl / K };
  }

  dispose(): void {
    this.experts.dispose();
    this.router.dispose();
  }
}

export interface TrainHierarchyOptions {
  callbacks?: {
    onMetrics?(rows: MetricRow[]): void;
    onStatus?(s: { state: string; step: number; totalSteps: number }): void;
  };
  control?: RunControl;
  /** Called after every cycle. */
  onCycle?(h: Hierarchy, row: MetricRow): void | Promise<void>;
  /** Called every `populationEvery` decisions (whole cycles: ⌈populationEvery / cycle⌉), e.g. by an MF-PBT driver. */
  onPopulation?(h: Hierarchy): void | Promise<void>;
}

export interface TrainHierarchyResult {
  hierarchy: Hierarchy;
  status: 'completed' | 'stopped';
  rows: MetricRow[];
  /** MAPD after each cycle (the diversity curve). */
  diversity: { step: number[]; mapd: number[]; klToMean: number[] };
  wallMs: number;
}

/** Trains until `steps` more env steps (default config.totalSteps) or a stop; pause holds between cycles. */
export async function trainHierarchy(
  market: HierMarket | Hierarchy,
  config: Partial<HierConfig>,
  opts: TrainHierarchyOptions & { seed?: number; steps?: number } = {},
): Promise<TrainHierarchyResult> {
  const h = market instanceof Hierarchy ? market : new Hierarchy(market, config, opts.seed ?? 1);
  const control = opts.control ?? new RunControl();
  const total = h.envSteps + (opts.steps ?? h.config.totalSteps);
  const rows: MetricRow[] = [];
  const diversity = { step: [] as number[], mapd: [] as number[], klToMean: [] as number[] };
  const t0 = performance.now();
  let status: 'completed' | 'stopped' = 'completed';
  while (h.envSteps < total) {
    await control.waitWhilePaused();
    if (control.stopRequested) {
      status = 'stopped';
      break;
    }
    const values = await h.cycle(control);
    const row: MetricRow = { step: h.envSteps, values };
    rows.push(row);
    diversity.step.push(h.envSteps);
    diversity.mapd.push(values['charts/mapd']);
    diversity.klToMean.push(values['charts/kl_to_mean']);
    opts.callbacks?.onMetrics?.([row]);
    opts.callbacks?.onStatus?.({ state: 'running', step: h.envSteps, totalSteps: total });
    await opts.onCycle?.(h, row);
    if (h.cycles % Math.max(1, Math.ceil(h.config.populationEvery / cycleDecisions(h.config))) === 0)
      await opts.onPopulation?.(h);
    await yieldToEventLoop();
  }
  return { hierarchy: h, status, rows, diversity, wallMs: performance.now() - t0 };
}
