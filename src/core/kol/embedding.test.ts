/** Hashed n-gram embedding, the state builder and the settings check. */
import { describe, expect, it } from 'vitest';
import { embeddingFeatures, hash32, hashedEmbedding } from './embedding.ts';
import { checkKolSettings, kolSettings, KolSettingsMismatch } from './settings.ts';
import { buildKolState, kolStateLayout } from './state.ts';

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);
const norm = (a: Float32Array) => Math.sqrt(cos(a, a));

describe('hashedEmbedding', () => {
  it('lists word uni/bigrams (cashtags kept, urls out) and padded character trigrams', () => {
    expect(embeddingFeatures('Buy $AAPL now https://x.y', { wordNgrams: 2, charNgrams: 3 })).toEqual([
      'w1:buy',
      'w1:$aapl',
      'w1:now',
      'w2:buy $aapl',
      'w2:$aapl now',
      'c:<bu',
      'c:buy',
      'c:uy>',
      'c:<$a',
      'c:$aa',
      'c:aap',
      'c:apl',
      'c:pl>',
      'c:<no',
      'c:now',
      'c:ow>',
    ]);
  });

  it('is deterministic, of fixed dimension, unit length; empty text → zeros', () => {
    const a = hashedEmbedding('Strong earnings beat, bullish on $NVDA');
    expect(a).toHaveLength(64);
    expect(Array.from(a)).toEqual(Array.from(hashedEmbedding('Strong earnings beat, bullish on $NVDA')));
    expect(norm(a)).toBeCloseTo(1, 6);
    expect(Array.from(hashedEmbedding('', { dim: 8 }))).toEqual(new Array(8).fill(0));
    expect(hashedEmbedding('x', { dim: 16 })).toHaveLength(16);
    // Signed hashing: features land with +1 or −1, so a rich text has components of both signs.
    expect(Array.from(a).some((x) => x < 0)).toBe(true);
    expect(Array.from(a).some((x) => x > 0)).toBe(true);
  });

  it('a different seed gives an unrelated vector; shared words raise the cosine', () => {
    const t = 'Strong earnings beat, bullish on NVDA';
    expect(Array.from(hashedEmbedding(t, { seed: 1 }))).not.toEqual(
      Array.from(hashedEmbedding(t, { seed: 0 })),
    );
    const near = cos(
      hashedEmbedding(t, { dim: 256 }),
      hashedEmbedding('strong earnings beat for NVDA', { dim: 256 }),
    );
    const far = cos(
      hashedEmbedding(t, { dim: 256 }),
      hashedEmbedding('lawsuit and bankruptcy fears at the airline', { dim: 256 }),
    );
    expect(near).toBeGreaterThan(0.5);
    expect(Math.abs(far)).toBeLessThan(0.3);
  });

  it('hash32 depends on the seed and the string; bad configs are refused', () => {
    expect(hash32('abc', 0)).toBe(hash32('abc', 0));
    expect(hash32('abc', 0)).not.toBe(hash32('abc', 1));
    expect(hash32('abc', 0)).not.toBe(hash32('abd', 0));
    expect(() => hashedEmbedding('x', { dim: 0 })).toThrow(/dim must be a whole number ≥ 1, got 0/);
    expect(() => hashedEmbedding('x', { dim: 4 }, new Float32Array(3))).toThrow(
      /output has 3 values, dim is 4/,
    );
  });
});

describe('buildKolState', () => {
  it('lays out [embedding | sentiment | confidence | last_position] and carries the ticker index', () => {
    const layout = kolStateLayout(4);
    expect(layout.size).toBe(7);
    expect(layout.names).toEqual([
      'text_0',
      'text_1',
      'text_2',
      'text_3',
      'sentiment',
      'confidence',
      'last_position',
    ]);
    const s = buildKolState(
      {
        embedding: [0.5, -0.5, 0.5, -0.5],
        sentiment: -0.25,
        confidence: 0.75,
        lastPosition: 0.125,
        tickerIndex: 3,
      },
      layout,
    );
    expect(Array.from(s.features)).toEqual([0.5, -0.5, 0.5, -0.5, -0.25, 0.75, 0.125]);
    expect(s.tickerIndex).toBe(3);
  });

  it('refuses a wrong-sized embedding, out-of-range values and NaN', () => {
    const layout = kolStateLayout(2);
    const ok = { embedding: [0, 0], sentiment: 0, confidence: 0, lastPosition: 0, tickerIndex: 0 };
    expect(() => buildKolState({ ...ok, embedding: [0] }, layout)).toThrow(
      /embedding has 1 values, the layout expects 2/,
    );
    expect(() => buildKolState({ ...ok, sentiment: 2 }, layout)).toThrow(/sentiment/);
    expect(() => buildKolState({ ...ok, confidence: -0.1 }, layout)).toThrow(/confidence/);
    expect(() => buildKolState({ ...ok, lastPosition: NaN }, layout)).toThrow(/last position/);
    expect(() => buildKolState({ ...ok, tickerIndex: -1 }, layout)).toThrow(/ticker index/);
    expect(() => buildKolState({ ...ok, embedding: [0, NaN] }, layout)).toThrow(/embedding\[1\] is NaN/);
  });
});

describe('checkKolSettings', () => {
  const buffer = {
    name: 'replay buffer (prep/meta.json)',
    settings: kolSettings({ maxWeight: 0.2, holdDecay: 1, feeRate: 0.0005 }),
  };
  it('passes when the settings agree (residual_scale only compared when both have it)', () => {
    expect(() =>
      checkKolSettings(buffer, { name: 'checkpoint', settings: { ...buffer.settings, residual_scale: 0.2 } }),
    ).not.toThrow();
  });
  it('names every differing setting with both values and both sources', () => {
    const evaluation = {
      name: 'evaluation (--max-weight)',
      settings: kolSettings({ maxWeight: 0.1, holdDecay: 0.5, feeRate: 0.0005 }, 0.2),
    };
    let err: unknown;
    try {
      checkKolSettings(buffer, evaluation);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KolSettingsMismatch);
    expect((err as Error).message).toBe(
      'settings differ: max_weight is 0.2 in replay buffer (prep/meta.json) but 0.1 in evaluation (--max-weight); hold_decay is 1 in replay buffer (prep/meta.json) but 0.5 in evaluation (--max-weight)',
    );
    expect(() =>
      checkKolSettings({ name: 'a', settings: { max_weight: 0.2, hold_decay: 1 } }, buffer),
    ).toThrow(/fee is missing in a but 0\.0005 in replay buffer/);
    expect(() =>
      checkKolSettings(
        { name: 'ckpt', settings: { ...buffer.settings, residual_scale: 0.3 } },
        { name: 'eval', settings: { ...buffer.settings, residual_scale: 0.2 } },
      ),
    ).toThrow(/residual_scale is 0\.3 in ckpt but 0\.2 in eval/);
  });
});
