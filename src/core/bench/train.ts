/**
 * The training benchmark itself, shared by Node (`lab bench train`) and the browser bench page
 * (workers/bench.worker.ts), so both measure the same code on the same workload: the QTMRL
 * configuration — 16 assets of a seeded synthetic market, all indicators (≈ 30 features), window
 * W = 20, TradingEnv with QTMRL's rules, the TimeCNN encoder with the factorized BUY/SELL/HOLD actor,
 * and the algorithms' 'qtmrl' presets (rollout 50, 8 envs → 400 env steps per update).
 *
 * The caller initialises the tfjs backend first; nothing here imports node: modules or touches the
 * DOM. Figures are flat and unprefixed (the caller adds `a2c_wasm_` or `browser/wasm/`).
 */
import * as tf from '@tensorflow/tfjs';
import { A2C, a2cConfig } from '../agents/a2c.ts';
import { PPO, ppoConfig } from '../agents/ppo.ts';
import type { OnPolicyAgent, OnPolicyCommonConfig } from '../agents/common/onPolicy.ts';
import type { NetworkSpec } from '../agents/common/networks.ts';
import type { Policy } from '../agents/common/policy.ts';
import { generateSynthetic } from '../data/synthetic.ts';
import { TradingEnv } from '../envs/trading.ts';
import { buildFeatures, featurePreset } from '../features/index.ts';
import type { FeatureSet } from '../features/types.ts';

export const TRAIN_BENCH_SHAPE = { assets: 16, window: 20, days: 1500 } as const;
/** Issue 3's target: the QTMRL A2C run (1e6 env steps) in under 15 minutes in the browser. */
export const QTMRL_TARGET_MINUTES = 15;
export const QTMRL_TOTAL_STEPS = 1_000_000;

/** The per-update breakdown the agents report (perf/<part>_ms), in the order of an iteration. */
export const TRAIN_PARTS = ['env', 'forward', 'readback', 'sample', 'bootstrap', 'update'] as const;

export type BenchAlgo = 'a2c' | 'ppo';
export type Figures = Record<string, number>;

let featureCache: FeatureSet | null = null;

/** The QTMRL feature set (built once per process/worker: ~1 s of indicator work). */
export function qtmrlFeatures(): FeatureSet {
  if (!featureCache) {
    const { panel } = generateSynthetic({
      seed: 1,
      assets: TRAIN_BENCH_SHAPE.assets,
      days: TRAIN_BENCH_SHAPE.days,
      signalStrength: 0.1,
    });
    featureCache = buildFeatures(panel, featurePreset('all', { window: TRAIN_BENCH_SHAPE.window }));
  }
  return featureCache;
}

export interface QtmrlAgentOptions {
  algo: BenchAlgo;
  /** Default: the TimeCNN encoder with its default width. */
  network?: NetworkSpec;
  /** Overrides of the preset's rollout shape, for backends too slow for the real one (label it). */
  numEnvs?: number;
  numSteps?: number;
  /** The market on the device with the TimeCNN per (asset, day) (default), or false: the per-window path. */
  residentMarket?: boolean;
}

/** An A2C or PPO agent with the QTMRL preset on the QTMRL envs. */
export function makeQtmrlAgent(opts: QtmrlAgentOptions): OnPolicyAgent<OnPolicyCommonConfig> {
  const fs = qtmrlFeatures();
  const makeEnv = (i: number) =>
    new TradingEnv(fs, { split: 'train', window: TRAIN_BENCH_SHAPE.window, episodeLength: 500, seed: i });
  const overrides = {
    network: opts.network ?? { encoder: 'timecnn' as const },
    ...(opts.numEnvs !== undefined ? { numEnvs: opts.numEnvs } : {}),
    ...(opts.numSteps !== undefined ? { numSteps: opts.numSteps } : {}),
  };
  const options = { residentMarket: opts.residentMarket ?? true };
  return opts.algo === 'a2c'
    ? new A2C(a2cConfig('qtmrl', overrides), makeEnv, options)
    : new PPO(ppoConfig('qtmrl', overrides), makeEnv, options);
}

/** Time `iterations` updates (after one untimed warm-up when asked): env steps/s and the mean breakdown. */
export async function timeIterations<C extends OnPolicyCommonConfig>(
  agent: OnPolicyAgent<C>,
  iterations: number,
  warmup = true,
): Promise<Figures> {
  if (warmup) await agent.iterate();
  const sums: Record<string, number> = {};
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) {
    const r = await agent.iterate();
    for (const p of TRAIN_PARTS) sums[p] = (sums[p] ?? 0) + r.metrics[`perf/${p}_ms`];
  }
  const seconds = (performance.now() - t0) / 1000;
  const out: Figures = { sps: (iterations * agent.batchSize) / seconds };
  for (const p of TRAIN_PARTS) out[`${p}_ms`] = sums[p] / iterations;
  return out;
}

export interface ForwardOverheadOptions {
  /** Batch sizes (observations per call). Default [8]. */
  batches?: readonly number[];
  /** Timed calls per batch size, at least. Default 30. */
  reps?: number;
  /** Keep timing up to this long per batch size (ms) when calls are fast. Default 0. */
  budgetMs?: number;
  /** Untimed calls first. Default 1. */
  warmup?: number;
}

/**
 * Per-call cost of one batched forward pass with its readback (what a rollout step pays), per batch
 * size: `b<N>_ms` (mean) and `b<N>_min_ms`. The readback is inside the timing, so asynchronous
 * backends (WebGPU) are timed to completion.
 */
export async function measureForwardOverhead(
  policy: Policy,
  opts: ForwardOverheadOptions = {},
): Promise<Figures> {
  const { batches = [8], reps = 30, budgetMs = 0, warmup = 1 } = opts;
  const out: Figures = {};
  for (const b of batches) {
    const obs = new Float32Array(b * policy.obsSize);
    for (let i = 0; i < obs.length; i++) obs[i] = ((i * 7919) % 200) / 100 - 1;
    for (let i = 0; i < warmup; i++) await policy.forward(obs, b);
    const times: number[] = [];
    const start = performance.now();
    while (times.length < reps || (performance.now() - start < budgetMs && times.length < reps * 20)) {
      const t0 = performance.now();
      await policy.forward(obs, b);
      times.push(performance.now() - t0);
    }
    out[`b${b}_ms`] = times.reduce((a, x) => a + x, 0) / times.length;
    out[`b${b}_min_ms`] = Math.min(...times);
  }
  return out;
}

/**
 * Where an A2C update's time goes: a forward pass over the whole update batch (with readback),
 * timed on its own; the rest of update_ms is the backward pass, gradient clipping and Adam.
 */
async function updateForwardMs(agent: OnPolicyAgent<OnPolicyCommonConfig>, reps: number): Promise<number> {
  const { policy, buffer, market } = agent;
  const rows = agent.batchSize;
  const obs = new Float32Array(rows * policy.obsSize);
  // The path the update takes: per (asset, day) on the resident market, else per window.
  const once = async () => {
    if (!market || !buffer.days || !buffer.extras) return void (await policy.forward(obs, rows));
    const out = tf.tidy(() => {
      const o = policy.net.forwardDays(
        market,
        buffer.days!,
        tf.tensor2d(buffer.extras!, [rows, buffer.extrasSize]),
      );
      return tf.concat([o.logits ?? o.mean!, tf.reshape(o.value, [rows, 1])], 1);
    });
    await out.data();
    out.dispose();
  };
  await once();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
  }
  return Math.min(...times);
}

export interface MeasureTrainingOptions extends QtmrlAgentOptions {
  /** Timed iterations (updates), each numEnvs × numSteps env steps. */
  iterations: number;
  /** One untimed iteration first (kernel compilation, allocator warm-up). Default true. */
  warmup?: boolean;
  /** Also time batched forward passes on this agent's policy (see measureForwardOverhead). */
  forward?: ForwardOverheadOptions;
  /** A2C only: also split update_ms into its forward and backward + optimizer shares. Default false. */
  updateSplit?: boolean;
}

/**
 * Training throughput of one algorithm on the QTMRL configuration on the current backend:
 * - `sps`: env steps per second over the timed iterations;
 * - `<part>_ms`: one iteration's mean breakdown (env stepping, batched forward passes, their
 *   readbacks, CPU sampling, bootstrap + GAE, the update = forward + backward + optimizer);
 * - `minutes_to_1e6`: 1e6 env steps at this rate (the QTMRL run's length);
 * - `batch`, `iterations`, `obs_size`, `params`, `leaked_tensors`;
 * - `forward_b<N>_ms` / `forward_b<N>_min_ms` when `forward` is given;
 * - `update_forward_ms` / `update_backward_optimizer_ms` when `updateSplit` (A2C).
 * On WebGPU `forward_ms` is only the dispatch; the GPU's work shows up in `readback_ms`.
 */
export async function measureTraining(opts: MeasureTrainingOptions): Promise<Figures> {
  const before = tf.memory().numTensors;
  const agent = makeQtmrlAgent(opts);
  const out: Figures = {};
  try {
    const t = await timeIterations(agent, opts.iterations, opts.warmup ?? true);
    Object.assign(out, t, {
      minutes_to_1e6: QTMRL_TOTAL_STEPS / t.sps / 60,
      batch: agent.batchSize,
      iterations: opts.iterations,
      obs_size: agent.policy.obsSize,
      params: agent.policy.paramCount,
    });
    if (opts.updateSplit && opts.algo === 'a2c') {
      const fwd = await updateForwardMs(agent, 3);
      out.update_forward_ms = fwd;
      out.update_backward_optimizer_ms = Math.max(0, t.update_ms - fwd);
    }
    if (opts.forward) {
      for (const [k, v] of Object.entries(await measureForwardOverhead(agent.policy, opts.forward)))
        out[`forward_${k}`] = v;
    }
  } finally {
    agent.dispose();
  }
  // Counted after dispose: anything left is a leak of the measured code, not the agent's weights.
  out.leaked_tensors = tf.memory().numTensors - before;
  return out;
}

/** `{prefix}{key}` for every figure. */
export function prefixed(prefix: string, figures: Figures): Figures {
  const out: Figures = {};
  for (const [k, v] of Object.entries(figures)) out[`${prefix}${k}`] = v;
  return out;
}
