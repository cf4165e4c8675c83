import { describe, expect, it } from 'vitest';
import { baselineWeights, runBook } from './book.ts';
import {
  buildKolReplay,
  checkReplaySettings,
  compareKolBooks,
  kolBaselineRule,
  kolSplitBook,
  kolStates,
  residualBookWeights,
  type KolCloses,
  type KolTickerDayInput,
} from './replay.ts';
import { KolSettingsMismatch } from './settings.ts';

// Three tickers over six days; A rises 1%/day, B falls 1%/day, C flat.
const dates = ['2021-01-04', '2021-01-05', '2021-01-06', '2021-01-07', '2021-01-08', '2021-01-11'];
const closes: KolCloses = {
  dates,
  tickers: ['A', 'B', 'C'],
  close: Float64Array.from(dates.flatMap((_, t) => [100 * 1.01 ** t, 100 * 0.99 ** t, 50])),
};
const rows: KolTickerDayInput[] = [
  { date: '2021-01-04', ticker: 'A', sentiment: 0.9, confidence: 1, text: 'A to the moon' },
  { date: '2021-01-04', ticker: 'B', sentiment: -0.8, confidence: 0.9, text: '' },
  { date: '2021-01-05', ticker: 'C', sentiment: 0.5, confidence: 0.5, text: 'C is fine' },
  { date: '2021-01-07', ticker: 'A', sentiment: 0.2, confidence: 0.4, text: '' },
];
const cfg = { maxWeight: 0.4, holdDecay: 0.5, feeRate: 0.001 };

describe('kol replay buffer', () => {
  const book = kolSplitBook(rows, closes);

  it('spans the first to the last ticker-day, with the next close', () => {
    expect(book.dates).toEqual(dates.slice(0, 4));
    expect(book.returnDates).toEqual(dates.slice(1, 5));
    expect(book.close.length).toBe(5 * 3);
    expect(Number.isNaN(book.scores[1 * 3 + 0])).toBe(true);
    expect(book.scores[0]).toBeCloseTo(Math.tanh(2 * 0.9), 12);
  });

  it('one transition per ticker-day: action = baseline weight, reward = weight × next-day return', () => {
    const r = buildKolReplay(book, cfg, { embedding: { dim: 4 } });
    const b = baselineWeights(book.scores, 3, cfg);
    expect(r.dataset.size).toBe(4);
    expect(r.obsDim).toBe(4 + 3 + 3 + 1);
    expect(r.cells).toEqual([0, 1, 5, 9]);
    r.cells.forEach((k, i) => {
      expect(r.dataset.actions[i]).toBeCloseTo(b[k], 6);
      expect(r.dataset.baseline![i]).toBeCloseTo(b[k], 6);
      const obs = r.dataset.obs.subarray(i * r.obsDim, (i + 1) * r.obsDim);
      expect(kolBaselineRule(obs)[0]).toBeCloseTo(b[k], 6);
      expect(obs[4 + 3 + (k % 3)]).toBe(1); // ticker one-hot
      expect(obs[4 + 2]).toBeCloseTo(k >= 3 ? b[k - 3] : 0, 6); // last position
    });
    expect(r.dataset.rewards[0]).toBeCloseTo(b[0] * 0.01, 6);
    expect(r.dataset.rewards[1]).toBeCloseTo(b[1] * -0.01, 6);
    expect(Array.from(r.dataset.terminals)).toEqual([1, 1, 1, 1]);
    expect(r.dataset.meta.notes).toMatchObject({ max_weight: 0.4, hold_decay: 0.5, fee: 0.001 });
  });

  it('explore adds perturbed copies within b·(1 ± scale) with their exact reward', () => {
    const r = buildKolReplay(book, cfg, { explore: 2, exploreScale: 0.3, embedding: { dim: 4 } });
    expect(r.dataset.size).toBe(12);
    for (let i = 0; i < 12; i++) {
      const a = r.dataset.actions[i];
      const b = r.dataset.baseline![i];
      expect(Math.abs(a - b)).toBeLessThanOrEqual(0.3 * Math.abs(b) + 1e-7);
    }
    expect(r.dataset.rewards[2]).toBeCloseTo(r.dataset.actions[2] * 0.01, 6);
  });

  it("'book' reward = the trained book's return gain from that one multiplier (runBook), 0 for the baseline", () => {
    const r = buildKolReplay(book, cfg, {
      explore: 3,
      exploreScale: 0.5,
      reward: 'book',
      embedding: { dim: 4 },
    });
    const b = baselineWeights(book.scores, 3, cfg);
    const base = runBook(b, book.close, 3, 0, cfg.feeRate).returns;
    let nonzero = 0;
    for (let t = 0; t < r.dataset.size; t++) {
      const c = Math.floor(t / 4);
      const policy = r.cells.map((k) => b[k]);
      policy[c] = r.dataset.actions[t];
      const w = residualBookWeights(b, r.cells, policy, 3, cfg);
      const gain = runBook(w, book.close, 3, 0, cfg.feeRate).returns.reduce((s, x, d) => s + x - base[d], 0);
      expect(r.dataset.rewards[t]).toBeCloseTo(gain, 7);
      if (t % 4 === 0) expect(r.dataset.rewards[t]).toBe(0);
      if (Math.abs(gain) > 1e-6) nonzero++;
    }
    expect(nonzero).toBeGreaterThan(4);
  });

  it('refuses other settings, naming both values', () => {
    const r = buildKolReplay(book, cfg, { embedding: { dim: 4 } });
    expect(() =>
      checkReplaySettings(r.dataset, { name: 'meta.json', settings: { ...r.settings } }),
    ).not.toThrow();
    const bad = () =>
      checkReplaySettings(r.dataset, { name: 'evaluation', settings: { ...r.settings, hold_decay: 1 } });
    expect(bad).toThrow(KolSettingsMismatch);
    expect(bad).toThrow('hold_decay is 0.5 in replay buffer but 1 in evaluation');
  });
});

describe('the trained book', () => {
  const book = kolSplitBook(rows, closes);
  const st = kolStates(book, cfg, { dim: 4 });

  it('is the baseline book exactly when the policy is the baseline', () => {
    const w = residualBookWeights(
      st.baseline,
      st.cells,
      st.cells.map((k) => st.baseline[k]),
      3,
      cfg,
    );
    expect(Array.from(w)).toEqual(Array.from(st.baseline));
    const cmp = compareKolBooks(book, st.baseline, w, st.cells, cfg.feeRate);
    expect(cmp.trained.total_return).toBe(cmp.baseline.total_return);
    expect(cmp.trained.fidelity).toBe(0);
  });

  it("holds the multiplier on unmentioned days, re-normalises, caps, keeps the baseline's gross exposure", () => {
    const policy = st.cells.map((k, r) => st.baseline[k] * (r === 2 ? 0.5 : 1.5));
    const w = residualBookWeights(st.baseline, st.cells, policy, 3, cfg);
    for (let k = 0; k < w.length; k++) expect(Math.abs(w[k])).toBeLessThanOrEqual(cfg.maxWeight + 1e-15);
    for (let d = 0; d < 4; d++) {
      let g = 0;
      let g0 = 0;
      for (let i = 0; i < 3; i++) g += Math.abs(w[d * 3 + i]);
      for (let i = 0; i < 3; i++) g0 += Math.abs(st.baseline[d * 3 + i]);
      expect(g).toBeLessThanOrEqual(g0 + 1e-12);
    }
    // Day 1: A and B are not mentioned and keep their ×1.5 of day 0, C is mentioned at ×0.5;
    // the layer (gross ≤ 1, cap), then back to the baseline day's gross, then the cap again.
    const pre = [st.baseline[3] * 1.5, st.baseline[4] * 1.5, st.baseline[5] * 0.5];
    const cap = (x: number) => Math.max(-cfg.maxWeight, Math.min(cfg.maxWeight, x));
    const gross = pre.reduce((s, x) => s + Math.abs(x), 0);
    const layer = pre.map((x) => cap(x / Math.max(1, gross)));
    const g0 = [3, 4, 5].reduce((s, k) => s + Math.abs(st.baseline[k]), 0);
    const g1 = layer.reduce((s, x) => s + Math.abs(x), 0);
    expect(w[4]).toBeCloseTo(cap((layer[1] * g0) / g1), 12);
    expect(w[5]).toBeCloseTo(cap((layer[2] * g0) / g1), 12);
    const cmp = compareKolBooks(book, st.baseline, w, st.cells, cfg.feeRate);
    expect(cmp.trained.fidelity).toBeGreaterThan(0);
  });
});
