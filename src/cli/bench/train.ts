/**
 * Training throughput of A2C and PPO on the QTMRL configuration, in Node, per tfjs backend:
 * 16 assets of a seeded synthetic market, all indicators (≈ 30 features), window W = 20, TradingEnv
 * with QTMRL's rules, the TimeCNN encoder with the factorized BUY/SELL/HOLD actor (nets/), and the
 * algorithms' 'qtmrl' presets (rollout 50, 8 envs). Figures, per algorithm and backend:
 * - `<algo>_<backend>_sps`: env steps per second over the timed iterations (after a warm-up one);
 * - `<algo>_<backend>_<part>_ms`: where one update's time goes — env stepping, batched forward
 *   passes, readbacks, CPU sampling, bootstrap + GAE, and the update (forward + backward + optimizer);
 * - `a2c_<backend>_minutes_to_1e6`: the extrapolated wall time of the QTMRL run (1e6 A2C env steps);
 * - `forward_k8_<backend>_ms`: one batched forward pass (8 observations) + its readback.
 * Target (issue 3): 1e6 A2C steps in under 15 minutes on this 2-core machine (in the browser).
 */
import { initBackend, type BackendPref } from '../../core/agents/backend.ts';
import { A2C, a2cConfig } from '../../core/agents/a2c.ts';
import { PPO, ppoConfig } from '../../core/agents/ppo.ts';
import type { OnPolicyAgent, OnPolicyCommonConfig } from '../../core/agents/common/onPolicy.ts';
import { generateSynthetic } from '../../core/data/synthetic.ts';
import { buildFeatures, featurePreset } from '../../core/features/index.ts';
import { TradingEnv } from '../../core/envs/trading.ts';
import type { FeatureSet } from '../../core/features/types.ts';

export const TRAIN_BENCH_SHAPE = { assets: 16, window: 20, days: 1500 } as const;
export const QTMRL_TARGET_MINUTES = 15;

const PARTS = ['env', 'forward', 'readback', 'sample', 'bootstrap', 'update'] as const;

function qtmrlFeatures(): FeatureSet {
  const { panel } = generateSynthetic({ seed: 1, assets: TRAIN_BENCH_SHAPE.assets, days: TRAIN_BENCH_SHAPE.days, signalStrength: 0.1 });
  return buildFeatures(panel, featurePreset('all', { window: TRAIN_BENCH_SHAPE.window }));
}

/** Time `iterations` updates (after one warm-up when asked); mean per-update breakdown. */
async function timeAgent<C extends OnPolicyCommonConfig>(agent: OnPolicyAgent<C>, iterations: number, warmup = true): Promise<Record<string, number>> {
  if (warmup) await agent.iterate();
  const sums: Record<string, number> = {};
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) {
    const r = await agent.iterate();
    for (const p of PARTS) sums[p] = (sums[p] ?? 0) + r.metrics[`perf/${p}_ms`];
  }
  const seconds = (performance.now() - t0) / 1000;
  const out: Record<string, number> = { sps: (iterations * agent.batchSize) / seconds };
  for (const p of PARTS) out[`${p}_ms`] = sums[p] / iterations;
  return out;
}

async function forwardOverhead<C extends OnPolicyCommonConfig>(agent: OnPolicyAgent<C>, reps: number): Promise<number> {
  const obs = new Float32Array(8 * agent.policy.obsSize);
  await agent.policy.forward(obs, 8);
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await agent.policy.forward(obs, 8);
  return (performance.now() - t0) / reps;
}

export async function benchTrain(): Promise<Record<string, number>> {
  const fs = qtmrlFeatures();
  const makeEnv = (i: number) => new TradingEnv(fs, { split: 'train', window: TRAIN_BENCH_SHAPE.window, episodeLength: 500, seed: i });
  const network = { encoder: 'timecnn' as const };
  const out: Record<string, number> = { assets: TRAIN_BENCH_SHAPE.assets, window: TRAIN_BENCH_SHAPE.window, features: fs.featureNames.length };
  // cpu is 50–200× slower than wasm on these shapes (a full run there is hopeless): one un-warmed A2C
  // update and the forward-pass overhead only, so the suite stays within a few minutes.
  const plan: { pref: BackendPref; iterations: number; warmup: boolean; ppo: boolean }[] = [
    { pref: 'wasm', iterations: 4, warmup: true, ppo: true },
    { pref: 'cpu', iterations: 1, warmup: false, ppo: false },
  ];
  for (const { pref, iterations, warmup, ppo: withPpo } of plan) {
    const info = await initBackend(pref);
    if (info.backend !== pref) continue;
    const a2c = new A2C(a2cConfig('qtmrl', { network }), makeEnv);
    out.obs_size = a2c.policy.obsSize;
    out.params = a2c.policy.paramCount;
    const a = await timeAgent(a2c, iterations, warmup);
    for (const [k, v] of Object.entries(a)) out[`a2c_${pref}_${k}`] = v;
    out[`a2c_${pref}_minutes_to_1e6`] = 1e6 / a.sps / 60;
    out[`forward_k8_${pref}_ms`] = await forwardOverhead(a2c, pref === 'cpu' ? 3 : 50);
    a2c.dispose();
    if (!withPpo) continue;
    const ppo = new PPO(ppoConfig('qtmrl', { network }), makeEnv);
    const p = await timeAgent(ppo, Math.max(1, Math.floor(iterations / 2)), warmup);
    for (const [k, v] of Object.entries(p)) out[`ppo_${pref}_${k}`] = v;
    ppo.dispose();
  }
  out.target_minutes_to_1e6 = QTMRL_TARGET_MINUTES;
  return out;
}
