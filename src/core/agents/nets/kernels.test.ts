import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { fusedConv2dValid, fusedMatMul2d, matMulAT, matMulBT, sumRows } from './kernels.ts';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b)))).dataSync()[0];
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`kernels on ${backend}`, () => {
    beforeAll(async () => {
      expect((await initBackend(backend)).backend).toBe(backend);
    });

    it('sumRows equals tf.sum(x, 0) for tall, odd and small shapes', () => {
      tf.tidy(() => {
        for (const n of [1, 7, 256, 257, 1000, 12800]) {
          const x = tf.randomNormal([n, 5], 0, 1, 'float32', n) as tf.Tensor2D;
          expect(maxAbsDiff(sumRows(x), tf.sum(x, 0))).toBeLessThan(1e-3);
        }
      });
    });

    it('matMulAT / matMulBT equal the transpose-flag matMuls (2-D and batched)', () => {
      tf.tidy(() => {
        const a = tf.randomNormal([6, 4], 0, 1, 'float32', 1) as tf.Tensor2D;
        const b = tf.randomNormal([6, 3], 0, 1, 'float32', 2) as tf.Tensor2D;
        const c = tf.randomNormal([5, 4], 0, 1, 'float32', 3) as tf.Tensor2D;
        expect(maxAbsDiff(matMulAT(a, b), tf.matMul(tf.transpose(a), b))).toBeLessThan(1e-5);
        expect(maxAbsDiff(matMulBT(a, c), tf.matMul(a, tf.transpose(c)))).toBeLessThan(1e-5);
        const a3 = tf.randomNormal([2, 6, 4], 0, 1, 'float32', 4) as tf.Tensor3D;
        const b3 = tf.randomNormal([2, 6, 3], 0, 1, 'float32', 5) as tf.Tensor3D;
        expect(maxAbsDiff(matMulAT(a3, b3), tf.matMul(tf.transpose(a3, [0, 2, 1]), b3))).toBeLessThan(1e-5);
      });
    });

    it('fused kernels equal the unfused ops', () => {
      tf.tidy(() => {
        const x = tf.randomNormal([5, 4], 0, 1, 'float32', 6) as tf.Tensor2D;
        const w = tf.randomNormal([4, 3], 0, 1, 'float32', 7) as tf.Tensor2D;
        const b = tf.tensor1d([0.5, -1, 0]);
        expect(maxAbsDiff(fusedMatMul2d(x, w, b, 'relu'), tf.relu(tf.add(tf.matMul(x, w), b)))).toBeLessThan(
          1e-5,
        );
        const x4 = tf.randomNormal([2, 1, 7, 3], 0, 1, 'float32', 8) as tf.Tensor4D;
        const f4 = tf.randomNormal([1, 3, 3, 4], 0, 1, 'float32', 9) as tf.Tensor4D;
        const b4 = tf.tensor1d([0.1, 0.2, -0.3, 0]);
        expect(
          maxAbsDiff(
            fusedConv2dValid(x4, f4, b4, 'relu'),
            tf.relu(tf.add(tf.conv2d(x4, f4, 1, 'valid'), b4)),
          ),
        ).toBeLessThan(1e-5);
      });
    });
  });
}
