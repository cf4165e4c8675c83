import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../rng.ts';
import { initBackend } from '../backend.ts';
import { ACTIVATIONS, Dense, dense, type ActivationName } from './dense.ts';
import { orthogonal } from './init.ts';

function randn(rows: number, cols: number, rng: Rng): tf.Tensor2D {
  const a = new Float32Array(rows * cols);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  return tf.tensor2d(a, [rows, cols]);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b)))).dataSync()[0];
}

/** Gradients of sum(y ⊙ r) w.r.t. [x, w, b] for one grad mode. */
function grads(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  b: tf.Tensor1D,
  r: tf.Tensor2D,
  act: ActivationName,
  mode: 'custom' | 'autodiff',
  skip = false,
) {
  const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
    tf.sum(
      tf.mul(
        dense(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D, {
          activation: act,
          gradMode: mode,
          skipInputGrad: skip,
        }),
        r,
      ),
    );
  return tf.grads(f)([x, w, b]);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`custom-gradient dense on ${backend}`, () => {
    beforeAll(async () => {
      const info = await initBackend(backend);
      expect(info.backend).toBe(backend);
    });

    for (const act of ACTIVATIONS) {
      it(`${act}: forward and gradients equal autodiff within 1e-5`, () => {
        const rng = new Rng(7);
        tf.tidy(() => {
          const x = randn(9, 13, rng);
          const w = tf.mul(randn(13, 5, rng), 0.3) as tf.Tensor2D;
          const b = tf.tensor1d([0.1, -0.2, 0.3, 0, 0.05]);
          const r = randn(9, 5, rng);
          const yc = dense(x, w, b, { activation: act });
          const ya = dense(x, w, b, { activation: act, gradMode: 'autodiff' });
          expect(maxAbsDiff(yc, ya)).toBeLessThan(1e-5);
          const gc = grads(x, w, b, r, act, 'custom');
          const ga = grads(x, w, b, r, act, 'autodiff');
          for (let i = 0; i < 3; i++) {
            expect(gc[i].shape).toEqual(ga[i].shape);
            expect(maxAbsDiff(gc[i], ga[i])).toBeLessThan(1e-5);
          }
        });
      });
    }

    it('skipInputGrad still gives exact weight gradients and no input gradient', () => {
      const rng = new Rng(3);
      tf.tidy(() => {
        const x = randn(6, 4, rng);
        const w = randn(4, 3, rng);
        const b = tf.zeros([3]) as tf.Tensor1D;
        const r = randn(6, 3, rng);
        const full = grads(x, w, b, r, 'relu', 'custom');
        const skipped = tf.grads((ww: tf.Tensor, bb: tf.Tensor) =>
          tf.sum(
            tf.mul(
              dense(x, ww as tf.Tensor2D, bb as tf.Tensor1D, { activation: 'relu', skipInputGrad: true }),
              r,
            ),
          ),
        )([w, b]);
        expect(maxAbsDiff(skipped[0], full[1])).toBe(0);
        expect(maxAbsDiff(skipped[1], full[2])).toBe(0);
        // The tape never connects x to the output, so asking for its gradient fails loudly.
        expect(() => grads(x, w, b, r, 'relu', 'custom', true)).toThrow(/Cannot compute gradient/);
      });
    });

    it('keeps tf.memory().numTensors flat over repeated forward + backward', () => {
      const layer = new Dense({ inputSize: 12, outputSize: 8, activation: 'tanh', seed: 1 });
      const x = tf.ones([5, 12]) as tf.Tensor2D;
      const step = () => {
        const { value, grads: g } = tf.variableGrads(() => tf.sum(layer.apply(x)) as tf.Scalar);
        value.dispose();
        tf.dispose(g);
      };
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) step();
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      layer.dispose();
    });
  });
}

describe('initialisers and shape checks', () => {
  it('orthogonal: columns (in ≥ out) or rows (in < out) are orthonormal × gain', () => {
    for (const [inS, outS] of [
      [10, 4],
      [4, 10],
      [6, 6],
    ]) {
      const w = orthogonal(inS, outS, 2, new Rng(1));
      const vecs = inS >= outS ? outS : inS;
      const len = inS >= outS ? inS : outS;
      const get = (v: number, k: number) => (inS >= outS ? w[k * outS + v] : w[v * outS + k]);
      for (let p = 0; p < vecs; p++) {
        for (let q = 0; q < vecs; q++) {
          let dot = 0;
          for (let k = 0; k < len; k++) dot += get(p, k) * get(q, k);
          expect(dot).toBeCloseTo(p === q ? 4 : 0, 4);
        }
      }
    }
  });

  it('same seed → identical weights, different seed → different', () => {
    const a = new Dense({ inputSize: 5, outputSize: 3, seed: 11 });
    const b = new Dense({ inputSize: 5, outputSize: 3, seed: 11 });
    const c = new Dense({ inputSize: 5, outputSize: 3, seed: 12 });
    expect(Array.from(a.kernel.dataSync())).toEqual(Array.from(b.kernel.dataSync()));
    expect(Array.from(a.kernel.dataSync())).not.toEqual(Array.from(c.kernel.dataSync()));
    [a, b, c].forEach((d) => d.dispose());
  });

  it('clear errors for bad config and bad input shapes', () => {
    expect(() => new Dense({ inputSize: 0, outputSize: 3, seed: 1 })).toThrow(
      /inputSize must be a positive integer/,
    );
    expect(
      () => new Dense({ inputSize: 2, outputSize: 3, seed: 1, activation: 'swish' as ActivationName }),
    ).toThrow(/unknown activation 'swish'/);
    const d = new Dense({ inputSize: 4, outputSize: 2, seed: 1 });
    expect(() => tf.tidy(() => d.apply(tf.ones([3, 5]) as tf.Tensor2D))).toThrow(
      /expected input width 4, got shape \[3, 5\]/,
    );
    expect(() => tf.tidy(() => d.apply(tf.ones([4]) as unknown as tf.Tensor2D))).toThrow(
      /expected a 2-D input/,
    );
    expect(d.paramCount).toBe(4 * 2 + 2);
    d.dispose();
  });
});
