import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { TemporalConv, temporalConv, timeLast, timeMeanPool } from './conv.ts';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b)))).dataSync()[0];
}

/** Reference: tf.conv1d on the batch-major view, + bias, + activation. */
function reference(
  x3: tf.Tensor3D,
  filter: tf.Tensor3D,
  bias: tf.Tensor1D,
  act: 'relu' | 'tanh' | 'linear',
): tf.Tensor3D {
  const z = tf.add(tf.conv1d(x3, filter, 1, 'valid'), bias) as tf.Tensor3D;
  return act === 'relu' ? tf.relu(z) : act === 'tanh' ? tf.tanh(z) : z;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`temporal conv on ${backend}`, () => {
    beforeAll(async () => {
      expect((await initBackend(backend)).backend).toBe(backend);
    });

    for (const act of ['relu', 'tanh', 'linear'] as const) {
      it(`${act}: forward equals tf.conv1d and pooled forward`, () => {
        tf.tidy(() => {
          const x3 = tf.randomNormal([4, 9, 3], 0, 1, 'float32', 2) as tf.Tensor3D;
          const filter = tf.randomNormal([3, 3, 5], 0, 0.5, 'float32', 3) as tf.Tensor3D;
          const bias = tf.tensor1d([0.1, -0.1, 0.2, 0, 0.3]);
          const y = temporalConv(x3, filter, bias, { activation: act });
          const ref = reference(x3, filter, bias, act);
          expect(y.shape).toEqual([4, 7, 5]);
          expect(maxAbsDiff(y, ref)).toBeLessThan(1e-5);
          expect(maxAbsDiff(timeMeanPool(y), tf.mean(ref, 1))).toBeLessThan(1e-5);
          expect(maxAbsDiff(timeLast(y), tf.squeeze(tf.slice(ref, [0, 6, 0], [4, 1, 5]), [1]))).toBeLessThan(
            1e-5,
          );
        });
      });
    }
  });
}

describe('temporal conv gradients (cpu, against tf.conv1d autodiff; wasm cannot backprop tf.conv1d)', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  for (const act of ['relu', 'tanh', 'linear'] as const) {
    it(`${act}: d/dx, d/dfilter, d/dbias within 1e-5, through mean pooling`, () => {
      tf.tidy(() => {
        const x3 = tf.randomNormal([4, 8, 3], 0, 1, 'float32', 4) as tf.Tensor3D;
        const filter = tf.randomNormal([2, 3, 6], 0, 0.5, 'float32', 5) as tf.Tensor3D;
        const bias = tf.randomNormal([6], 0, 0.1, 'float32', 6) as tf.Tensor1D;
        const r = tf.randomNormal([4, 6], 0, 1, 'float32', 7);
        const ours = tf.grads((x: tf.Tensor, f: tf.Tensor, b: tf.Tensor) =>
          tf.sum(
            tf.mul(
              timeMeanPool(
                temporalConv(x as tf.Tensor3D, f as tf.Tensor3D, b as tf.Tensor1D, { activation: act }),
              ),
              r,
            ),
          ),
        )([x3, filter, bias]);
        const ref = tf.grads((x: tf.Tensor, f: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.mean(reference(x as tf.Tensor3D, f as tf.Tensor3D, b as tf.Tensor1D, act), 1), r)),
        )([x3, filter, bias]);
        for (let i = 0; i < 3; i++) expect(maxAbsDiff(ours[i], ref[i])).toBeLessThan(1e-5);
      });
    });
  }

  it('TemporalConv layer: shapes, params, clear errors, memory flat', () => {
    const conv = new TemporalConv({
      inChannels: 3,
      outChannels: 4,
      kernelSize: 3,
      activation: 'relu',
      seed: 1,
    });
    expect(conv.paramCount).toBe(3 * 3 * 4 + 4);
    const x = tf.ones([2, 10, 3]) as tf.Tensor3D;
    const y = tf.tidy(() => conv.apply(x));
    expect(y.shape).toEqual([2, 8, 4]);
    y.dispose();
    expect(() => tf.tidy(() => conv.apply(tf.ones([2, 10, 4]) as tf.Tensor3D))).toThrow(
      /expected \[M, T, 3\]/,
    );
    expect(() => tf.tidy(() => conv.apply(tf.ones([2, 2, 3]) as tf.Tensor3D))).toThrow(
      /kernel 3 is longer than the sequence \(T=2\)/,
    );
    const step = () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.sum(conv.apply(x)) as tf.Scalar, conv.variables());
        return [value, ...Object.values(grads)];
      });
    tf.dispose(step());
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(step());
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    conv.dispose();
  });
});
