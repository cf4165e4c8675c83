/**
 * Training throughput of A2C and PPO on the QTMRL configuration, in Node, per tfjs backend. The
 * measurement is core's (src/core/bench/train.ts), the same code the browser bench page runs
 * (`lab bench browser`). Figures, per algorithm and backend:
 * - `<algo>_<backend>_sps`: env steps per second over the timed iterations (after a warm-up one);
 * - `<algo>_<backend>_<part>_ms`: where one update's time goes — env stepping, batched forward
 *   passes, readbacks, CPU sampling, bootstrap + GAE, and the update (forward + backward + optimizer);
 * - `a2c_<backend>_update_forward_ms` / `a2c_<backend>_update_backward_optimizer_ms`: the update's
 *   forward pass over the 400-step batch timed on its own, and the rest (backward, clipping, Adam);
 * - `a2c_<backend>_minutes_to_1e6`: the extrapolated wall time of the QTMRL run (1e6 A2C env steps);
 * - `forward_k8_<backend>_ms`: one batched forward pass (8 observations) + its readback.
 * Target (issue 3): 1e6 A2C steps in under 15 minutes on this 2-core machine (in the browser).
 */
import { initBackend, type BackendPref } from '../../core/agents/backend.ts';
import {
  measureTraining,
  qtmrlFeatures,
  QTMRL_TARGET_MINUTES,
  TRAIN_BENCH_SHAPE,
  TRAIN_PARTS,
  type Figures,
} from '../../core/bench/train.ts';

export { QTMRL_TARGET_MINUTES, TRAIN_BENCH_SHAPE };

const PER_ALGO_KEYS = ['sps', ...TRAIN_PARTS.map((p) => `${p}_ms`)];

function pick(out: Figures, prefix: string, figures: Figures, keys: readonly string[]): void {
  for (const k of keys) if (figures[k] !== undefined) out[`${prefix}${k}`] = figures[k];
}

export async function benchTrain(): Promise<Record<string, number>> {
  const fs = qtmrlFeatures();
  const out: Record<string, number> = {
    assets: TRAIN_BENCH_SHAPE.assets,
    window: TRAIN_BENCH_SHAPE.window,
    features: fs.featureNames.length,
  };
  // cpu is 50–200× slower than wasm on these shapes (a full run there is hopeless): one un-warmed A2C
  // update and the forward-pass overhead only, so the suite stays within a few minutes.
  const plan: { pref: BackendPref; iterations: number; warmup: boolean; ppo: boolean }[] = [
    { pref: 'wasm', iterations: 4, warmup: true, ppo: true },
    { pref: 'cpu', iterations: 1, warmup: false, ppo: false },
  ];
  for (const { pref, iterations, warmup, ppo: withPpo } of plan) {
    const info = await initBackend(pref);
    if (info.backend !== pref) continue;
    const a = await measureTraining({
      algo: 'a2c',
      iterations,
      warmup,
      updateSplit: pref === 'wasm',
      forward: { batches: [8], reps: pref === 'cpu' ? 3 : 50 },
    });
    out.obs_size = a.obs_size;
    out.params = a.params;
    pick(out, `a2c_${pref}_`, a, [
      ...PER_ALGO_KEYS,
      'update_forward_ms',
      'update_backward_optimizer_ms',
      'minutes_to_1e6',
    ]);
    out[`forward_k8_${pref}_ms`] = a.forward_b8_ms;
    if (!withPpo) continue;
    const p = await measureTraining({
      algo: 'ppo',
      iterations: Math.max(1, Math.floor(iterations / 2)),
      warmup,
    });
    pick(out, `ppo_${pref}_`, p, PER_ALGO_KEYS);
  }
  out.target_minutes_to_1e6 = QTMRL_TARGET_MINUTES;
  return out;
}
