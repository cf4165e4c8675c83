import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../rng.ts';
import { initBackend } from '../backend.ts';
import { conv2dSame, inceptionApply, initInception, meanBias, mergeInception } from './inception.ts';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b)))).dataSync()[0];
}

/** The library's block literally: one tf.conv2d 'same' per branch, outputs averaged. */
function referenceInception(x: tf.Tensor4D, filters: tf.Tensor4D[], biases: tf.Tensor1D[]): tf.Tensor4D {
  const outs = filters.map((f, i) => tf.add(tf.conv2d(x, f, 1, 'same'), biases[i]));
  return tf.div(tf.addN(outs), filters.length) as tf.Tensor4D;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`Inception_Block_V1 on ${backend}`, () => {
    beforeAll(async () => {
      expect((await initBackend(backend)).backend).toBe(backend);
    });

    it('merged kernel (cropped to the grid) equals the mean of the separate same-padded convs', () => {
      for (const [H, W] of [
        [8, 24],
        [2, 48],
        [24, 4],
        [1, 1],
      ]) {
        tf.tidy(() => {
          const { filters, biases } = initInception(3, 4, 6, new Rng(1));
          // Non-zero biases so a bias bug shows.
          biases.forEach((b, i) => b.assign(tf.fill([4], 0.1 * (i + 1)) as tf.Tensor1D));
          const x = tf.randomNormal([2, H, W, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
          const got = inceptionApply(x, mergeInception(filters), meanBias(biases));
          const want = referenceInception(x, filters, biases);
          expect(got.shape).toEqual([2, H, W, 4]);
          expect(maxAbsDiff(got, want)).toBeLessThan(1e-4);
          filters.forEach((f) => f.dispose());
          biases.forEach((b) => b.dispose());
        });
      }
    });
  });
}

describe('conv2dSame gradients (cpu, against tf.conv2d autodiff; wasm has no Conv2DBackpropFilter)', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  for (const [kh, kw] of [
    [3, 3],
    [5, 1],
    [1, 3],
  ]) {
    it(`${kh}×${kw}: d/dx, d/dfilter, d/dbias within 1e-4`, () => {
      tf.tidy(() => {
        const x = tf.randomNormal([3, 5, 4, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
        const f = tf.randomNormal([kh, kw, 2, 3], 0, 0.5, 'float32', 2) as tf.Tensor4D;
        const b = tf.randomNormal([3], 0, 0.1, 'float32', 3) as tf.Tensor1D;
        const r = tf.randomNormal([3, 5, 4, 3], 0, 1, 'float32', 4);
        const ours = tf.grads((a: tf.Tensor, w: tf.Tensor, c: tf.Tensor) =>
          tf.sum(tf.mul(tf.tanh(conv2dSame(a as tf.Tensor4D, w as tf.Tensor4D, c as tf.Tensor1D)), r)),
        )([x, f, b]);
        const ref = tf.grads((a: tf.Tensor, w: tf.Tensor, c: tf.Tensor) =>
          tf.sum(tf.mul(tf.tanh(tf.add(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), c)), r)),
        )([x, f, b]);
        for (let i = 0; i < 3; i++) expect(maxAbsDiff(ours[i], ref[i])).toBeLessThan(1e-4);
      });
    });
  }

  it('gradients reach every branch filter through the merged kernel (centre crop of dK, ÷ K)', () => {
    tf.tidy(() => {
      const { filters, biases } = initInception(2, 2, 3, new Rng(2));
      const x = tf.randomNormal([2, 6, 5, 2], 0, 1, 'float32', 5) as tf.Tensor4D;
      const r = tf.randomNormal([2, 6, 5, 2], 0, 1, 'float32', 6);
      const vars = [...filters, ...biases];
      const loss = (merged: boolean) => () =>
        tf.sum(
          tf.mul(
            merged
              ? inceptionApply(x, mergeInception(filters), meanBias(biases))
              : referenceInception(x, filters, biases),
            r,
          ),
        ) as tf.Scalar;
      const ours = tf.variableGrads(loss(true), vars).grads;
      const ref = tf.variableGrads(loss(false), vars).grads;
      for (const v of vars) expect(maxAbsDiff(ours[v.name], ref[v.name])).toBeLessThan(1e-4);
      vars.forEach((v) => v.dispose());
    });
  });

  it('rejects even kernels and channel mismatches', () => {
    tf.tidy(() => {
      expect(() => conv2dSame(tf.zeros([1, 3, 3, 2]), tf.zeros([2, 3, 2, 1]), null)).toThrow(/odd/);
      expect(() => conv2dSame(tf.zeros([1, 3, 3, 2]), tf.zeros([3, 3, 4, 1]), null)).toThrow(
        /\[N, H, W, 4\]/,
      );
    });
  });
});

describe('conv2dSame gradients on wasm equal tf.conv2d autodiff on cpu', () => {
  it('same inputs, both backends, within 1e-4', async () => {
    const rng = new Rng(9);
    const rand = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
    const [xs, fs, bs, rs] = [rand(2 * 6 * 3 * 4), rand(5 * 3 * 4 * 3), rand(3), rand(2 * 6 * 3 * 3)];
    const run = (ours: boolean) =>
      tf.tidy(() => {
        const x = tf.tensor4d(xs, [2, 6, 3, 4]);
        const f = tf.tensor4d(fs, [5, 3, 4, 3]);
        const b = tf.tensor1d(bs);
        const r = tf.tensor4d(rs, [2, 6, 3, 3]);
        const g = tf.grads((a: tf.Tensor, w: tf.Tensor, c: tf.Tensor) => {
          const y = ours
            ? conv2dSame(a as tf.Tensor4D, w as tf.Tensor4D, c as tf.Tensor1D)
            : tf.add(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), c);
          return tf.sum(tf.mul(tf.square(y), r));
        })([x, f, b]);
        return g.map((t) => Array.from(t.dataSync()));
      });
    await initBackend('cpu');
    const want = run(false);
    expect((await initBackend('wasm')).backend).toBe('wasm');
    const got = run(true);
    got.forEach((g, i) => g.forEach((v, j) => expect(Math.abs(v - want[i][j])).toBeLessThan(1e-3)));
  });
});
