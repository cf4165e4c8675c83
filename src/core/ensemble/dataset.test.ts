/** The 34-feature dataset: values by hand, no leakage (fast-check), action distribution, CSV and binary round trips. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDatasetBinary, encodeDatasetBinary } from '../agents/offline/binary.ts';
import { datasetFromCsv, datasetToCsv } from '../agents/offline/csv.ts';
import type { Panel, SplitSpec } from '../data/types.ts';
import { Rng } from '../rng.ts';
import { randomPanel } from './testing.ts';
import {
  ACTION_NAMES,
  CSV_HEADER,
  STATE_FEATURES,
  actionDistribution,
  alignSignals,
  analyseEnsemble,
  backtestEnsemble,
  buildEnsembleDataset,
  datasetCsv,
  formatActionDistribution,
  parseDatasetCsv,
  toOfflineDataset,
  type RegimeFit,
  type SignalRecord,
} from './index.ts';

function splitAt(dates: string[], trainEnd: number, validEnd: number): SplitSpec {
  return {
    train: { start: dates[0], end: dates[trainEnd] },
    valid: { start: dates[trainEnd + 1], end: dates[validEnd] },
    test: { start: dates[validEnd + 1], end: dates[dates.length - 1] },
  };
}

function randomRecords(panel: Pick<Panel, 'dates' | 'assets'>, seed: number, coverage = 0.4): SignalRecord[] {
  const rng = new Rng(seed);
  const out: SignalRecord[] = [];
  for (const date of panel.dates) {
    for (const asset of [...panel.assets, null]) {
      if (rng.float() < coverage)
        out.push({ date, asset, sentiment: rng.uniform(-1, 1), confidence: rng.float() });
    }
  }
  return out;
}

function build(panel: Panel, split: SplitSpec, records: SignalRecord[] | null, regimeFit?: RegimeFit) {
  const signals = records ? alignSignals(records, panel, 'test').signals : null;
  const a = analyseEnsemble(panel, split, signals, {}, regimeFit ? { regimeFit } : {});
  const runs = backtestEnsemble(a);
  return { a, runs, ds: buildEnsembleDataset(a, runs) };
}

const F = STATE_FEATURES.length;

describe('the 34-feature state', () => {
  const T = 260;
  const N = 2;
  const panel = randomPanel(T, N, 21);
  const split = splitAt(panel.dates, 159, 209);
  const { a, runs, ds } = build(panel, split, randomRecords(panel, 4));

  it('has the seed’s 34 named columns', () => {
    expect(STATE_FEATURES.length).toBe(34);
    expect(STATE_FEATURES.slice(0, 2)).toEqual(['ret_1', 'ret_2']);
    expect(STATE_FEATURES.slice(19)).toEqual([
      'ret_20',
      'rsi',
      'macd_signal',
      'bb_width',
      'volume_ratio',
      'position',
      'leverage',
      'cash_pct',
      'days_since_trade',
      'regime_low',
      'regime_normal',
      'regime_high',
      'data_health',
      'news_sentiment',
      'macro_sentiment',
    ]);
  });

  it('rows: every split × date × asset, labelled with the ensemble’s decision', () => {
    expect(ds.size).toBe(T * N);
    expect(runs.map((r) => r.split)).toEqual(['train', 'valid', 'test']);
    expect(ds.date.slice(0, 3)).toEqual([panel.dates[0], panel.dates[0], panel.dates[1]]);
    expect(ds.asset.slice(0, 3)).toEqual(['A0', 'A1', 'A0']);
    expect(ds.split[160 * N]).toBe('valid');
    for (let r = 0; r < ds.size; r++) {
      expect(ds.action[r]).toBe(a.decisions.action[r]);
      expect(ds.strength[r]).toBe(Math.fround(a.decisions.strength[r]));
      expect(ds.strength[r]).toBeGreaterThanOrEqual(0);
      expect(ds.strength[r]).toBeLessThanOrEqual(1);
    }
  });

  it('values by hand at one row (t = 200, asset 1, in the valid split)', () => {
    const t = 200;
    const i = 1;
    const r = t * N + i;
    const x = (name: string) => ds.X[r * F + STATE_FEATURES.indexOf(name)];
    const c = (s: number) => panel.close[s * N + i];
    for (let j = 1; j <= 20; j++) expect(x(`ret_${j}`)).toBe(Math.fround(c(t - j + 1) / c(t - j) - 1));
    expect(x('rsi')).toBe(Math.fround(a.indicators[i].rsi[t] / 100));
    expect(x('macd_signal')).toBe(Math.fround(a.indicators[i].macdSignal[t] / c(t)));
    const ind = a.indicators[i];
    expect(x('bb_width')).toBe(Math.fround((ind.bbUpper[t] - ind.bbLower[t]) / ind.bbMiddle[t]));
    let vs = 0;
    for (let s = t - 19; s <= t; s++) vs += panel.volume[s * N + i];
    expect(x('volume_ratio')).toBeCloseTo(panel.volume[r] / (vs / 20), 5);
    const bt = runs[1].ensemble;
    const k = t - runs[1].rows.start;
    expect(x('position')).toBe(Math.fround(bt.pre.position[k * N + i]));
    expect(x('leverage')).toBe(Math.fround(bt.pre.gross[k]));
    expect(x('cash_pct')).toBe(Math.fround(bt.pre.cashShare[k]));
    expect(x('days_since_trade')).toBe(Math.fround(Math.tanh(bt.pre.daysSinceTrade[k * N + i] / 10)));
    const regime = a.risk.regime[r];
    expect([x('regime_low'), x('regime_normal'), x('regime_high')]).toEqual(
      [0, 1, 2].map((g) => (g === regime ? 1 : 0)),
    );
    expect(x('data_health')).toBe(1);
    const s = a.signals!;
    expect(x('news_sentiment')).toBe(
      Math.fround(Number.isNaN(s.sentiment[r]) ? 0 : s.sentiment[r] * s.confidence[r]),
    );
    expect(x('macro_sentiment')).toBe(Math.fround(Number.isNaN(s.macro[t]) ? 0 : s.macro[t]));
  });

  it('data health counts the valid inputs of the window: 0 on the first row, rising through the warm-up, 1 after', () => {
    const health = (t: number) => ds.X[t * N * F + STATE_FEATURES.indexOf('data_health')];
    expect(health(0)).toBe(0);
    expect(health(5)).toBeCloseTo(5 / 25, 6); // 5 past returns, nothing else yet
    // Row 19: 19 returns + RSI (from row 14) + Bollinger and volume ratio (from row 19); no σ (row 20), no MACD signal (33).
    expect(health(19)).toBeCloseTo(22 / 25, 6);
    expect(health(33)).toBe(1);
    // Splits read the rows before their start as history: health never drops at a split boundary.
    for (let t = 1; t < T; t++) expect(health(t)).toBeGreaterThanOrEqual(health(t - 1));
  });

  it('without signals the news and macro columns are 0 and the news analyst abstains', () => {
    const none = build(panel, split, null);
    for (let r = 0; r < none.ds.size; r++) {
      expect(none.ds.X[r * F + STATE_FEATURES.indexOf('news_sentiment')]).toBe(0);
      expect(none.ds.X[r * F + STATE_FEATURES.indexOf('macro_sentiment')]).toBe(0);
    }
    expect(none.a.news.action.every((x) => x === -1)).toBe(true);
  });
});

describe('no leakage (fast-check): every feature and label of day t reads data up to t only', () => {
  const T = 150;
  const N = 2;
  const base = randomPanel(T, N, 5);
  const trainEnd = 99;
  const split = splitAt(base.dates, trainEnd, 124);
  const baseRecords = randomRecords(base, 8);
  const ref = build(base, split, baseRecords);

  /** `p` with every bar after row t replaced by `q`'s. */
  function changeAfter(p: Panel, q: Panel, t: number): Panel {
    const out = {
      ...p,
      open: p.open.slice(),
      high: p.high.slice(),
      low: p.low.slice(),
      close: p.close.slice(),
      volume: p.volume.slice(),
    };
    for (let k = (t + 1) * N; k < T * N; k++) {
      out.open[k] = q.open[k];
      out.high[k] = q.high[k];
      out.low[k] = q.low[k];
      out.close[k] = q.close[k];
      out.volume[k] = q.volume[k];
    }
    return out;
  }

  function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
    for (let k = 0; k < n; k++) if (!Object.is(a[k], b[k])) return k;
    return -1;
  }

  it('changing prices, volumes and news after t never changes rows ≤ t (regimes refitted when t is past train, else the saved fit)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: T - 2 }), fc.integer({ min: 1, max: 1e9 }), (t, seed) => {
        const changed = changeAfter(base, randomPanel(T, N, seed), t);
        const records = [
          ...baseRecords.filter((r) => r.date <= base.dates[t]),
          ...randomRecords(base, seed).filter((r) => r.date > base.dates[t]),
        ];
        const past = t >= trainEnd;
        const b = build(changed, split, records, past ? undefined : ref.a.risk.fit);
        if (past) expect(b.a.risk.fit).toEqual(ref.a.risk.fit);
        const rows = (t + 1) * N; // rows are ordered by date, then asset
        const col = firstDifference(ref.ds.X, b.ds.X, rows * F);
        expect(col, `first feature that moved: row ${Math.floor(col / F)}, ${STATE_FEATURES[col % F]}`).toBe(
          -1,
        );
        expect(firstDifference(ref.ds.action, b.ds.action, rows), 'first action that moved').toBe(-1);
        expect(firstDifference(ref.ds.strength, b.ds.strength, rows), 'first strength that moved').toBe(-1);
      }),
      { numRuns: 40 },
    );
  });

  it('the fit reads train rows only, so a change inside train may move the regimes (the saved fit is needed above)', () => {
    const changed = changeAfter(base, randomPanel(T, N, 99), 50);
    expect(build(changed, split, null).a.risk.fit).not.toEqual(ref.a.risk.fit);
  });
});

describe('action distribution and files', () => {
  it('counts and percentages, printed as the seed prints them', () => {
    const d = actionDistribution([0, 0, 1, 2, 2, 2]);
    expect(d).toEqual({
      total: 6,
      counts: { HOLD: 2, BUY: 1, SELL: 3 },
      percent: { HOLD: 200 / 6, BUY: 100 / 6, SELL: 50 },
    });
    expect(formatActionDistribution(d)).toBe(
      'Action distribution:\n  HOLD: 2 (33.3%)\n  BUY: 1 (16.7%)\n  SELL: 3 (50.0%)',
    );
  });

  const panel = randomPanel(200, 2, 33);
  const { ds } = build(panel, splitAt(panel.dates, 119, 159), randomRecords(panel, 2));

  it('dataset.csv: date, asset, split, the 34 named columns, action, strength — round trip exact', () => {
    const text = datasetCsv(ds);
    const [header, first] = text.split('\n');
    expect(header.split(',')).toEqual([...CSV_HEADER]);
    expect(header.split(',').length).toBe(3 + 34 + 2);
    expect(first.split(',').slice(0, 3)).toEqual([panel.dates[0], 'A0', 'train']);
    expect(ACTION_NAMES).toContain(first.split(',')[37]);
    const back = parseDatasetCsv(text);
    expect(back.size).toBe(ds.size);
    expect(back.date).toEqual(ds.date);
    expect(back.asset).toEqual(ds.asset);
    expect(back.split).toEqual(ds.split);
    expect(Buffer.from(back.X.buffer).equals(Buffer.from(ds.X.buffer))).toBe(true);
    expect(back.action).toEqual(ds.action);
    expect(Buffer.from(back.strength.buffer).equals(Buffer.from(ds.strength.buffer))).toBe(true);
  });

  it('dataset.csv errors name the line and column', () => {
    const lines = datasetCsv(ds).split('\n');
    const cells = lines[3].split(',');
    cells[3 + 34] = 'LONG';
    lines[3] = cells.join(',');
    expect(() => parseDatasetCsv(lines.join('\n'), 'd.csv')).toThrow(
      "d.csv, line 4, column 'action': 'LONG' is not HOLD, BUY or SELL",
    );
    expect(() => parseDatasetCsv('date,asset\n', 'd.csv')).toThrow(/line 1, column '#3': expected 'split'/);
  });

  it('the lab’s binary format (and its CSV format) round-trip bit for bit, with the feature names in meta', () => {
    const off = toOfflineDataset(ds, 'ensemble:test');
    expect(off.obsDim).toBe(34);
    expect(off.meta.notes?.features).toBe(STATE_FEATURES.join(','));
    const back = decodeDatasetBinary(encodeDatasetBinary(off), 'dataset.bin');
    expect(back.obs).toEqual(ds.X);
    expect(Array.from(back.actions)).toEqual(Array.from(ds.action));
    expect(back.strength).toEqual(ds.strength);
    expect(back.rewards).toEqual(off.rewards);
    expect(back.nextObs).toEqual(off.nextObs);
    expect(back.timeouts).toEqual(off.timeouts);
    // One timeout per split run and asset; next obs = the same asset's next day.
    expect(off.timeouts.reduce((s, x) => s + x, 0)).toBe(3 * 2);
    expect(off.nextObs.subarray(0, 34)).toEqual(ds.X.subarray(2 * 34, 3 * 34));
    const viaCsv = datasetFromCsv(datasetToCsv(off), { file: 'lab.csv' });
    expect(viaCsv.obs).toEqual(off.obs);
    expect(viaCsv.strength).toEqual(off.strength);
    expect(viaCsv.actions).toEqual(off.actions);
    expect(() => toOfflineDataset(parseDatasetCsv(datasetCsv(ds)), 'x')).toThrow(/no rewards/);
  });

  it('reward = the sleeve’s next-day return net of the day’s fee', () => {
    const { a, runs, ds: d } = build(panel, splitAt(panel.dates, 119, 159), null);
    const bt = runs[0].ensemble;
    const N = 2;
    for (const t of [40, 80, 118]) {
      const i = 1;
      const p = bt.position[t * N + i];
      const move = panel.close[(t + 1) * N + i] / panel.close[t * N + i] - 1;
      expect(d.reward![t * N + i]).toBe(
        Math.fround(p * move - a.config.fee * Math.abs(p - bt.pre.position[t * N + i])),
      );
    }
  });
});
