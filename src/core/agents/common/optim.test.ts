import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.ts';
import { clipByGlobalNorm, getLearningRate, globalNorm, makeOptimizer, setLearningRate } from './optim.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('clipByGlobalNorm (torch clip_grad_norm_)', () => {
  it('scales every gradient by maxNorm / ‖g‖ when the global norm exceeds it', () => {
    const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor2d([[0, 4]]) }; // ‖g‖ = 5
    const { grads: out, norm } = clipByGlobalNorm(grads, 1);
    expect(norm.dataSync()[0]).toBeCloseTo(5, 6);
    expect(Array.from(out.a.dataSync())).toEqual([expect.closeTo(0.6, 5), 0]);
    expect(Array.from(out.b.dataSync())).toEqual([0, expect.closeTo(0.8, 5)]);
    const n2 = globalNorm(out);
    expect(n2.dataSync()[0]).toBeCloseTo(1, 4);
    tf.dispose([grads.a, grads.b, out.a, out.b, norm, n2]);
  });

  it('leaves gradients below the threshold unchanged, and clipping ≤ 0 disables it', () => {
    const grads = { a: tf.tensor1d([0.3, 0.4]) };
    for (const max of [1, 0]) {
      const { grads: out, norm } = clipByGlobalNorm(grads, max);
      expect(Array.from(out.a.dataSync())).toEqual(Array.from(grads.a.dataSync()));
      tf.dispose([out.a, norm]);
    }
    const big = { a: tf.tensor1d([30, 40]) };
    const { grads: out, norm } = clipByGlobalNorm(big, 0);
    expect(Array.from(out.a.dataSync())).toEqual([30, 40]);
    tf.dispose([grads.a, big.a, out.a, norm]);
  });
});

describe('makeOptimizer / setLearningRate', () => {
  it('builds Adam, RMSprop and SGD whose learning rate can be changed in place', () => {
    for (const name of ['adam', 'rmsprop', 'sgd'] as const) {
      const opt = makeOptimizer({ name, learningRate: 0.1 });
      expect(getLearningRate(opt)).toBe(0.1);
      setLearningRate(opt, 0.05);
      expect(getLearningRate(opt)).toBe(0.05);
      opt.dispose();
    }
  });

  it('a changed learning rate takes effect on the next step (SGD: w ← w − lr·g)', () => {
    const w = tf.variable(tf.scalar(1));
    const opt = makeOptimizer({ name: 'sgd', learningRate: 0.5 });
    setLearningRate(opt, 0.25);
    opt.minimize(() => tf.mul(w, 2) as tf.Scalar, false, [w]); // dL/dw = 2
    expect(w.dataSync()[0]).toBeCloseTo(0.5, 6);
    w.dispose();
    opt.dispose();
  });

  it('RMSprop takes the torch epsilon: its denominator floor is ε_torch (tf adds ε inside the root, so ε² is passed)', () => {
    const opt = makeOptimizer({ name: 'rmsprop', learningRate: 1, eps: 1e-5, rmsDecay: 0.99 });
    expect((opt as unknown as { epsilon: number }).epsilon).toBeCloseTo(1e-10, 20);
    expect((opt as unknown as { decay: number }).decay).toBe(0.99);
    opt.dispose();
  });

  it('rejects unknown optimizers and bad learning rates', () => {
    expect(() => makeOptimizer({ name: 'adagrad' as 'adam', learningRate: 1 })).toThrow(
      /unknown optimizer 'adagrad'/,
    );
    expect(() => makeOptimizer({ name: 'adam', learningRate: NaN })).toThrow(/learning rate/);
  });
});
