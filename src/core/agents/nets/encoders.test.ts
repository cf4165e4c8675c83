import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MarketObsLayout } from '../../features/types.ts';
import { Rng } from '../../rng.ts';
import { initBackend } from '../backend.ts';
import { batchMatMul } from './attention.ts';
import { makeEncoder, splitMarketObs, unfoldTime, type EncoderKind } from './encoders.ts';

const layout: MarketObsLayout = { window: 8, nAssets: 3, nFeatures: 4, perAssetExtras: 1, globalExtras: 1 };
const obsSize = 8 * 3 * 4 + 3 + 1;

function randomObs(batch: number, seed: number): tf.Tensor2D {
  const rng = new Rng(seed);
  const a = new Float32Array(batch * obsSize);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  return tf.tensor2d(a, [batch, obsSize]);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b)))).dataSync()[0];
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`encoders on ${backend}`, () => {
    beforeAll(async () => {
      expect((await initBackend(backend)).backend).toBe(backend);
    });

    it('unfold + matMul equals tf.conv1d (valid, stride 1)', () => {
      tf.tidy(() => {
        const x = tf.randomNormal([5, 11, 4], 0, 1, 'float32', 1) as tf.Tensor3D;
        const filter = tf.randomNormal([3, 4, 6], 0, 1, 'float32', 2) as tf.Tensor3D;
        const direct = tf.conv1d(x, filter, 1, 'valid');
        const u = unfoldTime(x, 3);
        expect(u.shape).toEqual([5, 9, 12]);
        const viaUnfold = tf.reshape(
          tf.matMul(tf.reshape(u, [45, 12]), tf.reshape(filter, [12, 6])),
          [5, 9, 6],
        );
        expect(maxAbsDiff(direct, viaUnfold)).toBeLessThan(1e-5);
      });
    });

    it('batchMatMul gradients equal autodiff', () => {
      tf.tidy(() => {
        const a = tf.randomNormal([4, 3, 5], 0, 1, 'float32', 3) as tf.Tensor3D;
        const b = tf.randomNormal([4, 5, 2], 0, 1, 'float32', 4) as tf.Tensor3D;
        const r = tf.randomNormal([4, 3, 2], 0, 1, 'float32', 5);
        const g1 = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
          tf.sum(tf.mul(batchMatMul(x as tf.Tensor3D, y as tf.Tensor3D), r)),
        )([a, b]);
        const g2 = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
          tf.sum(tf.mul(tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D), r)),
        )([a, b]);
        expect(maxAbsDiff(g1[0], g2[0])).toBeLessThan(1e-5);
        expect(maxAbsDiff(g1[1], g2[1])).toBeLessThan(1e-5);
      });
    });

    it('TimeCNN: the conv and unfold formulations agree (outputs and gradients)', () => {
      const a = makeEncoder({ kind: 'timecnn', obsSize, layout, dModel: 8, seed: 2 });
      const b = makeEncoder({ kind: 'timecnn', obsSize, layout, dModel: 8, seed: 2, convImpl: 'unfold' });
      const obs = randomObs(3, 3);
      const run = (enc: typeof a) =>
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => {
            const e = enc.encode(obs);
            return tf.add(tf.sum(tf.square(e.pooled)), tf.sum(tf.sin(e.perAsset!))) as tf.Scalar;
          }, enc.variables());
          return [value, ...Object.values(grads)];
        });
      const ga = run(a);
      const gb = run(b);
      ga.forEach((t, i) => expect(maxAbsDiff(t, gb[i])).toBeLessThan(1e-4));
      tf.dispose([...ga, ...gb, obs]);
      a.dispose();
      b.dispose();
    });

    for (const kind of ['timecnn', 'transformer'] as EncoderKind[]) {
      it(`${kind}: shapes, gradients reach every variable, memory flat`, () => {
        const enc = makeEncoder({ kind, obsSize, layout, dModel: 8, nHeads: 2, seed: 1 });
        const obs = randomObs(5, 1);
        const out = tf.tidy(() => enc.encode(obs));
        expect(out.pooled.shape).toEqual([5, 8 + 1]);
        expect(out.perAsset!.shape).toEqual([5, 3, 8]);
        tf.dispose([out.pooled, out.perAsset!]);
        const step = () =>
          tf.tidy(() => {
            const { value, grads } = tf.variableGrads(() => {
              const e = enc.encode(obs);
              return tf.add(tf.sum(tf.square(e.pooled)), tf.sum(tf.sin(e.perAsset!))) as tf.Scalar;
            }, enc.variables());
            return [value, ...Object.values(grads).map((g) => tf.sum(tf.abs(g)))];
          });
        const first = step();
        first.forEach((t, i) => {
          if (i > 0) expect(t.dataSync()[0]).toBeGreaterThan(0);
        });
        expect(first.length - 1).toBe(enc.variables().length);
        tf.dispose(first);
        const before = tf.memory().numTensors;
        for (let i = 0; i < 3; i++) tf.dispose(step());
        expect(tf.memory().numTensors).toBe(before);
        obs.dispose();
        enc.dispose();
      });
    }
  });
}

describe('encoder layout handling', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('splitMarketObs reads the time-major window block, per-asset and global extras', () => {
    // obs value = its flat index, so positions are checkable.
    const l: MarketObsLayout = { window: 2, nAssets: 3, nFeatures: 2, perAssetExtras: 1, globalExtras: 1 };
    const n = 2 * 3 * 2 + 3 + 1;
    tf.tidy(() => {
      const obs = tf.tensor2d(
        Array.from({ length: n }, (_, i) => i),
        [1, n],
      );
      const { window, perAsset, global } = splitMarketObs(obs, l);
      // asset 1: t=0 → X[0,1,:] = idx 2,3; t=1 → X[1,1,:] = idx 8,9
      expect(window.shape).toEqual([3, 2, 2]);
      expect(Array.from(tf.slice(window, [1, 0, 0], [1, 2, 2]).dataSync())).toEqual([2, 3, 8, 9]);
      expect(Array.from(perAsset!.dataSync())).toEqual([12, 13, 14]);
      expect(Array.from(global!.dataSync())).toEqual([15]);
    });
  });

  it('clear errors for layouts that do not fit', () => {
    expect(() => makeEncoder({ kind: 'timecnn', obsSize: obsSize + 1, layout, seed: 1 })).toThrow(
      /= 100 values, but the observation has 101/,
    );
    expect(() => makeEncoder({ kind: 'timecnn', obsSize, seed: 1 })).toThrow(/needs the observation layout/);
    expect(() =>
      makeEncoder({ kind: 'timecnn', obsSize, layout, kernelSize: 5, convLayers: 2, seed: 1 }),
    ).toThrow(/need a window of at least 9, got W=8/);
    expect(() =>
      makeEncoder({ kind: 'transformer', obsSize, layout, dModel: 10, nHeads: 3, seed: 1 }),
    ).toThrow(/nHeads \(3\) must divide dModel \(10\)/);
    const enc = makeEncoder({ kind: 'timecnn', obsSize, layout, seed: 1 });
    expect(() => tf.tidy(() => enc.encode(tf.zeros([2, 99]) as tf.Tensor2D))).toThrow(
      /expected input width 100/,
    );
    enc.dispose();
  });

  it('same seed → identical encodings', () => {
    const obs = randomObs(2, 9);
    const run = (seed: number) => {
      const enc = makeEncoder({ kind: 'timecnn', obsSize, layout, dModel: 8, seed });
      const p = tf.tidy(() => enc.encode(obs).pooled);
      const v = Array.from(p.dataSync());
      p.dispose();
      enc.dispose();
      return v;
    };
    expect(run(4)).toEqual(run(4));
    expect(run(4)).not.toEqual(run(5));
    obs.dispose();
  });
});
