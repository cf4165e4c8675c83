import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../agents/backend.ts';
import {
  makeQtmrlAgent,
  measureForwardOverhead,
  measureTraining,
  prefixed,
  qtmrlFeatures,
  TRAIN_BENCH_SHAPE,
  TRAIN_PARTS,
} from './train.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('training benchmark (shared by lab bench train and the browser bench page)', () => {
  it('builds the QTMRL workload: 16 assets, W 20, all indicators, TimeCNN factorized actor', () => {
    const fs = qtmrlFeatures();
    expect(fs.assets).toHaveLength(TRAIN_BENCH_SHAPE.assets);
    expect(fs.featureNames.length).toBeGreaterThan(20);
    const agent = makeQtmrlAgent({ algo: 'a2c', numSteps: 2 });
    try {
      expect(agent.config.numEnvs).toBe(8);
      expect(agent.config.network.encoder).toBe('timecnn');
      // window × assets × features, plus per-asset and global extras.
      expect(agent.policy.obsSize).toBeGreaterThan(
        TRAIN_BENCH_SHAPE.window * TRAIN_BENCH_SHAPE.assets * fs.featureNames.length,
      );
      expect(agent.policy.actionSize).toBe(TRAIN_BENCH_SHAPE.assets);
    } finally {
      agent.dispose();
    }
  });

  it('reports throughput, the per-update breakdown and the 1e6-step extrapolation, leaking no tensors', async () => {
    const f = await measureTraining({
      algo: 'a2c',
      iterations: 1,
      warmup: false,
      numSteps: 2,
      updateSplit: true,
      forward: { batches: [1, 4], reps: 2 },
    });
    expect(f.batch).toBe(16);
    expect(f.sps).toBeGreaterThan(0);
    expect(f.minutes_to_1e6).toBeCloseTo(1e6 / f.sps / 60, 6);
    for (const p of TRAIN_PARTS) expect(Number.isFinite(f[`${p}_ms`]) && f[`${p}_ms`] >= 0).toBe(true);
    expect(f.update_forward_ms).toBeGreaterThan(0);
    expect(f.update_backward_optimizer_ms).toBeCloseTo(Math.max(0, f.update_ms - f.update_forward_ms), 6);
    expect(f.forward_b1_ms).toBeGreaterThan(0);
    expect(f.forward_b4_min_ms).toBeLessThanOrEqual(f.forward_b4_ms);
    expect(f.leaked_tensors).toBe(0);
  });

  it('times PPO the same way (no update split: several minibatch steps per update)', async () => {
    const f = await measureTraining({
      algo: 'ppo',
      iterations: 1,
      warmup: false,
      numSteps: 2,
      updateSplit: true,
    });
    expect(f.sps).toBeGreaterThan(0);
    expect(f.update_forward_ms).toBeUndefined();
    expect(f.leaked_tensors).toBe(0);
  });

  it('measures forward overhead per batch size with the readback inside the timing', async () => {
    const agent = makeQtmrlAgent({ algo: 'a2c', numSteps: 2 });
    try {
      const f = await measureForwardOverhead(agent.policy, { batches: [2], reps: 3 });
      expect(Object.keys(f).sort()).toEqual(['b2_min_ms', 'b2_ms']);
      expect(f.b2_min_ms).toBeGreaterThan(0);
    } finally {
      agent.dispose();
    }
  });

  it('prefixes figure names', () => {
    expect(prefixed('browser/wasm/', { sps: 1 })).toEqual({ 'browser/wasm/sps': 1 });
  });
});
