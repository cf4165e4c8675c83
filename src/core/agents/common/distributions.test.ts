import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.ts';
import { Rng } from '../../rng.ts';
import {
  MASKED_LOGIT,
  actionsToOneHot,
  categoricalLogProbEntropy,
  clipToBounds,
  gaussianLogProbEntropy,
  headLogSoftmax,
  policyHeadFor,
  sampleCategorical,
  sampleGaussian,
  squashActions,
} from './distributions.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

/** Reference: log-softmax of one head restricted to allowed actions, float64. */
function refLogSoftmax(logits: number[], allowed: boolean[]): number[] {
  const max = Math.max(...logits.filter((_, i) => allowed[i]));
  const sum = logits.reduce((s, l, i) => s + (allowed[i] ? Math.exp(l - max) : 0), 0);
  return logits.map((l, i) => (allowed[i] ? l - max - Math.log(sum) : -Infinity));
}

describe('policyHeadFor', () => {
  it('maps Discrete, MultiDiscrete and Box spaces', () => {
    expect(policyHeadFor({ kind: 'discrete', n: 4 })).toEqual({ kind: 'categorical', nvec: [4] });
    expect(policyHeadFor({ kind: 'multi-discrete', nvec: [3, 3] })).toEqual({
      kind: 'categorical',
      nvec: [3, 3],
    });
    const g = policyHeadFor({ kind: 'box', shape: [2], low: -1, high: Float32Array.from([1, 2]) });
    expect(g.kind).toBe('gaussian');
    if (g.kind === 'gaussian') {
      expect(g.dim).toBe(2);
      expect(Array.from(g.low)).toEqual([-1, -1]);
      expect(Array.from(g.high)).toEqual([1, 2]);
    }
  });
});

describe('sampleCategorical (CPU side)', () => {
  const nvec = [3, 2];
  const logits = Float32Array.from([0.5, -1, 2, 0.3, 0.1]);

  it('log-prob is Σ over heads of log-softmax at the sampled actions', () => {
    const actions = new Int32Array(2);
    const logprobs = new Float32Array(1);
    const entropies = new Float32Array(1);
    sampleCategorical({
      logits,
      stride: 5,
      rows: 1,
      nvec,
      masks: null,
      rng: new Rng(3),
      deterministic: false,
      actions,
      logprobs,
      entropies,
    });
    const h0 = refLogSoftmax([0.5, -1, 2], [true, true, true]);
    const h1 = refLogSoftmax([0.3, 0.1], [true, true]);
    expect(logprobs[0]).toBeCloseTo(h0[actions[0]] + h1[actions[1]], 6);
    const ent = (h: number[]) => -h.reduce((s, l) => s + Math.exp(l) * l, 0);
    expect(entropies[0]).toBeCloseTo(ent(h0) + ent(h1), 6);
  });

  it('sampling frequencies follow the softmax probabilities', () => {
    const rows = 20000;
    const tiled = new Float32Array(rows * 5);
    for (let r = 0; r < rows; r++) tiled.set(logits, r * 5);
    const actions = new Int32Array(rows * 2);
    sampleCategorical({
      logits: tiled,
      stride: 5,
      rows,
      nvec,
      masks: null,
      rng: new Rng(11),
      deterministic: false,
      actions,
      logprobs: new Float32Array(rows),
    });
    const counts = [0, 0, 0];
    for (let r = 0; r < rows; r++) counts[actions[r * 2]]++;
    const p = refLogSoftmax([0.5, -1, 2], [true, true, true]).map(Math.exp);
    for (let j = 0; j < 3; j++) expect(Math.abs(counts[j] / rows - p[j])).toBeLessThan(0.015);
  });

  it('never samples a masked action, argmax respects the mask, entropy covers valid actions only', () => {
    const masks = Uint8Array.from([1, 1, 0, 0, 1]); // head 0: action 2 (the best logit) masked; head 1: only action 1
    const rows = 2000;
    const tiled = new Float32Array(rows * 5);
    const tiledMasks = new Uint8Array(rows * 5);
    for (let r = 0; r < rows; r++) {
      tiled.set(logits, r * 5);
      tiledMasks.set(masks, r * 5);
    }
    const actions = new Int32Array(rows * 2);
    const logprobs = new Float32Array(rows);
    const entropies = new Float32Array(rows);
    sampleCategorical({
      logits: tiled,
      stride: 5,
      rows,
      nvec,
      masks: tiledMasks,
      rng: new Rng(5),
      deterministic: false,
      actions,
      logprobs,
      entropies,
    });
    for (let r = 0; r < rows; r++) {
      expect(actions[r * 2]).not.toBe(2);
      expect(actions[r * 2 + 1]).toBe(1);
    }
    const h0 = refLogSoftmax([0.5, -1, 2], [true, true, false]);
    expect(entropies[0]).toBeCloseTo(-(Math.exp(h0[0]) * h0[0] + Math.exp(h0[1]) * h0[1]), 6);
    const det = new Int32Array(2);
    sampleCategorical({
      logits,
      stride: 5,
      rows: 1,
      nvec,
      masks,
      rng: new Rng(1),
      deterministic: true,
      actions: det,
      logprobs: new Float32Array(1),
    });
    expect(Array.from(det)).toEqual([0, 1]);
  });

  it('throws a clear error when a head has no allowed action', () => {
    expect(() =>
      sampleCategorical({
        logits,
        stride: 5,
        rows: 1,
        nvec,
        masks: Uint8Array.from([1, 1, 1, 0, 0]),
        rng: new Rng(1),
        deterministic: false,
        actions: new Int32Array(2),
        logprobs: new Float32Array(1),
      }),
    ).toThrow(/row 0, head 1 allows no action/);
  });

  it('reads rows at a stride (logits followed by the value column)', () => {
    const packed = Float32Array.from([0, 5, 99, 5, 0, -99]); // two rows of [2 logits, value]
    const actions = new Int32Array(2);
    sampleCategorical({
      logits: packed,
      stride: 3,
      rows: 2,
      nvec: [2],
      masks: null,
      rng: new Rng(1),
      deterministic: true,
      actions,
      logprobs: new Float32Array(2),
    });
    expect(Array.from(actions)).toEqual([1, 0]);
  });
});

describe('categoricalLogProbEntropy (tensor side)', () => {
  it('matches the CPU log-probs for equal-size heads, unequal heads and masks', () => {
    const rng = new Rng(9);
    for (const nvec of [[4], [3, 3, 3], [2, 4, 3]]) {
      for (const withMask of [false, true]) {
        const width = nvec.reduce((a, b) => a + b, 0);
        const rows = 16;
        const logits = new Float32Array(rows * width).map(() => rng.normal(0, 2));
        const masks = withMask ? new Uint8Array(rows * width).map(() => (rng.float() < 0.7 ? 1 : 0)) : null;
        if (masks) {
          // keep at least one allowed action per head
          for (let r = 0; r < rows; r++) {
            let s = 0;
            for (const n of nvec) {
              masks[r * width + s + rng.int(n)] = 1;
              s += n;
            }
          }
        }
        const actions = new Int32Array(rows * nvec.length);
        const logprobs = new Float32Array(rows);
        const entropies = new Float32Array(rows);
        sampleCategorical({
          logits,
          stride: width,
          rows,
          nvec,
          masks,
          rng,
          deterministic: false,
          actions,
          logprobs,
          entropies,
        });
        const oneHot = actionsToOneHot(actions, rows, nvec);
        const res = tf.tidy(() => {
          const maskT = masks ? tf.tensor2d(Float32Array.from(masks), [rows, width]) : null;
          const { logProb, entropy } = categoricalLogProbEntropy(
            tf.tensor2d(logits, [rows, width]),
            tf.tensor2d(oneHot, [rows, width]),
            nvec,
            maskT,
          );
          return tf.concat([logProb, entropy]);
        });
        const data = res.dataSync();
        res.dispose();
        for (let r = 0; r < rows; r++) {
          expect(data[r]).toBeCloseTo(logprobs[r], 4);
          expect(data[rows + r]).toBeCloseTo(entropies[r], 4);
        }
      }
    }
  });

  it('masked logits become −1e8 and get no gradient (MaskablePPO)', () => {
    const logits = tf.tensor2d([[1, 2, 3]]);
    const mask = tf.tensor2d([[1, 0, 1]]);
    const lsm = headLogSoftmax(logits, [3], mask);
    const v = lsm.dataSync();
    expect(v[1]).toBeLessThan(MASKED_LOGIT / 2);
    expect(Math.exp(v[0]) + Math.exp(v[2])).toBeCloseTo(1, 6);
    const g = tf.grad((l: tf.Tensor) =>
      categoricalLogProbEntropy(l as tf.Tensor2D, tf.tensor2d([[1, 0, 0]]), [3], mask).entropy.sum(),
    )(logits);
    expect(g.dataSync()[1]).toBe(0);
    tf.dispose([logits, mask, lsm, g]);
  });

  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    const l = tf.tensor2d([[1, 2, 3, 4]]);
    const oh = tf.tensor2d([[0, 1, 1, 0]]);
    const out = categoricalLogProbEntropy(l, oh, [2, 2]);
    tf.dispose([l, oh, out.logProb, out.entropy]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('diagonal Gaussian', () => {
  it('CPU sample log-prob equals the tensor log-prob; entropy is Σ (½ + ½ log 2π + log σ)', () => {
    const rows = 8;
    const dim = 3;
    const rng = new Rng(2);
    const means = new Float32Array(rows * dim).map(() => rng.normal());
    const logStd = Float32Array.from([-0.5, 0, 0.7]);
    const actions = new Float32Array(rows * dim);
    const logprobs = new Float32Array(rows);
    sampleGaussian({
      means,
      logStds: logStd,
      stride: dim,
      logStdStride: 0,
      rows,
      dim,
      rng,
      deterministic: false,
      actions,
      logprobs,
    });
    const out = tf.tidy(() => {
      const { logProb, entropy } = gaussianLogProbEntropy(
        tf.tensor2d(means, [rows, dim]),
        tf.tensor1d(logStd),
        tf.tensor2d(actions, [rows, dim]),
      );
      return tf.concat([logProb, entropy]);
    });
    const data = out.dataSync();
    out.dispose();
    const ent = Array.from(logStd).reduce((s, l) => s + 0.5 + 0.5 * Math.log(2 * Math.PI) + l, 0);
    for (let r = 0; r < rows; r++) {
      expect(data[r]).toBeCloseTo(logprobs[r], 4);
      expect(data[rows + r]).toBeCloseTo(ent, 5);
    }
  });

  it('deterministic returns the mean; standard normal log-density at 0 is −½ log 2π per dim', () => {
    const actions = new Float32Array(2);
    const logprobs = new Float32Array(1);
    sampleGaussian({
      means: [0.3, -0.2],
      logStds: [0, 0],
      stride: 2,
      logStdStride: 0,
      rows: 1,
      dim: 2,
      rng: new Rng(1),
      deterministic: true,
      actions,
      logprobs,
    });
    expect(Array.from(actions)).toEqual([Math.fround(0.3), Math.fround(-0.2)]);
    expect(logprobs[0]).toBeCloseTo(-Math.log(2 * Math.PI), 6);
  });

  it('reads per-row log σ from the packed row [mean, log σ, value]', () => {
    const packed = Float32Array.from([1, Math.log(2), 9, -1, 0, 9]);
    const actions = new Float32Array(2);
    const logprobs = new Float32Array(2);
    sampleGaussian({
      means: packed,
      logStds: packed,
      stride: 3,
      logStdOffset: 1,
      rows: 2,
      dim: 1,
      rng: new Rng(1),
      deterministic: true,
      actions,
      logprobs,
    });
    expect(Array.from(actions)).toEqual([1, -1]);
    expect(logprobs[0]).toBeCloseTo(-Math.log(2) - 0.5 * Math.log(2 * Math.PI), 6);
    expect(logprobs[1]).toBeCloseTo(-0.5 * Math.log(2 * Math.PI), 6);
  });

  it('squashActions: none clips, tanh maps into the bounds, softmax gives simplex weights', () => {
    const low = Float32Array.from([-1, 0]);
    const high = Float32Array.from([1, 2]);
    expect(Array.from(squashActions(Float32Array.from([5, -5]), 'none', low, high))).toEqual([1, 0]);
    const t = squashActions(Float32Array.from([0, 100]), 'tanh', low, high);
    expect(t[0]).toBeCloseTo(0, 6);
    expect(t[1]).toBeCloseTo(2, 6);
    const s = squashActions(Float32Array.from([0, Math.log(3)]), 'softmax', low, high);
    expect(s[0]).toBeCloseTo(0.25, 6);
    expect(s[1]).toBeCloseTo(0.75, 6);
  });

  it('clipToBounds clips per dimension', () => {
    const out = clipToBounds(
      Float32Array.from([-5, 5, 0.5, -0.5]),
      Float32Array.from([-1, 0]),
      Float32Array.from([1, 2]),
    );
    expect(Array.from(out)).toEqual([-1, 2, 0.5, 0]);
  });
});

describe('actionsToOneHot', () => {
  it('marks one entry per head', () => {
    expect(Array.from(actionsToOneHot(Int32Array.from([2, 0, 1, 1]), 2, [3, 2]))).toEqual([
      0, 0, 1, 1, 0, 0, 1, 0, 0, 1,
    ]);
  });
});
