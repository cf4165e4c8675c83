/**
 * Issue 11's proof for the residual policy, on the synthetic generator (8 tickers × 1,260 days,
 * split 0.6 / 0.2 / 0.2, the book's defaults), trained with core's residual IQL:
 * - informative posts whose reliability varies across tickers (accuracy 0.6 ± 0.15), seed λ 0.3:
 *   the trained book's test Sharpe beats the baseline's in ≥ 2 of 3 seeds;
 * - a very tight λ: the trained book is the baseline book to 1e-6;
 * - uninformative posts (accuracy 0.5): the residual claims no edge (paired t < 2.33) in any seed.
 * Numbers are printed for the README.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../agents/backend.ts';
import { generateSynthetic } from '../data/synthetic.ts';
import { kolSplitBooks } from './books.ts';
import { prepareKol } from './prepare.ts';
import {
  DEFAULT_KOL_RESIDUAL,
  evaluateKolResidual,
  residualEdge,
  trainKolResidual,
  type KolResidualConfig,
} from './residualTrain.ts';
import { importSignals } from './signals.ts';
import { generateKolSignals, syntheticSignalsCsv, type KolSyntheticConfig } from './synthetic.ts';

function data(seed: number, posts: Partial<KolSyntheticConfig>) {
  const panel = generateSynthetic({ assets: 8, days: 1260, seed }).panel;
  const gen = generateKolSignals(panel, { ...posts, seed });
  const imp = importSignals(syntheticSignalsCsv(gen.rows), { fileName: 'synthetic.csv' });
  if (!imp.ok) throw new Error(imp.error.message);
  const prep = prepareKol(panel, imp.posts);
  return { prep, books: kolSplitBooks(panel, prep) };
}

async function trainAndTest(seed: number, posts: Partial<KolSyntheticConfig>, c: Partial<KolResidualConfig>) {
  const { prep, books } = data(seed, posts);
  const t0 = performance.now();
  const tr = await trainKolResidual(books.train!, prep.config, { ...DEFAULT_KOL_RESIDUAL, seed, ...c });
  const learner = tr.result.learner;
  if (!learner) throw new Error(tr.result.error);
  try {
    const ev = await evaluateKolResidual(learner, books.test!, prep.config, DEFAULT_KOL_RESIDUAL.textDim);
    const edge = residualEdge(ev.cmp.baselineRun.returns, ev.cmp.trainedRun.returns);
    let maxDiff = 0;
    ev.baseline.forEach((b, k) => (maxDiff = Math.max(maxDiff, Math.abs(ev.cmp.trainedWeights[k] - b))));
    return { ev, edge, maxDiff, seconds: (performance.now() - t0) / 1000 };
  } finally {
    learner.dispose();
  }
}

/** A metrics record's number (its values are number | string | null). */
const n = (x: unknown) => Number(x);

const INFORMATIVE = { accuracy: 0.6, tickerSpread: 0.15 };
const UNINFORMATIVE = { accuracy: 0.5, tickerSpread: 0 };
const SEEDS = [1, 2, 3];

describe('residualEdge (does the residual claim an edge?)', () => {
  it('is the paired t-test of the day-return differences at 2.33', () => {
    // Differences 0.01, 0.02, 0.03: mean 0.02, sample sd 0.01, t = 0.02 / (0.01/√3) = 2√3.
    const e = residualEdge([0, 0, 0], [0.01, 0.02, 0.03]);
    expect(e.meanDiff).toBeCloseTo(0.02, 15);
    expect(e.t).toBeCloseTo(2 * Math.sqrt(3), 12);
    expect(e.claimed).toBe(true);
    expect(residualEdge([0.01, 0], [0.02, -0.01]).claimed).toBe(false); // mean 0
    expect(residualEdge([0.1, 0.2], [0.1, 0.2])).toMatchObject({ t: 0, claimed: false });
    expect(() => residualEdge([0], [0, 1])).toThrow(/1 baseline days, 2 trained days/);
  });
});

describe('residual IQL on synthetic posts (issue 11 proof)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('informative posts, λ 0.3: the trained book beats the baseline test Sharpe in ≥ 2 of 3 seeds', async () => {
    let improved = 0;
    for (const seed of SEEDS) {
      const { ev, edge, seconds } = await trainAndTest(seed, INFORMATIVE, { fidelityLambda: 0.3 });
      const { baseline: b, trained: t } = ev.cmp;
      console.log(
        `[kol] informative seed ${seed}: test Sharpe ${n(b.sharpe).toFixed(3)} → ${n(t.sharpe).toFixed(3)}, fidelity ${n(t.fidelity).toFixed(4)}, t ${edge.t.toFixed(2)}, ${seconds.toFixed(1)} s`,
      );
      expect(n(t.fidelity)).toBeGreaterThan(1e-3); // it moved off the baseline
      if (n(t.sharpe) > n(b.sharpe)) improved++;
    }
    expect(improved).toBeGreaterThanOrEqual(2);
  }, 600_000);

  it('a very tight λ: the trained book is the baseline book to 1e-6', async () => {
    const { maxDiff, ev } = await trainAndTest(1, INFORMATIVE, { fidelityLambda: 1e6, steps: 300 });
    console.log(`[kol] λ 1e6: max |trained − baseline| weight ${maxDiff.toExponential(2)}`);
    expect(maxDiff).toBeLessThan(1e-6);
    expect(n(ev.cmp.trained.sharpe)).toBeCloseTo(n(ev.cmp.baseline.sharpe), 4);
  }, 300_000);

  it('uninformative posts: the residual claims no edge over the baseline in any seed', async () => {
    for (const seed of SEEDS) {
      const { ev, edge, seconds } = await trainAndTest(seed, UNINFORMATIVE, { fidelityLambda: 0.3 });
      console.log(
        `[kol] uninformative seed ${seed}: test Sharpe ${n(ev.cmp.baseline.sharpe).toFixed(3)} → ${n(ev.cmp.trained.sharpe).toFixed(3)}, ${edge.verdict}, ${seconds.toFixed(1)} s`,
      );
      expect(edge.claimed).toBe(false);
    }
  }, 600_000);
});
