/** Always-on indicator tests: hand-computable cases and fast-check properties (no shared data needed). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  atr,
  bollinger,
  ema,
  heikinAshi,
  ichimoku,
  macd,
  rollingMax,
  rollingMin,
  rollingStd,
  rsi,
  sma,
  supertrend,
  trueRange,
  wilderSmooth,
} from './index.ts';

const N = NaN;

function expectClose(actual: ArrayLike<number>, expected: number[], tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, t) => {
    if (Number.isNaN(e)) expect(actual[t], `[${t}]`).toBeNaN();
    else expect(Math.abs(actual[t] - e), `[${t}]: ${actual[t]} vs ${e}`).toBeLessThanOrEqual(tol);
  });
}

describe('hand-computed cases', () => {
  it('SMA of 1..10', () => {
    const x = Array.from({ length: 10 }, (_, i) => i + 1);
    expectClose(sma(x, 3), [N, N, 2, 3, 4, 5, 6, 7, 8, 9]);
    expectClose(sma(x, 10), [N, N, N, N, N, N, N, N, N, 5.5]);
    expectClose(sma(x, 11), Array(10).fill(N));
  });

  it('EMA is seeded with the SMA of the first n, then alpha = 2/(n+1)', () => {
    // n = 3 → alpha = 0.5: seed mean(2,4,6) = 4; then 4 + 0.5·(8−4) = 6; 6 + 0.5·(0−6) = 3.
    expectClose(ema([2, 4, 6, 8, 0], 3), [N, N, 4, 6, 3]);
  });

  it('Wilder smoothing: seed SMA, then (prev·(n−1) + x)/n', () => {
    expectClose(wilderSmooth([1, 3, 5, 7], 2), [N, 2, 3.5, 5.25]);
  });

  it('RSI(2) by hand: 100 while no losses, 50 when gains = losses', () => {
    // changes +1, +1, −1, +2. avgGain/avgLoss: (1, 0) → 100; (0.5, 0.5) → 50; (1.25, 0.25) → RS 5.
    expectClose(rsi([1, 2, 3, 2, 4], 2), [N, N, 100, 50, 100 - 100 / 6]);
  });

  it('RSI(14) on the classic Wilder/StockCharts closes (values as asserted by technicalindicators, 2 dp)', () => {
    const closes = [
      44.34, 44.09, 44.15, 43.61, 44.33, 44.83, 45.1, 45.42, 45.84, 46.08, 45.89, 46.03, 45.61, 46.28, 46.28,
      46, 46.03,
    ];
    const r = rsi(closes, 14);
    for (let t = 0; t < 14; t++) expect(r[t]).toBeNaN();
    expectClose(r.subarray(14), [70.46, 66.25, 66.48], 0.005);
  });

  it('RSI of a constant series is 100 (avgLoss = 0 convention); of a falling one 0', () => {
    expectClose(rsi(Array(20).fill(7), 14).subarray(14), Array(6).fill(100));
    expectClose(
      rsi(
        Array.from({ length: 20 }, (_, i) => 100 - i),
        14,
      ).subarray(14),
      Array(6).fill(0),
    );
  });

  it('true range and ATR(2) by hand', () => {
    const high = [10, 11, 12, 12.5];
    const low = [9, 10, 11, 12];
    const close = [9.5, 10.5, 11.5, 12];
    // TR1 = max(1, |11−9.5|, |10−9.5|) = 1.5; TR2 = 1.5; TR3 = max(0.5, |12.5−11.5|, |12−11.5|) = 1.
    expectClose(trueRange(high, low, close), [N, 1.5, 1.5, 1]);
    // ATR first at index n = 2: mean(TR1, TR2) = 1.5; then (1.5·1 + 1)/2 = 1.25.
    expectClose(atr(high, low, close, 2), [N, N, 1.5, 1.25]);
  });

  it('ATR of a flat market is 0; MACD of a constant series is 0', () => {
    const c = Array(40).fill(50);
    expectClose(atr(c, c, c, 14).subarray(14), Array(26).fill(0));
    const m = macd(c, 12, 26, 9);
    expectClose(m.macd.subarray(25), Array(15).fill(0));
    expectClose(m.histogram.subarray(33), Array(7).fill(0));
  });

  it('Bollinger: population std by hand; width exactly 0 on constant input', () => {
    const b = bollinger([1, 3], 2, 2);
    expectClose(b.middle, [N, 2]);
    expectClose(b.upper, [N, 4]); // σ = 1 (population), k = 2
    expectClose(b.lower, [N, 0]);
    const c = bollinger(Array(30).fill(123.45), 20, 2);
    for (let t = 19; t < 30; t++) {
      expect(c.upper[t]).toBe(123.45);
      expect(c.middle[t]).toBe(123.45);
      expect(c.lower[t]).toBe(123.45);
    }
  });

  it('rolling max/min by hand', () => {
    const x = [3, 1, 4, 1, 5, 9, 2, 6];
    expectClose(rollingMax(x, 3), [N, N, 4, 4, 5, 9, 9, 9]);
    expectClose(rollingMin(x, 3), [N, N, 1, 1, 1, 1, 2, 2]);
    // A NaN inside the window gives NaN until it leaves.
    expectClose(rollingMax([1, 2, N, 4, 5, 6], 2), [N, 2, N, N, 5, 6]);
  });

  it('Ichimoku with small periods by hand; spans displaced forward', () => {
    const high = [10, 12, 11, 15, 14, 13];
    const low = [8, 9, 9, 11, 12, 10];
    const r = ichimoku(high, low, 2, 3, 4, 2);
    // tenkan (2): (12+8)/2, (12+9)/2, (15+9)/2, (15+11)/2, (14+10)/2
    expectClose(r.tenkan, [N, 10, 10.5, 12, 13, 12]);
    // kijun (3): (12+8)/2, (15+9)/2, (15+9)/2, (15+10)/2
    expectClose(r.kijun, [N, N, 10, 12, 12, 12.5]);
    // spanA[t] = (tenkan + kijun)[t−2]; spanB[t] = 4-bar midpoint ending at t−2
    expectClose(r.spanA, [N, N, N, N, 10.25, 12]);
    expectClose(r.spanB, [N, N, N, N, N, 11.5]); // (15 + 8)/2 over bars 0..3
    expect(Object.keys(r).sort()).toEqual(['kijun', 'spanA', 'spanB', 'tenkan']); // no chikou
  });

  it('Heikin-Ashi by hand', () => {
    const r = heikinAshi([10, 11], [12, 13], [9, 10], [11, 12]);
    expectClose(r.close, [10.5, 11.5]);
    expectClose(r.open, [10.5, 10.5]);
    expectClose(r.high, [12, 13]);
    expectClose(r.low, [9, 10]);
  });

  it('Supertrend follows a rise below price and flips above price after a crash', () => {
    const close = [
      ...Array.from({ length: 30 }, (_, i) => 100 + i),
      ...Array.from({ length: 10 }, (_, i) => 100 - 5 * i),
    ];
    const high = close.map((c) => c + 1);
    const low = close.map((c) => c - 1);
    const r = supertrend(high, low, close, 5, 2);
    for (let t = 0; t < 5; t++) expect(r.supertrend[t]).toBeNaN();
    for (let t = 5; t < 30; t++) expect(r.direction[t]).toBe(1);
    expect(r.direction[39]).toBe(-1);
  });

  it('leading NaN: warm-up starts at the first finite input', () => {
    expectClose(sma([N, N, 1, 2, 3], 2), [N, N, N, 1.5, 2.5]);
    expectClose(ema([N, 2, 4, 6, 8], 3), [N, N, N, 4, 6]);
    expectClose(rsi([N, 1, 2, 3, 2], 2), [N, N, N, 100, 50]);
  });

  it('rejects bad parameters and mismatched inputs', () => {
    expect(() => sma([1, 2], 0)).toThrow(/SMA period must be an integer ≥ 1, got 0/);
    expect(() => ema([1, 2], 2.5)).toThrow(RangeError);
    expect(() => macd([1, 2], 26, 12, 9)).toThrow(/fast period \(26\) must be shorter/);
    expect(() => bollinger([1, 2], 2, -1)).toThrow(/multiplier/);
    expect(() => atr([1, 2], [1], [1, 2])).toThrow(/lengths differ/);
  });
});

// ---- properties ----

interface Bars {
  open: number[];
  high: number[];
  low: number[];
  close: number[];
}

/** Random positive OHLC bars: a multiplicative random walk with consistent high/low. */
const barsArb = (minLength: number, maxLength: number): fc.Arbitrary<Bars> =>
  fc
    .array(
      fc.tuple(
        fc.double({ min: -0.08, max: 0.08, noNaN: true }),
        fc.double({ min: 0, max: 0.03, noNaN: true }),
        fc.double({ min: 0, max: 0.03, noNaN: true }),
        fc.double({ min: -0.02, max: 0.02, noNaN: true }),
      ),
      {
        minLength,
        maxLength,
      },
    )
    .chain((steps) =>
      fc.double({ min: 1, max: 1000, noNaN: true }).map((p0) => {
        const bars: Bars = { open: [], high: [], low: [], close: [] };
        let p = p0;
        for (const [r, up, down, gap] of steps) {
          const open = p * (1 + gap);
          p *= 1 + r;
          bars.open.push(open);
          bars.close.push(p);
          bars.high.push(Math.max(open, p) * (1 + up));
          bars.low.push(Math.min(open, p) * (1 - down));
        }
        return bars;
      }),
    );

/** Every kernel on default-ish small parameters, as named output series. */
function allKernels(b: Bars): Record<string, Float64Array> {
  const m = macd(b.close, 3, 6, 4);
  const bb = bollinger(b.close, 5, 2);
  const ich = ichimoku(b.high, b.low, 3, 6, 9, 6);
  const ha = heikinAshi(b.open, b.high, b.low, b.close);
  const st = supertrend(b.high, b.low, b.close, 4, 3);
  return {
    sma: sma(b.close, 5),
    ema: ema(b.close, 5),
    wilder: wilderSmooth(b.close, 5),
    rsi: rsi(b.close, 5),
    macd: m.macd,
    macdSignal: m.signal,
    macdHist: m.histogram,
    tr: trueRange(b.high, b.low, b.close),
    atr: atr(b.high, b.low, b.close, 5),
    bbUpper: bb.upper,
    bbMiddle: bb.middle,
    bbLower: bb.lower,
    tenkan: ich.tenkan,
    kijun: ich.kijun,
    spanA: ich.spanA,
    spanB: ich.spanB,
    haOpen: ha.open,
    haHigh: ha.high,
    haLow: ha.low,
    haClose: ha.close,
    supertrend: st.supertrend,
    supertrendDir: st.direction,
  };
}

/** Exact warm-up length of each series in `allKernels`. */
const WARMUP: Record<string, number> = {
  sma: 4,
  ema: 4,
  wilder: 4,
  rsi: 5,
  macd: 5,
  macdSignal: 8,
  macdHist: 8,
  tr: 1,
  atr: 5,
  bbUpper: 4,
  bbMiddle: 4,
  bbLower: 4,
  tenkan: 2,
  kijun: 5,
  spanA: 11,
  spanB: 14,
  haOpen: 0,
  haHigh: 0,
  haLow: 0,
  haClose: 0,
  supertrend: 4,
  supertrendDir: 4,
};

describe('properties (fast-check)', () => {
  it('output length = input length; NaN prefix exactly the documented warm-up, finite after', () => {
    fc.assert(
      fc.property(barsArb(1, 40), (b) => {
        const out = allKernels(b);
        expect(Object.keys(out).sort()).toEqual(Object.keys(WARMUP).sort());
        for (const [name, series] of Object.entries(out)) {
          expect(series.length, name).toBe(b.close.length);
          series.forEach((v, t) => expect(Number.isNaN(v), `${name}[${t}]`).toBe(t < WARMUP[name]));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('no look-ahead: changing inputs after t never changes any output at or before t', () => {
    fc.assert(
      fc.property(barsArb(2, 40), barsArb(40, 40), fc.nat(), (b, other, tRaw) => {
        const t = tRaw % b.close.length;
        const changed: Bars = {
          open: b.open.map((v, i) => (i > t ? other.open[i] : v)),
          high: b.high.map((v, i) => (i > t ? other.high[i] : v)),
          low: b.low.map((v, i) => (i > t ? other.low[i] : v)),
          close: b.close.map((v, i) => (i > t ? other.close[i] : v)),
        };
        const before = allKernels(b);
        const after = allKernels(changed);
        for (const name of Object.keys(before)) {
          for (let i = 0; i <= t; i++)
            expect(Object.is(before[name][i], after[name][i]), `${name}[${i}] with t = ${t}`).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('moving averages of a constant are exactly that constant; Bollinger width exactly 0', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        (c, n, extra) => {
          const x = Array(n + extra).fill(c);
          for (const f of [
            sma(x, n),
            ema(x, n),
            wilderSmooth(x, n),
            bollinger(x, n, 2).upper,
            bollinger(x, n, 2).lower,
          ]) {
            for (let t = n - 1; t < x.length; t++) expect(f[t] === c, `${f[t]} at ${t} vs ${c}`).toBe(true); // === : −0 equals 0
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('rolling max/min/std equal a naive window scan; SMA and EMA stay within the range of the data they read', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1000, max: 1000, noNaN: true }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 12 }),
        (x, n) => {
          const mx = rollingMax(x, n);
          const mn = rollingMin(x, n);
          const sd = rollingStd(x, n);
          const av = sma(x, n);
          const ex = ema(x, n);
          let lo = Infinity;
          let hi = -Infinity;
          for (let t = 0; t < x.length; t++) {
            lo = Math.min(lo, x[t]);
            hi = Math.max(hi, x[t]);
            if (t < n - 1) continue;
            const w = x.slice(t - n + 1, t + 1);
            const mean = w.reduce((a, v) => a + v, 0) / n;
            const std = Math.sqrt(w.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
            expect(mx[t]).toBe(Math.max(...w));
            expect(mn[t]).toBe(Math.min(...w));
            expect(Math.abs(sd[t] - std)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(hi) + Math.abs(lo)));
            expect(Math.abs(av[t] - mean)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(hi) + Math.abs(lo)));
            const eps = 1e-9 * (1 + Math.abs(hi) + Math.abs(lo));
            expect(ex[t]).toBeGreaterThanOrEqual(lo - eps);
            expect(ex[t]).toBeLessThanOrEqual(hi + eps);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('ranges: RSI in [0, 100]; ATR ≥ 0; upper ≥ middle ≥ lower; HA high/low envelope its open/close; supertrend side matches direction', () => {
    fc.assert(
      fc.property(barsArb(1, 60), (b) => {
        const o = allKernels(b);
        for (let t = 0; t < b.close.length; t++) {
          if (t >= WARMUP.rsi) expect(o.rsi[t] >= 0 && o.rsi[t] <= 100).toBe(true);
          if (t >= WARMUP.atr) expect(o.atr[t]).toBeGreaterThanOrEqual(0);
          if (t >= WARMUP.bbMiddle)
            expect(o.bbUpper[t] >= o.bbMiddle[t] && o.bbMiddle[t] >= o.bbLower[t]).toBe(true);
          expect(o.haHigh[t]).toBeGreaterThanOrEqual(Math.max(o.haOpen[t], o.haClose[t]));
          expect(o.haLow[t]).toBeLessThanOrEqual(Math.min(o.haOpen[t], o.haClose[t]));
          if (t >= WARMUP.supertrend) {
            // Up-trend: the line is below the close; down-trend: at or above it.
            if (o.supertrendDir[t] === 1) expect(o.supertrend[t]).toBeLessThan(b.close[t]);
            else expect(o.supertrend[t]).toBeGreaterThanOrEqual(b.close[t]);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
