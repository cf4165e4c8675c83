import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MarketObsLayout } from '../../features/types.ts';
import { Rng } from '../../rng.ts';
import { initBackend } from '../backend.ts';
import { TimeCnnEncoder } from './encoders.ts';
import { ResidentMarket, planWindows } from './resident.ts';

const T = 60;
const N = 3;
const F = 5;

function randomMarket(seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: T * N * F }, () => rng.normal());
}

/** Per-window observations built the way TradingEnv lays them out: the window block X[e−W+1..e], then extras. */
function windowObs(
  X: Float32Array,
  ends: Int32Array,
  l: MarketObsLayout,
  extras: Float32Array,
): Float32Array {
  const rowLen = N * F;
  const winLen = l.window * rowLen;
  const E = extras.length / ends.length;
  const obs = new Float32Array(ends.length * (winLen + E));
  ends.forEach((e, b) => {
    const o = b * (winLen + E);
    obs.set(X.subarray((e - l.window + 1) * rowLen, (e + 1) * rowLen), o);
    obs.set(extras.subarray(b * E, (b + 1) * E), o + winLen);
  });
  return obs;
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b)))).dataSync()[0];
}

describe('planWindows', () => {
  it('covers each window with its conv positions, both ways', () => {
    // Two runs (days 4..12 and 30..35), a duplicate end, unsorted order.
    const ends = Int32Array.from([12, 7, 35, 7, 9]);
    const W = 6;
    const shrink = 2;
    const plan = planWindows(ends, W, shrink, 'mean');
    expect(Array.from(plan.days)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 30, 31, 32, 33, 34, 35]);
    expect(plan.positions).toBe(plan.days.length - shrink);
    // Window 0 ends on day 12: starts on day 7 (index 5); conv outputs 5..8 (W − shrink = 4).
    expect(Array.from(plan.fwdIdx.subarray(0, 4))).toEqual([5, 6, 7, 8]);
    expect(Array.from(plan.fwdIdx.subarray(8, 12))).toEqual([11, 12, 13, 14]);
    // Every forward pair appears once in the backward pattern, sorted by position, plus the pin row.
    const pairs = new Set<string>();
    for (let i = 0; i < plan.fwdIdx.length; i++) pairs.add(`${plan.fwdIdx[i]}:${plan.fwdSeg[i]}`);
    const n = plan.bwdIdx.length - 1;
    expect(n).toBe(plan.fwdIdx.length);
    for (let i = 0; i < n; i++) {
      expect(pairs.has(`${plan.bwdSeg[i]}:${plan.bwdIdx[i]}`)).toBe(true);
      if (i > 0) expect(plan.bwdSeg[i]).toBeGreaterThanOrEqual(plan.bwdSeg[i - 1]);
    }
    expect(plan.bwdIdx[n]).toBe(ends.length);
    expect(plan.bwdSeg[n]).toBe(plan.positions - 1);
    const last = planWindows(ends, W, shrink, 'last');
    expect(Array.from(last.fwdIdx)).toEqual([8, 3, 14, 3, 5]);
    expect(last.scale).toBe(1);
    expect(() => planWindows(Int32Array.from([3]), W, shrink, 'mean')).toThrow(/before day 0/);
  });
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`TimeCNN per (asset, day) on ${backend}`, () => {
    beforeAll(async () => {
      expect((await initBackend(backend)).backend).toBe(backend);
    });

    const cases: { window: number; kernelSize: number; convLayers: number; pooling: 'mean' | 'last' }[] = [
      { window: 8, kernelSize: 3, convLayers: 2, pooling: 'mean' },
      { window: 8, kernelSize: 3, convLayers: 2, pooling: 'last' },
      { window: 6, kernelSize: 2, convLayers: 1, pooling: 'mean' },
      { window: 12, kernelSize: 5, convLayers: 2, pooling: 'mean' },
      { window: 12, kernelSize: 4, convLayers: 3, pooling: 'last' },
    ];
    for (const c of cases) {
      it(`equals the per-window path, outputs and gradients (W ${c.window}, k ${c.kernelSize}, ${c.convLayers} layers, ${c.pooling})`, () => {
        const layout: MarketObsLayout = {
          window: c.window,
          nAssets: N,
          nFeatures: F,
          perAssetExtras: 1,
          globalExtras: 1,
        };
        const E = N + 1;
        const obsSize = c.window * N * F + E;
        const X = randomMarket(7 + c.window);
        const market = new ResidentMarket(X, N, F);
        // Overlapping runs, a duplicate, a lone window, the first and last possible days.
        const ends = Int32Array.from([c.window - 1, 20, 21, 22, 21, 40, T - 1, 25]);
        const rng = new Rng(99);
        const extras = Float32Array.from({ length: ends.length * E }, () => rng.float());
        const enc = new TimeCnnEncoder({
          obsSize,
          layout,
          dModel: 8,
          seed: 3,
          crossAsset: 'attention',
          ...c,
        });
        // Random biases too, so the ReLU masks are not trivially all-on.
        enc.convs.forEach((conv, i) =>
          conv.bias!.assign(tf.randomNormal([conv.bias!.shape[0]], 0, 0.5, 'float32', 11 + i)),
        );
        const before = tf.memory().numTensors;
        tf.tidy(() => {
          const obs = tf.tensor2d(windowObs(X, ends, layout, extras), [ends.length, obsSize]);
          const ex = tf.tensor2d(extras, [ends.length, E]);
          const rPa = tf.randomNormal([ends.length, N, 8], 0, 1, 'float32', 5);
          const rPo = tf.randomNormal([ends.length, 9], 0, 1, 'float32', 6);
          const loss = (o: { pooled: tf.Tensor2D; perAsset?: tf.Tensor3D }) =>
            tf.add(tf.sum(tf.mul(o.perAsset!, rPa)), tf.sum(tf.mul(o.pooled, rPo))) as tf.Scalar;
          const ref = enc.encode(obs);
          const got = enc.encodeDays(market, ends, ex);
          expect(got.perAsset!.shape).toEqual(ref.perAsset!.shape);
          expect(maxAbsDiff(got.perAsset!, ref.perAsset!)).toBeLessThan(1e-5);
          expect(maxAbsDiff(got.pooled, ref.pooled)).toBeLessThan(1e-5);
          const vars = enc.variables();
          const gRef = tf.variableGrads(() => loss(enc.encode(obs)), vars).grads;
          const gGot = tf.variableGrads(() => loss(enc.encodeDays(market, ends, ex)), vars).grads;
          let largest = 0;
          for (const v of vars) {
            expect(maxAbsDiff(gGot[v.name], gRef[v.name])).toBeLessThan(1e-5);
            largest = Math.max(largest, tf.max(tf.abs(gRef[v.name])).dataSync()[0]);
          }
          // The comparison means something: the gradients are not all zero.
          expect(largest).toBeGreaterThan(1e-3);
        });
        expect(tf.memory().numTensors).toBe(before);
        enc.dispose();
        market.dispose();
      });
    }

    it('the host and device day gathers give the same block', () => {
      const X = randomMarket(2);
      const days = Int32Array.from([3, 4, 5, 40, 41, 59]);
      const host = new ResidentMarket(X, N, F, true);
      const device = new ResidentMarket(X, N, F, false);
      tf.tidy(() => {
        const a = host.gatherDays(days);
        const b = device.gatherDays(days);
        expect(a.shape).toEqual([N, days.length, F]);
        expect(maxAbsDiff(a, b)).toBe(0);
        // X[t = 40, asset 2, feature 1] lands at [2, 3, 1].
        expect((a.arraySync() as number[][][])[2][3][1]).toBe(X[(40 * N + 2) * F + 1]);
      });
      host.dispose();
      device.dispose();
    });

    it('rejects windows that do not fit the market', () => {
      const layout: MarketObsLayout = {
        window: 8,
        nAssets: N,
        nFeatures: F,
        perAssetExtras: 0,
        globalExtras: 0,
      };
      const market = new ResidentMarket(randomMarket(1), N, F);
      const enc = new TimeCnnEncoder({ obsSize: 8 * N * F, layout, dModel: 4, seed: 1 });
      expect(() => enc.embedDays(market, Int32Array.from([6]))).toThrow(/cannot end on day 6/);
      expect(() => enc.embedDays(market, Int32Array.from([T]))).toThrow(/cannot end on day/);
      enc.dispose();
      market.dispose();
    });
  });
}
