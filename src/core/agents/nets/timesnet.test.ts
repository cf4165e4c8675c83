import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fftForPeriod } from '../../forecast/periods.ts';
import { Rng } from '../../rng.ts';
import { initBackend } from '../backend.ts';
import { TimesNetForecaster } from '../timesnetForecaster.ts';
import { getWeights } from './module.ts';
import { positionalEncoding, TimesNet, type TimesNetConfig } from './timesnet.ts';

const SMALL: TimesNetConfig = {
  seqLen: 24,
  predLen: 12,
  channels: 3,
  dModel: 8,
  dFF: 8,
  topK: 3,
  eLayers: 2,
  numKernels: 3,
  seed: 5,
};

function batch(rng: Rng, B: number, L: number, C: number): Float32Array {
  // Periodic with noise so the spectrum has clear peaks, plus an offset the normalisation removes.
  return Float32Array.from({ length: B * L * C }, (_, i) => {
    const t = Math.floor(i / C) % L;
    return 10 + Math.sin((2 * Math.PI * t) / 6 + (i % C)) + 0.3 * rng.normal();
  });
}

describe('TimesNet (wasm)', () => {
  beforeAll(async () => {
    expect((await initBackend('wasm')).backend).toBe('wasm');
  });

  it('positional encoding: golden rows of Embed.py', () => {
    const pe = positionalEncoding(3, 4);
    expect(Array.from(pe.slice(0, 4))).toEqual([0, 1, 0, 1]);
    expect(pe[4]).toBeCloseTo(Math.sin(1), 6);
    expect(pe[5]).toBeCloseTo(Math.cos(1), 6);
    expect(pe[6]).toBeCloseTo(Math.sin(0.01), 6);
    expect(pe[7]).toBeCloseTo(Math.cos(0.01), 6);
  });

  it('FFT_for_Period on tensors agrees with the typed-array detector (periods and weights)', () => {
    const net = new TimesNet(SMALL);
    const T = SMALL.seqLen + SMALL.predLen;
    const rng = new Rng(1);
    const x = Float32Array.from({ length: 4 * T * 5 }, (_, i) => {
      const t = Math.floor(i / 5) % T;
      return Math.sin((2 * Math.PI * t) / 12) + 0.5 * Math.cos((2 * Math.PI * t) / 4) + 0.2 * rng.normal();
    });
    const want = fftForPeriod(x, 4, T, 5, 3);
    tf.tidy(() => {
      const got = net.fftForPeriod(tf.tensor3d(x, [4, T, 5]), 3);
      expect(got.periods).toEqual(want.periods);
      expect(got.periods.slice(0, 2)).toEqual([12, 4]);
      const w = got.weights.dataSync();
      for (let i = 0; i < w.length; i++) expect(w[i]).toBeCloseTo(want.weights[i], 3);
    });
    net.dispose();
  });

  it('forecast shape, de-normalised scale, periods per layer; bad input named', () => {
    const net = new TimesNet(SMALL);
    const x = batch(new Rng(2), 4, 24, 3);
    tf.tidy(() => {
      const out = net.forward(tf.tensor3d(x, [4, 24, 3]));
      expect(out.y.shape).toEqual([4, 12, 3]);
      expect(out.periods.length).toBe(2);
      out.periods.forEach((p) => expect(p.length).toBe(3));
      // Restored to the input's level (≈ 10), not the normalised ≈ 0.
      expect(tf.mean(out.y).dataSync()[0]).toBeGreaterThan(5);
      expect(() => net.forward(tf.zeros([4, 20, 3]))).toThrow(/\[B, 24, 3\]/);
    });
    expect(() => new TimesNet({ ...SMALL, topK: 40 })).toThrow(/topK 40/);
    net.dispose();
  });

  it('LoRA: B = 0 so the adapted model equals the base model of the same seed at start', () => {
    const base = new TimesNet(SMALL);
    const adapted = new TimesNet({ ...SMALL, lora: { rank: 2, alpha: 4 } });
    expect(getWeights(base)).toEqual(getWeights(adapted).slice(0, base.namedVariables().length));
    expect(adapted.adapterNamedVariables().map((n) => n.name)).toEqual([
      'embed/token/lora_a',
      'embed/token/lora_b',
      'predict/lora_a',
      'predict/lora_b',
      'block0/conv1/lora_a',
      'block0/conv1/lora_b',
      'block0/conv2/lora_a',
      'block0/conv2/lora_b',
      'block1/conv1/lora_a',
      'block1/conv1/lora_b',
      'block1/conv2/lora_a',
      'block1/conv2/lora_b',
      'projection/lora_a',
      'projection/lora_b',
    ]);
    const x = batch(new Rng(3), 3, 24, 3);
    tf.tidy(() => {
      const a = base.forward(tf.tensor3d(x, [3, 24, 3])).y.dataSync();
      const b = adapted.forward(tf.tensor3d(x, [3, 24, 3])).y.dataSync();
      expect(Array.from(b)).toEqual(Array.from(a));
    });
    base.dispose();
    adapted.dispose();
  });

  it('freezeBase: only adapters are trainable; base weights unchanged after training, adapters moved', () => {
    const f = new TimesNetForecaster({
      model: { ...SMALL, lora: { rank: 2, targets: ['predict', 'projection', 'inception'] } },
      learningRate: 1e-2,
      freezeBase: true,
    });
    const adapters = f.model.adapterNamedVariables().map((n) => n.variable);
    expect(f.trainableVariables()).toEqual(adapters);
    expect(f.model.adapterNamedVariables().some((n) => n.name.startsWith('embed'))).toBe(false);
    const nBase = f.model.baseNamedVariables().length;
    const before = f.getWeights();
    const rng = new Rng(4);
    for (let i = 0; i < 3; i++) f.trainStep(batch(rng, 4, 24, 3), batch(rng, 4, 12, 3), 4);
    const after = f.getWeights();
    for (let i = 0; i < nBase; i++) expect(after[i]).toEqual(before[i]);
    // Every lora_b left zero.
    const bs = f.model.adapterNamedVariables().filter((n) => n.name.endsWith('lora_b'));
    for (const b of bs) expect(tf.tidy(() => tf.max(tf.abs(b.variable)).dataSync()[0])).toBeGreaterThan(0);
    f.dispose();
    expect(() => new TimesNetForecaster({ model: SMALL, learningRate: 1e-3, freezeBase: true })).toThrow(
      /needs LoRA adapters/,
    );
  });

  it('without freezeBase the base weights train; tf.memory() stays flat over training steps', () => {
    const f = new TimesNetForecaster({ model: { ...SMALL, lora: { rank: 1 } }, learningRate: 1e-3 });
    expect(f.trainableVariables().length).toBe(f.model.namedVariables().length);
    const rng = new Rng(5);
    const x = batch(rng, 4, 24, 3);
    const y = batch(rng, 4, 12, 3);
    const before = f.getWeights();
    f.trainStep(x, y, 4);
    f.trainStep(x, y, 4);
    const m0 = tf.memory();
    for (let i = 0; i < 4; i++) f.trainStep(x, y, 4);
    f.predict(x, 4);
    const m1 = tf.memory();
    expect(m1.numTensors).toBe(m0.numTensors);
    expect(m1.numBytes).toBe(m0.numBytes);
    expect(f.getWeights()[0]).not.toEqual(before[0]);
    const n = tf.memory().numTensors;
    f.dispose();
    expect(tf.memory().numTensors).toBeLessThan(n);
  });
});
