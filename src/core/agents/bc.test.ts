import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './backend.ts';
import { Rng } from '../rng.ts';
import { BcLearner, classWeights, defaultBcConfig, type BcLearnerConfig } from './bc.ts';
import { DatasetBuilder, type OfflineDataset } from './offline/dataset.ts';
import { WeightedSampler } from './offline/batches.ts';
import { defaultDatasetSource } from './offline/source.ts';
import type { CheckpointArtifacts } from './checkpoint.ts';
import { expectSeedDeterminism, series, trainOffline } from './common/testing.ts';

const HOLD = 0;
const BUY = 1;
const SELL = 2;

/**
 * Seed 004's rule in miniature: BUY if feature0 > t, SELL if < −t, else HOLD; strength = |feature0|.
 * Features 1..3 are noise. `heads` > 1 gives one rule per asset (feature h drives head h).
 */
function ruleDataset(
  n: number,
  seed: number,
  opts: { threshold?: number; heads?: number; labelNoise?: number } = {},
): OfflineDataset {
  const t = opts.threshold ?? 0.3;
  const heads = opts.heads ?? 1;
  const rng = new Rng(seed);
  const d = 4;
  const b = new DatasetBuilder({ obsDim: d, actionDim: heads, discrete: true, strength: true, capacity: n });
  const obs = new Float32Array(d);
  const action = new Int32Array(heads);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) obs[k] = rng.uniform(-1, 1);
    for (let h = 0; h < heads; h++) {
      const f = obs[h];
      action[h] = f > t ? BUY : f < -t ? SELL : HOLD;
      if (opts.labelNoise && rng.float() < opts.labelNoise) action[h] = rng.int(3);
    }
    b.push({
      obs,
      action,
      reward: 0,
      nextObs: obs,
      terminal: false,
      timeout: i === n - 1,
      strength: Math.abs(obs[0]),
    });
  }
  return b.finish({
    observationSpace: { kind: 'box', shape: [d], low: -1, high: 1 },
    actionSpace:
      heads === 1 ? { kind: 'discrete', n: 3 } : { kind: 'multi-discrete', nvec: new Array(heads).fill(3) },
    source: 'rule:threshold',
    seed,
    randomMix: 0,
  });
}

/** Train BC on `ds` through the run loop; the learner is a BcLearner. */
async function trainBc(ds: OfflineDataset, config: Partial<BcLearnerConfig>) {
  const res = await trainOffline('bc', ds, config);
  expect(res.status, res.error).toBe('completed');
  return { ...res, learner: res.learner as BcLearner };
}

// wasm: the learning tests run 3–5× faster than on cpu (determinism is checked on both).
beforeAll(async () => {
  const info = await initBackend('wasm');
  expect(info.backend).toBe('wasm');
});

describe('BC', () => {
  it('imitates a deterministic rule policy with ≥ 95% validation accuracy, and learns the strength', async () => {
    const ds = ruleDataset(4000, 1);
    const { learner, rows, iterations } = await trainBc(ds, { epochs: 25, seed: 1 });
    try {
      const report = learner.evaluate();
      expect(report.rows).toBe(400);
      expect(report.accuracy).toBeGreaterThanOrEqual(0.95);
      expect(report.strengthMse).toBeLessThan(0.01);
      // The classification report (core/metrics) is consistent: 400 rows, every class well recalled.
      const head = report.heads[0];
      expect(head.confusion.reduce((a, b) => a + b, 0)).toBe(400);
      for (let c = 0; c < 3; c++) {
        expect(head.recall[c]).toBeGreaterThan(0.9);
        expect(head.precision[c]).toBeGreaterThan(0.9);
      }
      // Flat metric schema, one record per epoch, keyed by gradient step.
      const ce = series(rows, 'losses/action');
      expect(ce.length).toBe(iterations);
      for (const key of [
        'losses/strength',
        'eval/val_loss',
        'eval/val_accuracy',
        'eval/val_recall_c1',
        'eval/val_precision_c2',
        'perf/sps',
      ])
        expect(series(rows, key).every(Number.isFinite), key).toBe(true);
      expect(ce.at(-1)!).toBeLessThan(ce[0]);
      // Greedy acting follows the rule; probabilities sum to one per row.
      const act = learner.act(Float32Array.from([0.9, 0, 0, 0, -0.9, 0, 0, 0, 0, 0, 0, 0]));
      expect(Array.from(act.actions)).toEqual([BUY, SELL, HOLD]);
      expect(act.probs![0] + act.probs![1] + act.probs![2]).toBeCloseTo(1, 5);
      expect(act.strength![0]).toBeGreaterThan(0.75);
      expect(act.strength![2]).toBeLessThan(0.15);
    } finally {
      learner.dispose();
    }
  }, 120_000);

  it('imitates a factorized per-asset rule (MultiDiscrete, 3 heads)', async () => {
    const { learner } = await trainBc(ruleDataset(4000, 2, { heads: 3 }), { epochs: 30, seed: 2 });
    try {
      const report = learner.evaluate();
      expect(report.heads).toHaveLength(3);
      expect(report.accuracy).toBeGreaterThanOrEqual(0.95);
      expect(report.exactMatch).toBeGreaterThanOrEqual(0.85);
      expect(Array.from(learner.act(Float32Array.from([0.9, -0.9, 0, 0])).actions)).toEqual([
        BUY,
        SELL,
        HOLD,
      ]);
    } finally {
      learner.dispose();
    }
  }, 120_000);

  it('computes the documented class weights total/(K·count) and samples by them', () => {
    // Seed 004's example distribution: HOLD 872, BUY 312, SELL 269.
    const w = classWeights([[872, 312, 269]])[0];
    expect(w[0]).toBeCloseTo(1453 / (3 * 872), 12);
    expect(w[1]).toBeCloseTo(1453 / (3 * 312), 12);
    expect(w[2]).toBeCloseTo(1453 / (3 * 269), 12);
    expect(classWeights([[5, 0]])[0]).toEqual([0.5, 0]);
    // Oversampling with those weights balances the classes in expectation.
    const labels = [...new Array(872).fill(0), ...new Array(312).fill(1), ...new Array(269).fill(2)];
    const sampler = new WeightedSampler(labels.map((y) => w[y]));
    const rng = new Rng(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30000; i++) counts[labels[sampler.sample(rng)]]++;
    for (const c of counts) expect(c / 30000).toBeCloseTo(1 / 3, 1);
  });

  it('class weights, oversampling and focal loss each raise minority-class recall over plain CE', async () => {
    // 85% HOLD; BUY/SELL only beyond ±0.85. A short budget (8 epochs) leaves plain CE predicting
    // HOLD nearly always (minority recall ≈ 0); each remedy lifts it.
    const ds = ruleDataset(3000, 4, { threshold: 0.85 });
    const base = { epochs: 8, seed: 4, patience: 0, hidden: [64, 64], batchSize: 128, beta: 0 };
    const minorityRecall = async (imbalance: BcLearnerConfig['imbalance']) => {
      const { learner } = await trainBc(ds, { ...base, imbalance });
      const h = learner.evaluate().heads[0];
      learner.dispose();
      return (h.recall[BUY] + h.recall[SELL]) / 2;
    };
    const plain = await minorityRecall('none');
    const weighted = await minorityRecall('class-weights');
    const oversampled = await minorityRecall('oversample');
    const focal = await minorityRecall('focal');
    console.log(
      `[bc] minority recall: plain ${plain.toFixed(3)}, class-weights ${weighted.toFixed(3)}, oversample ${oversampled.toFixed(3)}, focal ${focal.toFixed(3)}`,
    );
    expect(weighted).toBeGreaterThan(plain + 0.3);
    expect(oversampled).toBeGreaterThan(plain + 0.3);
    expect(focal).toBeGreaterThan(plain + 0.1);
  }, 120_000);

  it('stops early when the validation loss stops improving, and restores the best weights', async () => {
    // Pure label noise: the net can only overfit, so the validation loss rises after a few epochs.
    const ds = ruleDataset(600, 5, { labelNoise: 1 });
    const cfg = { epochs: 60, patience: 3, seed: 5, hidden: [128, 128], batchSize: 64, valFraction: 0.3 };
    const { learner, rows, iterations } = await trainBc(ds, cfg);
    try {
      const best = series(rows, 'charts/best_epoch')[0];
      expect(series(rows, 'charts/early_stopped')).toEqual([1]);
      expect(iterations).toBeLessThan(60);
      expect(iterations).toBe(best + 3);
      expect(learner.evaluate().loss).toBeCloseTo(series(rows, 'eval/val_loss')[best - 1], 5);
    } finally {
      learner.dispose();
    }
  }, 60_000);

  it('is deterministic on cpu and on wasm: same seed → identical losses, another seed differs', async () => {
    const ds = ruleDataset(800, 6);
    const config = (seed: number): BcLearnerConfig => ({
      ...defaultBcConfig,
      epochs: 3,
      seed,
      dropout: 0.1,
      imbalance: 'oversample',
      totalSteps: 0,
      dataset: defaultDatasetSource,
    });
    await expectSeedDeterminism((seed) => new BcLearner(config(seed), ds), 9, 10);
  }, 60_000);

  it('keeps tf.memory().numTensors flat after a burn-in epoch, and dispose frees everything', async () => {
    const ds = ruleDataset(300, 7);
    const n0 = tf.memory().numTensors;
    const cfg = {
      ...defaultBcConfig,
      epochs: 4,
      patience: 0,
      seed: 7,
      dropout: 0.2,
      imbalance: 'class-weights' as const,
      batchSize: 64,
    };
    const learner = new BcLearner({ ...cfg, totalSteps: 0, dataset: defaultDatasetSource }, ds);
    await learner.iterate();
    learner.act(ds.obs.subarray(0, 8));
    const before = tf.memory().numTensors;
    await learner.iterate();
    learner.act(ds.obs.subarray(0, 8), { sample: true });
    learner.evaluate();
    expect(tf.memory().numTensors).toBe(before);
    learner.dispose();
    expect(tf.memory().numTensors).toBe(n0);
  });

  it('stops on a non-finite loss with a clear message and a checkpoint of finite last good weights', async () => {
    // An absurd learning rate throws the weights to ~1e37 in one Adam step; the next forward overflows.
    const saved: CheckpointArtifacts[] = [];
    const res = await trainOffline(
      'bc',
      ruleDataset(300, 8),
      { epochs: 3, seed: 8, valFraction: 0, learningRate: 1e37 },
      {
        callbacks: { onCheckpoint: (c, info) => void (info.reason === 'non-finite' && saved.push(c)) },
      },
    );
    try {
      expect(res.status).toBe('failed');
      expect(res.error).toMatch(/BC: non-finite loss at step \d+ .*last good weights kept/);
      expect(saved).toHaveLength(1);
      const learner = res.learner as BcLearner;
      expect(learner.net.mlp.getWeights().every((w) => w.every(Number.isFinite))).toBe(true);
    } finally {
      res.learner?.dispose();
    }
  });

  it('resumes from a checkpoint (Adam moments, Rng, step) exactly where a straight run goes', async () => {
    const ds = ruleDataset(500, 9);
    const cfg = {
      epochs: 4,
      patience: 0,
      restoreBest: false,
      seed: 11,
      normalizeObs: true,
      dropout: 0.1,
      batchSize: 64,
    };
    const perEpoch = Math.ceil(450 / 64);
    let mid: CheckpointArtifacts | null = null;
    const straight = await trainOffline('bc', ds, cfg, {
      checkpointEvery: 2 * perEpoch,
      callbacks: { onCheckpoint: (c, info) => void (info.step === 2 * perEpoch && (mid = c)) },
    });
    expect(mid).not.toBeNull();
    const resumed = await trainOffline('bc', ds, cfg, { resumeFrom: mid! });
    try {
      expect(resumed.iterations).toBe(4);
      expect(series(resumed.rows, 'losses/loss')).toEqual(series(straight.rows, 'losses/loss').slice(2));
      const x = ds.obs.subarray(0, 40);
      const a = (straight.learner as BcLearner).act(x).probs!;
      expect(Array.from((resumed.learner as BcLearner).act(x).probs!)).toEqual(Array.from(a));
    } finally {
      straight.learner?.dispose();
      resumed.learner?.dispose();
    }
  });

  it('rejects bad configs and mismatched datasets clearly', async () => {
    const ds = ruleDataset(50, 10);
    const fail = async (config: Record<string, unknown>) => (await trainOffline('bc', ds, config)).error;
    expect(await fail({ dropout: 1 })).toMatch(/BC config: dropout/);
    expect(await fail({ imbalance: 'smote' })).toMatch(/unknown imbalance 'smote'/);
    expect(await fail({ dropuot: 0.1 })).toMatch(/unknown bc config key 'dropuot'/);
    const other = await trainOffline('bc', ds, {}, { makeEnv: () => ({ ...datasetLike(5) }) });
    expect(other.error).toMatch(/has 4 observation columns, the env's observation has 5/);
  });
});

function datasetLike(obsDim: number) {
  const none = (): never => {
    throw new Error('not steppable');
  };
  return {
    observationSpace: { kind: 'box' as const, shape: [obsDim], low: -1, high: 1 },
    actionSpace: { kind: 'discrete' as const, n: 3 },
    reset: none,
    step: none,
  };
}
