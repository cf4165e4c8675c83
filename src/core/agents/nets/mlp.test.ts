import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { MLP } from './mlp.ts';

function trainStep(net: MLP, opt: tf.Optimizer, x: tf.Tensor2D, y: tf.Tensor2D): number {
  const loss = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(
      () => tf.losses.meanSquaredError(y, net.apply(x)) as tf.Scalar,
      net.variables(),
    );
    opt.applyGradients(grads);
    return value;
  });
  const v = loss.dataSync()[0];
  loss.dispose();
  return v;
}

describe('MLP', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('has the expected shapes, parameter count and stable names', () => {
    const net = new MLP({ inputSize: 10, hidden: [8, 6], outputSize: 3, seed: 1 });
    expect(net.paramCount).toBe(10 * 8 + 8 + 8 * 6 + 6 + 6 * 3 + 3);
    expect(net.namedVariables().map((n) => n.name)).toEqual([
      'l0/kernel',
      'l0/bias',
      'l1/kernel',
      'l1/bias',
      'l2/kernel',
      'l2/bias',
    ]);
    const y = tf.tidy(() => net.apply(tf.ones([4, 10])));
    expect(y.shape).toEqual([4, 3]);
    y.dispose();
    net.dispose();
  });

  it('clear errors at construction and apply', () => {
    expect(() => new MLP({ inputSize: 4, hidden: [8, -1], outputSize: 2, seed: 1 })).toThrow(
      /hidden\[1\] must be a positive integer, got -1/,
    );
    expect(() => new MLP({ inputSize: 4, hidden: [], outputSize: 2.5, seed: 1 })).toThrow(
      /outputSize must be a positive integer/,
    );
    const net = new MLP({ inputSize: 4, hidden: [3], outputSize: 2, seed: 1 });
    expect(() => tf.tidy(() => net.apply(tf.ones([2, 5]) as tf.Tensor2D))).toThrow(
      /MLP.apply: expected input width 4/,
    );
    expect(() => net.setWeights([new Float32Array(12)])).toThrow(/expected 4 arrays/);
    expect(() =>
      net.setWeights([new Float32Array(11), new Float32Array(3), new Float32Array(6), new Float32Array(2)]),
    ).toThrow(/'l0\/kernel' has shape \[4, 3\]/);
    net.dispose();
  });

  it('same seed → identical weights and outputs; get/setWeights round-trips', () => {
    const a = new MLP({ inputSize: 5, hidden: [7], outputSize: 2, seed: 42 });
    const b = new MLP({ inputSize: 5, hidden: [7], outputSize: 2, seed: 42 });
    const c = new MLP({ inputSize: 5, hidden: [7], outputSize: 2, seed: 43 });
    const wa = a.getWeights();
    expect(b.getWeights()).toEqual(wa);
    expect(c.getWeights()).not.toEqual(wa);
    c.setWeights(wa);
    expect(c.getWeights()).toEqual(wa);
    const x = tf.tensor2d([[0.1, -0.2, 0.3, 0.4, -0.5]]);
    const ya = tf.tidy(() => a.apply(x));
    const yc = tf.tidy(() => c.apply(x));
    expect(Array.from(yc.dataSync())).toEqual(Array.from(ya.dataSync()));
    tf.dispose([x, ya, yc]);
    [a, b, c].forEach((n) => n.dispose());
  });

  it('custom-gradient training equals autodiff training step for step (cpu)', () => {
    const cfg = { inputSize: 6, hidden: [16, 16], outputSize: 3, seed: 5, activation: 'relu' as const };
    const fast = new MLP({ ...cfg, skipInputGrad: true });
    const slow = new MLP({ ...cfg, gradMode: 'autodiff' });
    const x = tf.randomUniform([32, 6], -1, 1, 'float32', 1) as tf.Tensor2D;
    const y = tf.randomUniform([32, 3], -1, 1, 'float32', 2) as tf.Tensor2D;
    const o1 = tf.train.adam(1e-2);
    const o2 = tf.train.adam(1e-2);
    for (let i = 0; i < 20; i++) {
      const l1 = trainStep(fast, o1, x, y);
      const l2 = trainStep(slow, o2, x, y);
      expect(Math.abs(l1 - l2)).toBeLessThan(1e-5);
    }
    const w1 = fast.getWeights();
    const w2 = slow.getWeights();
    w1.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - w2[i][j])).toBeLessThan(1e-4)));
    tf.dispose([x, y]);
    [fast, slow].forEach((n) => n.dispose());
    o1.dispose();
    o2.dispose();
  });

  it('learns a fixed regression target and keeps tf.memory().numTensors flat', () => {
    const net = new MLP({ inputSize: 4, hidden: [32], outputSize: 1, seed: 3, skipInputGrad: true });
    const opt = tf.train.adam(1e-2);
    const x = tf.randomUniform([64, 4], -1, 1, 'float32', 3) as tf.Tensor2D;
    const y = tf.tidy(() => tf.sum(tf.mul(x, tf.tensor1d([1, -2, 0.5, 3])), 1, true)) as tf.Tensor2D;
    const first = trainStep(net, opt, x, y);
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 200; i++) last = trainStep(net, opt, x, y);
    expect(tf.memory().numTensors).toBe(before);
    expect(last).toBeLessThan(first * 0.05);
    tf.dispose([x, y]);
    net.dispose();
    opt.dispose();
  });
});
