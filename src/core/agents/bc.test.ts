import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './backend.ts';
import { Rng } from '../rng.ts';
import { BcAgent, bcSpecOf, classWeights, trainBc } from './bc.ts';
import { NonFiniteLossError } from './common/onPolicy.ts';
import { DatasetBuilder, type OfflineDataset } from './offline/dataset.ts';
import { WeightedSampler } from './offline/batches.ts';
import { fromFiles, toFiles } from './checkpoint.ts';

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

beforeAll(async () => {
  const info = await initBackend('cpu');
  expect(info.backend).toBe('cpu');
});

describe('BC', () => {
  it('imitates a deterministic rule policy with ≥ 95% validation accuracy, and learns the strength', async () => {
    const ds = ruleDataset(4000, 1);
    const metrics: Record<string, number>[] = [];
    const { agent, report } = await trainBc(
      ds,
      { epochs: 25, seed: 1 },
      { onMetrics: (_s, m) => metrics.push(m) },
    );
    try {
      expect(report.valRows).toBe(400);
      expect(report.final.accuracy).toBeGreaterThanOrEqual(0.95);
      expect(report.final.strengthMse).toBeLessThan(0.01);
      // The report carries a consistent confusion matrix and per-class precision/recall.
      const head = report.final.heads[0];
      expect(head.confusion.flat().reduce((a, b) => a + b, 0)).toBe(400);
      for (let c = 0; c < 3; c++) {
        expect(head.recall[c]).toBeGreaterThan(0.9);
        expect(head.precision[c]).toBeGreaterThan(0.9);
      }
      // Flat metric schema, one record per epoch.
      expect(metrics.length).toBe(report.epochsRun);
      for (const key of [
        'losses/bc_ce',
        'losses/bc_mse',
        'eval/val_loss',
        'eval/val_accuracy',
        'eval/val_recall_c1',
        'eval/val_precision_c2',
      ]) {
        expect(Number.isFinite(metrics[0][key]), key).toBe(true);
      }
      expect(metrics.at(-1)!['losses/bc_ce']).toBeLessThan(metrics[0]['losses/bc_ce']);
      // Greedy acting follows the rule; probabilities sum to one per row.
      const probe = Float32Array.from([0.9, 0, 0, 0, -0.9, 0, 0, 0, 0, 0, 0, 0]);
      const act = agent.act(probe);
      expect(Array.from(act.actions)).toEqual([BUY, SELL, HOLD]);
      expect(act.probs![0] + act.probs![1] + act.probs![2]).toBeCloseTo(1, 5);
      expect(act.strength![0]).toBeGreaterThan(0.75);
      expect(act.strength![2]).toBeLessThan(0.15);
      console.log(
        `[bc] rule: val acc ${report.final.accuracy.toFixed(4)}, strength mse ${report.final.strengthMse.toExponential(2)}, ` +
          `${report.epochsRun} epochs, ${report.steps} steps, ${report.seconds.toFixed(1)} s on ${report.backend}`,
      );
    } finally {
      agent.dispose();
    }
  }, 120_000);

  it('imitates a factorized per-asset rule (MultiDiscrete, 3 heads)', async () => {
    const ds = ruleDataset(4000, 2, { heads: 3 });
    const { agent, report } = await trainBc(ds, { epochs: 30, seed: 2 });
    try {
      expect(report.final.heads).toHaveLength(3);
      expect(report.final.accuracy).toBeGreaterThanOrEqual(0.95);
      expect(report.final.exactMatch).toBeGreaterThanOrEqual(0.85);
      const act = agent.act(Float32Array.from([0.9, -0.9, 0, 0]));
      expect(Array.from(act.actions)).toEqual([BUY, SELL, HOLD]);
      console.log(
        `[bc] 3-head rule: per-head acc ${report.final.accuracy.toFixed(4)}, exact ${report.final.exactMatch.toFixed(4)}, ${report.seconds.toFixed(1)} s`,
      );
    } finally {
      agent.dispose();
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
    // HOLD nearly always (minority recall ≈ 0 for seeds 1–5 on wasm; focal 0.17–0.53 there).
    const ds = ruleDataset(3000, 4, { threshold: 0.85 });
    const base = { epochs: 8, seed: 4, patience: 0, hidden: [64, 64], batchSize: 128 };
    const minorityRecall = async (imbalance: 'none' | 'class-weights' | 'oversample' | 'focal') => {
      const { agent, report } = await trainBc(ds, { ...base, imbalance, beta: 0 });
      agent.dispose();
      const h = report.final.heads[0];
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
    const { agent, report } = await trainBc(ds, {
      epochs: 60,
      patience: 3,
      seed: 5,
      hidden: [128, 128],
      batchSize: 64,
      valFraction: 0.3,
    });
    try {
      expect(report.stoppedEarly).toBe(true);
      expect(report.epochsRun).toBeLessThan(60);
      expect(report.epochsRun).toBe(report.bestEpoch + 3);
      expect(report.final.loss).toBeCloseTo(report.bestValLoss, 5);
    } finally {
      agent.dispose();
    }
  }, 60_000);

  it('is deterministic: same seed and config → identical metrics', async () => {
    const ds = ruleDataset(800, 6);
    const run = async () => {
      const out: Record<string, number>[] = [];
      const { agent } = await trainBc(
        ds,
        { epochs: 3, seed: 9, dropout: 0.1, imbalance: 'oversample' },
        { onMetrics: (step, m) => out.push({ step, ...m, 'perf/samples_per_s': 0 }) },
      );
      agent.dispose();
      return out;
    };
    const a = await run();
    const b = await run();
    expect(b).toEqual(a);
    const c = await (async () => {
      const { agent, report } = await trainBc(ds, {
        epochs: 3,
        seed: 10,
        dropout: 0.1,
        imbalance: 'oversample',
      });
      agent.dispose();
      return report.history.map((h) => h.trainLoss);
    })();
    expect(c).not.toEqual(a.map((m) => m['losses/bc_total']));
  });

  it('keeps tf.memory().numTensors flat after a burn-in epoch (fit, act, evaluate)', async () => {
    const ds = ruleDataset(300, 7);
    const agent = new BcAgent(bcSpecOf(ds), {
      epochs: 1,
      seed: 7,
      dropout: 0.2,
      imbalance: 'class-weights',
      batchSize: 64,
    });
    try {
      await agent.fit(ds);
      agent.act(ds.obs.subarray(0, 8));
      const before = tf.memory().numTensors;
      await agent.fit(ds);
      agent.act(ds.obs.subarray(0, 8));
      agent.evaluate(ds);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      agent.dispose();
    }
    const n0 = tf.memory().numTensors;
    new BcAgent(bcSpecOf(ds), { seed: 1 }).dispose();
    expect(tf.memory().numTensors).toBe(n0);
  });

  it('stops on a non-finite loss with a clear message and keeps the last good weights', async () => {
    const ds = ruleDataset(300, 8);
    const agent = new BcAgent(bcSpecOf(ds), { epochs: 2, seed: 8, valFraction: 0 });
    try {
      await agent.fit(ds);
      const good = agent.net.mlp.getWeights();
      // An absurd learning rate throws the weights to ~1e37 in one Adam step; the next forward overflows.
      const wild = new BcAgent(bcSpecOf(ds), { epochs: 3, seed: 8, valFraction: 0, learningRate: 1e37 });
      wild.net.mlp.setWeights(good);
      try {
        await expect(wild.fit(ds)).rejects.toThrow(NonFiniteLossError);
        expect(wild.net.mlp.getWeights().every((w) => w.every(Number.isFinite))).toBe(true);
        wild.net.mlp.setWeights(good);
        await expect(wild.fit(ds)).rejects.toThrow(
          /BC: non-finite loss at step \d+ .*last good weights kept/,
        );
      } finally {
        wild.dispose();
      }
    } finally {
      agent.dispose();
    }
  });

  it('saves a checkpoint (model.json + weights.bin, Adam moments included) and resumes identically', async () => {
    const ds = ruleDataset(500, 9);
    const cfg = { epochs: 2, seed: 11, normalizeObs: true, dropout: 0.1 };
    // Reference: 4 epochs straight through (fit twice on one agent).
    const straight = new BcAgent(bcSpecOf(ds), cfg);
    await straight.fit(ds);
    const files = toFiles(await straight.saveCheckpoint());
    const second = await straight.fit(ds);
    const resumed = await BcAgent.loadCheckpoint(fromFiles(files.json, files.weights));
    try {
      expect(resumed.globalStep).toBe(4);
      expect(resumed.config).toEqual(straight.config);
      const again = await resumed.fit(ds);
      expect(again.history.map((h) => h.trainLoss)).toEqual(second.history.map((h) => h.trainLoss));
      const x = ds.obs.subarray(0, 40);
      expect(Array.from(resumed.act(x).probs!)).toEqual(Array.from(straight.act(x).probs!));
    } finally {
      straight.dispose();
      resumed.dispose();
    }
  });

  it('rejects bad configs and mismatched datasets clearly', async () => {
    const ds = ruleDataset(50, 10);
    expect(() => new BcAgent(bcSpecOf(ds), { dropout: 1 })).toThrow(/BC config: dropout/);
    expect(() => new BcAgent(bcSpecOf(ds), { imbalance: 'smote' as never })).toThrow(
      /unknown imbalance 'smote'/,
    );
    const agent = new BcAgent({ obsDim: 5, actionSpace: { kind: 'discrete', n: 3 }, strength: false });
    await expect(agent.fit(ds)).rejects.toThrow(/obsDim 4, the agent was built for 5/);
    agent.dispose();
  });
});
