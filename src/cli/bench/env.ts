import { Rng } from '../../core/rng.ts';
import { makeTestFeatureSet, randomWalkPrices } from '../../core/envs/testing.ts';
import { TradingEnv } from '../../core/envs/trading.ts';
import type { TradingEnvConfig } from '../../core/envs/trading.ts';
import { SyncVectorEnv } from '../../core/envs/vector.ts';
import type { FeatureSet } from '../../core/features/types.ts';
import { median } from './index.ts';

/**
 * TradingEnv throughput in asset-steps per second (env steps × assets, × K for vector envs), on
 * a synthetic FeatureSet of the QTMRL shape: 16 assets × 5,500 days × 30 features, window 20.
 * Actions are uniform BUY/SELL/HOLD drawn beforehand into a buffer so the RNG is not timed.
 * Each figure is the median of several timed runs after a warm-up. Episodes are 1,000 steps from
 * random starts (as in training), so K envs read different parts of X. Figures:
 * - `single_asset_steps_per_s`: one env stepped directly;
 * - `k1_asset_steps_per_s`, `k64_asset_steps_per_s`: SyncVectorEnv with K = 1 and 64 (obs copied
 *   into the batch, auto-reset);
 * - the same per second of CPU time (`…_per_cpu_s`), which a busy shared machine distorts less.
 * Target: ≥ 5 million asset-steps/s on one core.
 */
export const ENV_BENCH_SHAPE = { assets: 16, days: 5500, features: 30, window: 20 } as const;
export const ENV_TARGET_ASSET_STEPS_PER_S = 5e6;

const RUNS = 5;
const ACTION_BUFFER_STEPS = 4096;

function actionBuffer(steps: number, width: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const buf = new Int32Array(steps * width);
  for (let k = 0; k < buf.length; k++) buf[k] = rng.int(3);
  return buf;
}

interface Rate {
  /** Asset-steps per wall-clock second. */
  wall: number;
  /** Asset-steps per second of this process's CPU time: less sensitive to other processes on a shared machine. */
  cpu: number;
}

function timed(assetSteps: number, run: () => void): Rate {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  run();
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wall: assetSteps / wallS, cpu: assetSteps / ((cpu.user + cpu.system) / 1e6) };
}

/** Steps K envs for `steps` vector steps. */
function timeVector(fs: FeatureSet, cfg: Partial<TradingEnvConfig>, K: number, steps: number): Rate {
  const N = fs.assets.length;
  const vec = new SyncVectorEnv((i) => new TradingEnv(fs, { ...cfg, seed: i }), K);
  vec.reset({ seed: 1 });
  const width = K * N;
  const bufSteps = Math.max(1, Math.min(ACTION_BUFFER_STEPS, Math.floor((1 << 22) / width)));
  const actions = actionBuffer(bufSteps, width, 2);
  // Like a run loop: the policy writes each step's actions into one reused buffer.
  const stepActions = new Int32Array(width);
  return timed(steps * K * N, () => {
    for (let s = 0; s < steps; s++) {
      const from = (s % bufSteps) * width;
      stepActions.set(actions.subarray(from, from + width));
      vec.step(stepActions);
    }
  });
}

/** A single env stepped directly (no vector wrapper), auto-resetting itself. */
function timeSingle(fs: FeatureSet, cfg: Partial<TradingEnvConfig>, steps: number): Rate {
  const N = fs.assets.length;
  const env = new TradingEnv(fs, cfg);
  env.reset({ seed: 1 });
  const actions = actionBuffer(ACTION_BUFFER_STEPS, N, 2);
  const stepActions = new Int32Array(N);
  return timed(steps * N, () => {
    for (let s = 0; s < steps; s++) {
      const from = (s % ACTION_BUFFER_STEPS) * N;
      stepActions.set(actions.subarray(from, from + N));
      const r = env.step(stepActions);
      if (r.terminated || r.truncated) env.reset();
    }
  });
}

export function benchFeatureSet(seed = 11): FeatureSet {
  const { assets, days, features } = ENV_BENCH_SHAPE;
  return makeTestFeatureSet(randomWalkPrices(days, assets, seed), { nFeatures: features, seed });
}

export async function benchEnv(): Promise<Record<string, number>> {
  const fs = benchFeatureSet();
  const cfg: Partial<TradingEnvConfig> = { window: ENV_BENCH_SHAPE.window, episodeLength: 1000 };
  const single: Rate[] = [];
  const k1: Rate[] = [];
  const k64: Rate[] = [];
  // Warm-up so the JIT has compiled the hot path before timing.
  timeSingle(fs, cfg, 20_000);
  timeVector(fs, cfg, 64, 300);
  for (let r = 0; r < RUNS; r++) {
    single.push(timeSingle(fs, cfg, 100_000));
    k1.push(timeVector(fs, cfg, 1, 100_000));
    k64.push(timeVector(fs, cfg, 64, 1_500));
  }
  const wall = (rs: Rate[]) => Math.round(median(rs.map((r) => r.wall)));
  const cpu = (rs: Rate[]) => Math.round(median(rs.map((r) => r.cpu)));
  return {
    single_asset_steps_per_s: wall(single),
    k1_asset_steps_per_s: wall(k1),
    k64_asset_steps_per_s: wall(k64),
    single_asset_steps_per_cpu_s: cpu(single),
    k1_asset_steps_per_cpu_s: cpu(k1),
    k64_asset_steps_per_cpu_s: cpu(k64),
    target_asset_steps_per_s: ENV_TARGET_ASSET_STEPS_PER_S,
    assets: ENV_BENCH_SHAPE.assets,
    days: ENV_BENCH_SHAPE.days,
    features: ENV_BENCH_SHAPE.features,
    window: ENV_BENCH_SHAPE.window,
    obs_size: new TradingEnv(fs, cfg).observationSpace.shape[0],
  };
}
