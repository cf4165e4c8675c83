import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { batchMatMul } from './attention.ts';
import { matMulAT, matMulBT } from './kernels.ts';
import { checkWasmBatchMatMul, LAB_BATCH_MATMUL, matMul3d, wasmBatchMatMulReady } from './wasmBatchMatMul.ts';

/** op(A)·op(B) in float64, with Σ|a·b| per output (the scale of f32 rounding in the sum). */
function reference(
  a: Float32Array,
  b: Float32Array,
  dims: { batchA: number; batchB: number; m: number; k: number; n: number },
  transposeA: boolean,
  transposeB: boolean,
): { c: Float64Array; scale: Float64Array } {
  const { batchA, batchB, m, k, n } = dims;
  const batch = Math.max(batchA, batchB);
  const c = new Float64Array(batch * m * n);
  const scale = new Float64Array(batch * m * n);
  for (let q = 0; q < batch; q++) {
    const ao = (batchA === 1 ? 0 : q) * m * k;
    const bo = (batchB === 1 ? 0 : q) * k * n;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        let abs = 0;
        for (let p = 0; p < k; p++) {
          const x = a[ao + (transposeA ? p * m + i : i * k + p)];
          const y = b[bo + (transposeB ? j * k + p : p * n + j)];
          s += x * y;
          abs += Math.abs(x * y);
        }
        c[(q * m + i) * n + j] = s;
        scale[(q * m + i) * n + j] = abs;
      }
  }
  return { c, scale };
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b)))).dataSync()[0];
}

/** Before this kernel: tf.matMul forward, gradients through explicit-transpose matMuls. */
function batchMatMulBefore(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    (args[2] as tf.GradSaveFunc)([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sa, sb] = saved as tf.Tensor3D[];
        return [matMulBT(dy as tf.Tensor3D, sb), matMulAT(sa, dy as tf.Tensor3D)];
      },
    };
  });
  return op(a, b) as tf.Tensor3D;
}

describe('LabBatchMatMul (wasm SIMD kernel)', () => {
  beforeAll(async () => {
    expect((await initBackend('wasm')).backend).toBe('wasm');
  });

  it('loads on the wasm backend (else every caller silently takes the slow path)', () => {
    expect(wasmBatchMatMulReady()).toBe(true);
    // The bench page's in-browser check agrees with tfjs's own kernel here too.
    expect(checkWasmBatchMatMul()).toBeLessThan(1e-4);
  });

  it('equals a float64 reference for random shapes, transposes, broadcasts and values (≤ 1e-5 relative)', () => {
    const before = tf.memory().numTensors;
    const dataIds = tf.backend().numDataIds();
    fc.assert(
      fc.property(
        fc.record({
          batch: fc.integer({ min: 1, max: 4 }),
          // 0 = same batch, 1 = A broadcast, 2 = B broadcast
          broadcast: fc.integer({ min: 0, max: 2 }),
          m: fc.integer({ min: 0, max: 19 }),
          k: fc.integer({ min: 0, max: 37 }),
          n: fc.integer({ min: 0, max: 37 }),
          transposeA: fc.boolean(),
          transposeB: fc.boolean(),
          seed: fc.integer({ min: 0, max: 1e6 }),
        }),
        ({ batch, broadcast, m, k, n, transposeA, transposeB, seed }) => {
          const batchA = broadcast === 1 ? 1 : batch;
          const batchB = broadcast === 2 ? 1 : batch;
          const a = tf.randomNormal(transposeA ? [batchA, k, m] : [batchA, m, k], 0, 1, 'float32', seed);
          const b = tf.randomNormal(transposeB ? [batchB, n, k] : [batchB, k, n], 0, 1, 'float32', seed + 1);
          const c = matMul3d(a as tf.Tensor3D, b as tf.Tensor3D, transposeA, transposeB);
          expect(c.shape).toEqual([batch, m, n]);
          const got = c.dataSync();
          const want = reference(
            a.dataSync() as Float32Array,
            b.dataSync() as Float32Array,
            { batchA, batchB, m, k, n },
            transposeA,
            transposeB,
          );
          tf.dispose([a, b, c]);
          for (let i = 0; i < got.length; i++)
            expect(Math.abs(got[i] - want.c[i])).toBeLessThanOrEqual(1e-5 * want.scale[i] + 1e-30);
        },
      ),
      { numRuns: 150, seed: 7 },
    );
    // Nothing leaks: no tensors, and no backend buffers (the Aᵀ·Bᵀ path's scratch copy of B).
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.backend().numDataIds()).toBe(dataIds);
  });

  it('handles the attention sizes, including ones that leave a 4-wide and a scalar tail', () => {
    for (const [m, k, n] of [
      [16, 64, 16],
      [16, 16, 64],
      [5, 9, 23],
    ]) {
      tf.tidy(() => {
        const a = tf.randomNormal([40, m, k], 0, 1, 'float32', 1) as tf.Tensor3D;
        const b = tf.randomNormal([40, k, n], 0, 1, 'float32', 2) as tf.Tensor3D;
        const bt = tf.transpose(b, [0, 2, 1]) as tf.Tensor3D;
        const want = tf.matMul(a, b);
        expect(maxAbsDiff(matMul3d(a, b), want)).toBeLessThan(1e-4);
        expect(maxAbsDiff(matMul3d(a, bt, false, true), want)).toBeLessThan(1e-4);
      });
    }
  });

  it('refuses what it cannot do, naming the shapes', () => {
    tf.tidy(() => {
      const run = (a: tf.Tensor, b: tf.Tensor, transposeB = false) =>
        tf
          .engine()
          .runKernel(
            LAB_BATCH_MATMUL,
            { a, b } as tf.NamedTensorMap,
            { transposeA: false, transposeB } as unknown as tf.NamedAttrMap,
          );
      expect(() => run(tf.zeros([2, 3, 4]), tf.zeros([2, 5, 6]))).toThrow(/\[2, 3, 4\].*inner sizes 4 and 5/);
      expect(() => run(tf.zeros([2, 1, 3, 4]), tf.zeros([1, 3, 4, 5]))).toThrow(/broadcast here only/);
      expect(() => run(tf.zeros([2, 3, 4], 'int32'), tf.zeros([2, 4, 5], 'int32'))).toThrow(/float32 only/);
    });
  });

  for (const transposeB of [false, true]) {
    it(`batchMatMul${transposeB ? ' (b transposed)' : ''}: gradients equal tf autodiff and the previous formulation`, () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const a = tf.randomNormal([6, 16, 12], 0, 1, 'float32', 3) as tf.Tensor3D;
        const b = tf.randomNormal(transposeB ? [6, 20, 12] : [6, 12, 20], 0, 1, 'float32', 4) as tf.Tensor3D;
        const r = tf.randomNormal([6, 16, 20], 0, 1, 'float32', 5);
        const loss = (f: (x: tf.Tensor3D, y: tf.Tensor3D) => tf.Tensor) =>
          tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x as tf.Tensor3D, y as tf.Tensor3D), r)))([
            a,
            b,
          ]);
        const now = loss((x, y) => batchMatMul(x, y, transposeB));
        const autodiff = loss((x, y) => tf.matMul(x, y, false, transposeB));
        const previous = loss((x, y) =>
          batchMatMulBefore(x, transposeB ? (tf.transpose(y, [0, 2, 1]) as tf.Tensor3D) : y),
        );
        for (const i of [0, 1]) {
          expect(maxAbsDiff(now[i], autodiff[i])).toBeLessThan(1e-4);
          expect(maxAbsDiff(now[i], previous[i])).toBeLessThan(1e-4);
        }
      });
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('matMul3d on cpu (tf.matMul with transpose flags)', () => {
  beforeAll(async () => {
    expect((await initBackend('cpu')).backend).toBe('cpu');
  });
  it('is not the wasm kernel and gives the same products', () => {
    expect(wasmBatchMatMulReady()).toBe(false);
    expect(checkWasmBatchMatMul()).toBeNaN();
    tf.tidy(() => {
      const a = tf.randomNormal([3, 4, 5], 0, 1, 'float32', 1) as tf.Tensor3D;
      const b = tf.randomNormal([3, 6, 5], 0, 1, 'float32', 2) as tf.Tensor3D;
      expect(maxAbsDiff(matMul3d(a, b, false, true), tf.matMul(a, tf.transpose(b, [0, 2, 1])))).toBeLessThan(
        1e-5,
      );
    });
  });
});
