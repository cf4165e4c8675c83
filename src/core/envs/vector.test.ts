import { describe, expect, it } from 'vitest';
import { PortfolioEnv } from './portfolio.ts';
import { makeTestFeatureSet, randomWalkPrices } from './testing.ts';
import { BUY, HOLD, SELL, TradingEnv } from './trading.ts';
import type { TradingInfo } from './trading.ts';
import type { FinalInfo } from './vector.ts';
import { SyncVectorEnv } from './vector.ts';

const fs = makeTestFeatureSet(randomWalkPrices(80, 3, 9), { nFeatures: 2 });
const K = 4;
const make = (length: number | null) => (i: number) =>
  new TradingEnv(fs, { window: 3, episodeLength: length, seed: 1000 + i });

describe('SyncVectorEnv over TradingEnv', () => {
  it('seeds env i with seed + i: different starts, each equal to a lone env seeded seed + i', () => {
    const vec = new SyncVectorEnv(make(10), K);
    const { infos } = vec.reset({ seed: 7 });
    const starts = infos.map((info) => (info as TradingInfo).t);
    expect(new Set(starts).size).toBeGreaterThan(1);
    for (let i = 0; i < K; i++) {
      const lone = new TradingEnv(fs, { window: 3, episodeLength: 10 });
      expect(lone.reset({ seed: 7 + i }).info.t).toBe(starts[i]);
    }
  });

  it('batches observations row by row in one Float32Array', () => {
    const vec = new SyncVectorEnv(make(null), K);
    const lone = Array.from({ length: K }, (_, i) => make(null)(i));
    const { obs } = vec.reset({ seed: 1 });
    const size = vec.obsSize;
    expect(obs.length).toBe(K * size);
    for (let i = 0; i < K; i++)
      expect(Array.from(obs.subarray(i * size, (i + 1) * size))).toEqual(
        Array.from(lone[i].reset({ seed: 1 + i }).obs),
      );
    // Flat action path: [K × N] Int32Array, row i goes to env i.
    const N = 3;
    const flat = Int32Array.from({ length: K * N }, (_, k) => [BUY, SELL, HOLD][(k * 7) % 3]);
    for (let s = 0; s < 5; s++) {
      const res = vec.step(flat);
      for (let i = 0; i < K; i++) {
        const r = lone[i].step(flat.slice(i * N, (i + 1) * N));
        expect(res.rewards[i]).toBe(Math.fround(r.reward));
        expect(Array.from(res.obs.subarray(i * size, (i + 1) * size))).toEqual(Array.from(r.obs));
        expect((res.infos[i] as TradingInfo).portfolioValue).toBe(r.info.portfolioValue);
      }
      flat.reverse();
    }
  });

  it('array-of-actions path matches the flat path', () => {
    const a = new SyncVectorEnv(make(5), K);
    const b = new SyncVectorEnv(make(5), K);
    a.reset({ seed: 3 });
    b.reset({ seed: 3 });
    for (let s = 0; s < 12; s++) {
      const per = Array.from({ length: K }, (_, i) => Int32Array.from([BUY, (s + i) % 3, SELL]));
      const flat = new Int32Array(K * 3);
      per.forEach((act, i) => flat.set(act, i * 3));
      const ra = a.step(per);
      const rb = b.step(flat);
      expect(Array.from(ra.obs)).toEqual(Array.from(rb.obs));
      expect(Array.from(ra.rewards)).toEqual(Array.from(rb.rewards));
    }
  });

  it('auto-resets a finished env and keeps its final observation and info', () => {
    const vec = new SyncVectorEnv(make(4), 2);
    const shadow = [make(4)(0), make(4)(1)];
    vec.reset({ seed: 11 });
    shadow.forEach((env, i) => env.reset({ seed: 11 + i }));
    const action = Int32Array.from([BUY, HOLD, SELL, BUY, BUY, HOLD]);
    for (let s = 0; s < 4; s++) {
      const res = vec.step(action);
      const expected = shadow.map((env, i) => env.step(action.slice(i * 3, (i + 1) * 3)));
      if (s < 3) {
        expect(Array.from(res.truncated)).toEqual([0, 0]);
        continue;
      }
      expect(Array.from(res.truncated)).toEqual([1, 1]);
      expect(Array.from(res.terminated)).toEqual([0, 0]);
      for (let i = 0; i < 2; i++) {
        const info = res.infos[i] as FinalInfo & TradingInfo;
        // The final observation is the last step's, not the next episode's first.
        expect(Array.from(info.finalObs!)).toEqual(Array.from(expected[i].obs));
        expect((info.finalInfo as TradingInfo).portfolioValue).toBe(expected[i].info.portfolioValue);
        // The batch row and the top-level info already belong to the new episode.
        const next = shadow[i].reset();
        expect(Array.from(res.obs.subarray(i * vec.obsSize, (i + 1) * vec.obsSize))).toEqual(
          Array.from(next.obs),
        );
        expect(info.portfolioValue).toBe(next.info.portfolioValue);
        expect(info.t).toBe(next.info.t);
      }
    }
  });

  it('concatenates action masks, env by env', () => {
    const vec = new SyncVectorEnv(make(null), 2);
    vec.reset({ seed: 0 });
    vec.step(Int32Array.from([BUY, BUY, BUY, HOLD, HOLD, HOLD]));
    const masks = vec.actionMasks()!;
    expect(masks.length).toBe(2 * 9);
    expect(Array.from(masks.subarray(0, 9))).toEqual(Array.from(vec.envs[0].actionMask!()));
    expect(Array.from(masks.subarray(9))).toEqual(Array.from(vec.envs[1].actionMask!()));
    // Env 1 holds nothing: SELL masked on every asset.
    expect([masks[9 + 2], masks[9 + 5], masks[9 + 8]]).toEqual([0, 0, 0]);
  });

  it('steps Box-action envs through the flat Float32Array path', () => {
    const vec = new SyncVectorEnv((i) => new PortfolioEnv(fs, { window: 2, episodeLength: 6, seed: i }), 3);
    vec.reset({ seed: 5 });
    const flat = Float32Array.from({ length: 9 }, (_, k) => ((k % 5) - 2) / 10);
    const lone = new PortfolioEnv(fs, { window: 2, episodeLength: 6 });
    lone.reset({ seed: 6 });
    const res = vec.step(flat);
    const r = lone.step(flat.slice(3, 6));
    expect(res.rewards[1]).toBe(Math.fround(r.reward));
  });
});
