/**
 * The proof on the synthetic generator: informative posts → the baseline book beats buy-and-hold
 * of the same tickers and an edge is claimed; uninformative posts → no edge is claimed.
 * Plus the generator's own contract (seeded, its posts join to the day they are about).
 */
import { describe, expect, it } from 'vitest';
import { generateSynthetic } from '../data/synthetic.ts';
import { edgeStats, evaluateBaseline } from './evaluate.ts';
import { prepareKol } from './prepare.ts';
import { importSignals } from './signals.ts';
import { generateKolSignals, parseKolSyntheticSpec, syntheticSignalsCsv } from './synthetic.ts';

function run(seed: number, accuracy: number, extra: Record<string, number> = {}) {
  const { panel } = generateSynthetic({ seed, assets: 8, days: 1260 });
  const gen = generateKolSignals(panel, { seed, accuracy, ...extra });
  const imp = importSignals(syntheticSignalsCsv(gen.rows), { fileName: 'synthetic.csv' });
  if (!imp.ok) throw new Error(imp.error.message);
  const prep = prepareKol(panel, imp.posts);
  return { panel, gen, imp, prep, test: evaluateBaseline(panel, prep, 'test')! };
}

describe('synthetic posts', () => {
  it('are seeded, round-trip through the signals importer, and join to the day they are about', () => {
    const a = run(7, 0.6, { textFraction: 0.2 });
    const b = run(7, 0.6, { textFraction: 0.2 });
    expect(syntheticSignalsCsv(a.gen.rows)).toBe(syntheticSignalsCsv(b.gen.rows));
    expect(syntheticSignalsCsv(run(8, 0.6).gen.rows)).not.toBe(syntheticSignalsCsv(a.gen.rows));
    expect(a.imp.report.rowsDropped).toBe(0);
    expect(a.imp.report.scoredFromText).toBeGreaterThan(0);
    expect(a.prep.counts.postsDropped).toBe(0);
    const intended = new Map(a.gen.rows.map((r, k) => [r.postId, a.gen.meta.signalRow[k]]));
    for (const p of a.prep.posts) expect(p.row, p.postId).toBe(intended.get(p.postId));
    // Some posts were published after the previous close or on a weekend.
    expect(a.prep.issues.find((i) => i.code === 'after-close')!.count).toBeGreaterThan(100);
    expect(a.prep.issues.find((i) => i.code === 'rolled-forward')!.count).toBeGreaterThan(10);
  });

  it('realise the accuracy asked for', () => {
    expect(run(1, 0.7).gen.meta.realisedAccuracy).toBeCloseTo(0.7, 1);
    expect(run(1, 0.5).gen.meta.realisedAccuracy).toBeCloseTo(0.5, 1);
  });

  it('parses k=v specs and names a bad key', () => {
    expect(parseKolSyntheticSpec('accuracy=0.55,postsPerDay=5,SEED=3')).toEqual({
      accuracy: 0.55,
      postsPerDay: 5,
      seed: 3,
    });
    expect(() => parseKolSyntheticSpec('acc=0.5')).toThrow(/unknown field 'acc'/);
    expect(() => parseKolSyntheticSpec('accuracy=2')).toThrow(/accuracy must be in \[0, 1\], got 2/);
  });
});

describe('baseline book on synthetic posts (default book: max_weight 0.2, hold_decay 1, fee 5 bps)', () => {
  it.each([0, 1, 2, 3, 4])(
    'informative posts (accuracy 0.65), seed %i: beats buy-and-hold of the same tickers and claims an edge',
    (seed) => {
      const { test } = run(seed, 0.65);
      const b = test.baseline;
      const h = test.buyAndHoldMetrics;
      expect(b.sharpe as number).toBeGreaterThan(h.sharpe as number);
      expect(b.total_return as number).toBeGreaterThan(h.total_return as number);
      expect(test.edge.claimed).toBe(true);
      expect(b.fidelity).toBe(0);
      expect(b.max_drawdown as number).toBeLessThanOrEqual(0);
      expect(b.turnover as number).toBeGreaterThan(0);
    },
  );

  it.each([0, 1, 2, 3, 4])('uninformative posts (accuracy 0.5), seed %i: no edge claimed', (seed) => {
    const { test } = run(seed, 0.5);
    expect(test.edge.claimed).toBe(false);
    expect(test.edge.verdict).toMatch(/^no edge claimed/);
  });

  it('decision export: one row per test post, trained = baseline, positions chain day to day', () => {
    const { test, prep } = run(2, 0.6);
    expect(test.decisions.length).toBe(prep.posts.filter((p) => p.row >= test.split.firstRow).length);
    const M = test.tickers.length;
    for (const d of test.decisions) {
      expect(d.trained_action).toBe(d.baseline_action);
      expect(d.equity_trained).toBe(d.equity_baseline);
      const k = test.dates.indexOf(d.date);
      const j = test.tickers.indexOf(d.ticker);
      expect(d.position_after).toBe(test.weights[k * M + j]);
      expect(d.position_before).toBe(k > 0 ? test.weights[(k - 1) * M + j] : 0);
      expect(d.equity_baseline).toBe(test.run.equity[k]);
      expect(Math.sign(d.position_after)).toBe(Math.sign(d.baseline_raw_score));
    }
  });
});

describe('edgeStats', () => {
  it('counts hits against a coin', () => {
    const days = [
      { sentiment: 1, nextReturn: 0.01, reward: 0.01 },
      { sentiment: -1, nextReturn: -0.01, reward: 0.01 },
      { sentiment: 1, nextReturn: -0.01, reward: -0.01 },
      { sentiment: 0, nextReturn: 0.02, reward: 0 },
    ];
    const e = edgeStats(days);
    expect(e.tickerDays).toBe(3);
    expect(e.hitRate).toBeCloseTo(2 / 3, 15);
    expect(e.hitZ).toBeCloseTo((2 - 1.5) / Math.sqrt(0.75), 12);
    expect(e.claimed).toBe(false);
  });
});
