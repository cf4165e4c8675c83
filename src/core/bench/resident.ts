/**
 * A correctness check of the resident market (nets/resident.ts) on whatever backend is current,
 * for backends the unit tests cannot reach (WebGPU in Chromium, `e2e/resident.spec.ts` through the
 * bench page): a small A2C with the TimeCNN trained side by side on the per-(asset, day) path and
 * on the per-window path from the same seed. The actions must be identical and values, losses and
 * weights equal to float rounding. The caller initialises the backend.
 */
import * as tf from '@tensorflow/tfjs';
import { A2C } from '../agents/a2c.ts';
import { generateSynthetic } from '../data/synthetic.ts';
import { TradingEnv } from '../envs/trading.ts';
import { buildFeatures, featurePreset } from '../features/index.ts';
import type { Figures } from './train.ts';

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * Figures: `day_path` (1 when the resident agent really took the day path), `action_mismatches`,
 * `max_value_diff`, `max_loss_diff`, `max_weight_diff`, `weights_moved` (largest change from the
 * initial weights: the comparison is not between untouched copies), `episodes`, `leaked_tensors`.
 */
export async function checkResidentMarket(iterations = 2): Promise<Figures> {
  const W = 6;
  const { panel } = generateSynthetic({ seed: 5, assets: 3, days: 200, signalStrength: 0.2 });
  const fs = buildFeatures(panel, featurePreset('ohlcv', { window: W }));
  const env = (i: number) => new TradingEnv(fs, { split: 'train', window: W, episodeLength: 7, seed: i });
  const config = {
    seed: 3,
    totalSteps: 1000,
    numEnvs: 3,
    numSteps: 10,
    learningRate: 3e-3,
    optimizer: 'adam' as const,
    rewardScale: 100,
    network: { encoder: 'timecnn' as const, dModel: 8, kernelSize: 2 },
  };
  const before = tf.memory().numTensors;
  const day = new A2C(config, env, { residentMarket: true });
  const win = new A2C(config, env, { residentMarket: false });
  const out: Figures = { day_path: day.market && !win.market ? 1 : 0 };
  const init = day.policy.net.getWeights();
  let mismatches = 0;
  let valueDiff = 0;
  let lossDiff = 0;
  let episodes = 0;
  try {
    for (let i = 0; i < iterations; i++) {
      const a = await day.iterate();
      const b = await win.iterate();
      episodes += a.episodes.length;
      for (let j = 0; j < day.buffer.actions.length; j++)
        if (day.buffer.actions[j] !== win.buffer.actions[j]) mismatches++;
      valueDiff = Math.max(valueDiff, maxDiff(day.buffer.values, win.buffer.values));
      lossDiff = Math.max(lossDiff, Math.abs(a.metrics['losses/loss'] - b.metrics['losses/loss']));
    }
    const wd = day.policy.net.getWeights();
    const ww = win.policy.net.getWeights();
    out.max_weight_diff = Math.max(...wd.map((w, i) => maxDiff(w, ww[i])));
    out.weights_moved = Math.max(...wd.map((w, i) => maxDiff(w, init[i])));
  } finally {
    day.dispose();
    win.dispose();
  }
  out.action_mismatches = mismatches;
  out.max_value_diff = valueDiff;
  out.max_loss_diff = lossDiff;
  out.episodes = episodes;
  out.leaked_tensors = tf.memory().numTensors - before;
  return out;
}
