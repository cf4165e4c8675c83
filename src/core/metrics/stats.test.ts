/**
 * Golden values from empyrical's own test suite, fixtures and expected numbers copied verbatim:
 * quantopian/empyrical empyrical/tests/test_stats.py (commit 0a9fa5848a3ed519be0f514df9e3a04fb7b37ad3,
 * the NaN-aware version: nanmean / nanstd ddof=1) and its maintained fork
 * stefan-jansen/empyrical-reloaded tests/test_stats.py (commit 31173cf13db00328bd5bbe70a016e62a36ba067e).
 * The two agree everywhere except weekly/monthly Sortino, where the old quantopian commit annualised
 * the downside risk with 252 whatever the period (a bug, fixed later); we use the fixed values
 * (weekly 1.1158901056866439 instead of 0.5069, monthly 0.53605626741889756 instead of 0.1170).
 * empyrical asserts 8 decimals (numpy assert_almost_equal), cum_returns 4 decimals; toBeCloseTo(x, 8)
 * is the stricter |Δ| < 5e-9.
 */
import { describe, expect, it } from 'vitest';
import { aggregateReturns, monthlyReturnsTable } from './calendar.ts';
import { maxDrawdown } from './drawdown.ts';
import {
  ANNUALIZATION,
  annualReturn,
  annualVolatility,
  cagr,
  calmarRatio,
  cumReturns,
  downsideRisk,
  sharpeRatio,
  sortinoRatio,
  totalReturn,
  type Rate,
} from './stats.ts';

const pct = (xs: number[]): Float64Array => Float64Array.from(xs, (x) => x / 100);

// --- empyrical fixtures (test_stats.py, class TestStats) ---
const simpleBenchmark = pct([0, 1, 0, 1, 0, 1, 0, 1, 0]);
const positiveReturns = pct([1, 2, 1, 1, 1, 1, 1, 1, 1]);
const negativeReturns = pct([0, -6, -7, -1, -9, -2, -6, -8, -5]);
const mixedReturns = pct([NaN, 1, 10, -4, 2, 3, 2, 1, -10]);
const flatLine1 = pct([1, 1, 1, 1, 1, 1, 1, 1, 1]);
const weeklyReturns = pct([0, 1, 10, -4, 2, 3, 2, 1, -10]); // freq 'W'
const monthlyReturns = pct([0, 1, 10, -4, 2, 3, 2, 1, -10]); // freq 'M'
const oneReturn = pct([1]);
const emptyReturns = new Float64Array(0);
const flatLine1Tz = new Float64Array(1000).fill(0.01);
const one = Float64Array.from([
  -0.00171614, 0.01322056, 0.03063862, -0.01422057, -0.00489779, 0.01268925, -0.03357711, 0.01797036,
]);
const two = Float64Array.from([
  0.01846232, 0.00793951, -0.01448395, 0.00422537, -0.00339611, 0.03756813, 0.0151531, 0.03549769,
]);

const DAILY = ANNUALIZATION.daily;
const WEEKLY = ANNUALIZATION.weekly;
const MONTHLY = ANNUALIZATION.monthly;

function expectValue(actual: number, expected: number, digits = 8): void {
  if (Number.isNaN(expected)) expect(actual).toBeNaN();
  else if (!Number.isFinite(expected)) expect(actual).toBe(expected);
  else expect(actual).toBeCloseTo(expected, digits);
}

describe('empyrical golden values', () => {
  it.each([
    [
      'mixed_returns',
      mixedReturns,
      0,
      [0.0, 0.01, 0.111, 0.066559, 0.08789, 0.12052, 0.14293, 0.15436, 0.03893],
    ],
    [
      'mixed_returns',
      mixedReturns,
      100,
      [100.0, 101.0, 111.1, 106.65599, 108.78912, 112.05279, 114.29384, 115.43678, 103.8931],
    ],
    [
      'negative_returns',
      negativeReturns,
      0,
      [0.0, -0.06, -0.1258, -0.13454, -0.21243, -0.22818, -0.27449, -0.33253, -0.3659],
    ],
  ] as const)('cum_returns(%s, start %d)', (_name, returns, start, expected) => {
    const got = cumReturns(returns, start);
    expected.forEach((e, i) => expectValue(got[i], e, 4));
  });

  it.each([
    ['empty', emptyReturns, NaN],
    ['one_return', oneReturn, 0.01],
    ['mixed_returns', mixedReturns, 0.03893],
    ['negative_returns', negativeReturns, -0.3659],
  ] as const)('cum_returns_final(%s)', (_name, returns, expected) => {
    expectValue(totalReturn(returns), expected, 4);
  });

  it.each([
    ['empty', emptyReturns, NaN],
    ['one_return', oneReturn, 0.0],
    ['simple_benchmark', simpleBenchmark, 0.0],
    ['mixed_returns', mixedReturns, -0.1],
    ['positive_returns', positiveReturns, -0.0],
    ['negative_returns', negativeReturns, -0.36590730349873601],
    ['[10, -10, 10]%', pct([10, -10, 10]), -0.1],
  ] as const)('max_drawdown(%s)', (_name, returns, expected) => {
    expectValue(maxDrawdown(returns), expected);
  });

  it.each([
    ['mixed_returns', mixedReturns, DAILY, 1.9135925373194231],
    ['weekly_returns', weeklyReturns, WEEKLY, 0.24690830513998208],
    ['monthly_returns', monthlyReturns, MONTHLY, 0.052242061386048144],
  ] as const)('annual_return(%s)', (_name, returns, annualization, expected) => {
    expectValue(annualReturn(returns, { annualization }), expected);
  });

  it.each([
    ['empty', emptyReturns, DAILY, NaN],
    ['one_return', oneReturn, DAILY, 11.274002099240244],
    ['mixed_returns', mixedReturns, DAILY, 1.9135925373194231],
    ['flat_line_1_tz', flatLine1Tz, DAILY, 11.274002099240256],
    ['[3, 3, 3]% yearly', pct([3, 3, 3]), ANNUALIZATION.yearly, 0.03],
  ] as const)('cagr(%s)', (_name, returns, annualization, expected) => {
    expectValue(cagr(returns, { annualization }), expected);
  });

  it.each([
    ['flat_line_1_tz', flatLine1Tz, DAILY, 0.0],
    ['mixed_returns', mixedReturns, DAILY, 0.9136465399704637],
    ['weekly_returns', weeklyReturns, WEEKLY, 0.38851569394870583],
    ['monthly_returns', monthlyReturns, MONTHLY, 0.18663690238892558],
  ] as const)('annual_volatility(%s)', (_name, returns, annualization, expected) => {
    expectValue(annualVolatility(returns, { annualization }), expected);
  });

  it.each([
    ['empty', emptyReturns, DAILY, NaN],
    ['one_return', oneReturn, DAILY, NaN],
    ['mixed_returns', mixedReturns, DAILY, 19.135925373194233],
    ['weekly_returns', weeklyReturns, WEEKLY, 2.4690830513998208],
    ['monthly_returns', monthlyReturns, MONTHLY, 0.52242061386048144],
  ] as const)('calmar_ratio(%s)', (_name, returns, annualization, expected) => {
    expectValue(calmarRatio(returns, { annualization }), expected);
  });

  it.each<[string, Float64Array, Rate, number]>([
    ['empty', emptyReturns, 0, NaN],
    ['one_return', oneReturn, 0, NaN],
    ['mixed_returns vs itself', mixedReturns, mixedReturns, NaN],
    ['mixed_returns', mixedReturns, 0, 1.7238613961706866],
    ['mixed_returns vs simple_benchmark', mixedReturns, simpleBenchmark, 0.34111411441060574],
    ['positive_returns', positiveReturns, 0, 52.915026221291804],
    ['negative_returns', negativeReturns, 0, -24.406808633910085],
    ['flat_line_1', flatLine1, 0, Infinity],
  ])('sharpe_ratio(%s)', (_name, returns, riskFree, expected) => {
    expectValue(sharpeRatio(returns, { riskFree }), expected);
  });

  it.each<[string, Float64Array, Rate, number, number]>([
    ['empty', emptyReturns, 0, DAILY, NaN],
    ['one_return', oneReturn, 0, DAILY, 0.0],
    ['mixed_returns vs itself', mixedReturns, mixedReturns, DAILY, 0.0],
    ['mixed_returns', mixedReturns, 0, DAILY, 0.60448325038829653],
    ['mixed_returns req 0.1', mixedReturns, 0.1, DAILY, 1.7161730681956295],
    ['weekly_returns', weeklyReturns, 0, WEEKLY, 0.25888650451930134],
    ['weekly_returns req 0.1', weeklyReturns, 0.1, WEEKLY, 0.7733045971672482],
    ['monthly_returns', monthlyReturns, 0, MONTHLY, 0.1243650540411842],
    ['monthly_returns req 0.1', monthlyReturns, 0.1, MONTHLY, 0.37148351242013422],
    ['df_simple.one', one, 0, DAILY, 0.20671788246185202],
    ['df_simple.two', two, 0, DAILY, 0.083495680595704475],
    ['df_week.one', one, 0, WEEKLY, 0.093902996054410062],
    ['df_week.two', two, 0, WEEKLY, 0.037928477556776516],
    ['df_month.one', one, 0, MONTHLY, 0.045109540184877193],
    ['df_month.two', two, 0, MONTHLY, 0.018220251263412916],
  ])('downside_risk(%s)', (_name, returns, requiredReturn, annualization, expected) => {
    expectValue(downsideRisk(returns, { requiredReturn, annualization }), expected);
  });

  it.each<[string, Float64Array, Rate, number, number]>([
    ['empty', emptyReturns, 0, DAILY, NaN],
    ['one_return', oneReturn, 0, DAILY, NaN],
    ['mixed_returns vs itself', mixedReturns, mixedReturns, DAILY, NaN],
    ['mixed_returns', mixedReturns, 0, DAILY, 2.605531251673693],
    ['mixed_returns vs flat_line_1', mixedReturns, flatLine1, DAILY, -1.3934779588919977],
    ['positive_returns', positiveReturns, 0, DAILY, Infinity],
    ['negative_returns', negativeReturns, 0, DAILY, -13.532743075043401],
    ['simple_benchmark', simpleBenchmark, 0, DAILY, Infinity],
    ['weekly_returns', weeklyReturns, 0, WEEKLY, 1.1158901056866439],
    ['monthly_returns', monthlyReturns, 0, MONTHLY, 0.53605626741889756],
    ['df_simple.one', one, 0, DAILY, 3.0639640966566306],
    ['df_simple.two', two, 0, DAILY, 38.090963117002495],
    ['df_week.one', one, 0, WEEKLY, 1.3918264112070571],
    ['df_week.two', two, 0, WEEKLY, 17.303077589064618],
    ['df_month.one', one, 0, MONTHLY, 0.6686117809312383],
    ['df_month.two', two, 0, MONTHLY, 8.3121296084492844],
  ])('sortino_ratio(%s)', (_name, returns, requiredReturn, annualization, expected) => {
    expectValue(sortinoRatio(returns, { requiredReturn, annualization }), expected);
  });

  // aggregate_returns: index = pd.date_range('2000-1-30', periods=9, freq=D / W / M).
  const dailyDates = ['2000-01-30', '2000-01-31', ...[1, 2, 3, 4, 5, 6, 7].map((d) => `2000-02-0${d}`)];
  const weeklyDates = [
    '2000-01-30',
    '2000-02-06',
    '2000-02-13',
    '2000-02-20',
    '2000-02-27',
    '2000-03-05',
    '2000-03-12',
    '2000-03-19',
    '2000-03-26',
  ];
  const monthEndDates = [
    '2000-01-31',
    '2000-02-29',
    '2000-03-31',
    '2000-04-30',
    '2000-05-31',
    '2000-06-30',
    '2000-07-31',
    '2000-08-31',
    '2000-09-30',
  ];

  it.each([
    ['simple_benchmark monthly', dailyDates, simpleBenchmark, 'monthly', [0.01, 0.030300999999999911]],
    ['simple_benchmark yearly', dailyDates, simpleBenchmark, 'yearly', [0.040604010000000024]],
    [
      'weekly_returns monthly',
      weeklyDates,
      weeklyReturns,
      'monthly',
      [0.0, 0.087891200000000058, -0.04500459999999995],
    ],
    ['weekly_returns yearly', weeklyDates, weeklyReturns, 'yearly', [0.038931091700480147]],
    ['monthly_returns yearly', monthEndDates, monthlyReturns, 'yearly', [0.038931091700480147]],
  ] as const)('aggregate_returns(%s)', (_name, dates, returns, by, expected) => {
    const got = aggregateReturns(dates, returns, by).map((p) => p.return);
    expect(got.length).toBe(expected.length);
    expected.forEach((e, i) => expectValue(got[i], e));
  });

  it('monthly table lays the months of weekly_returns out by year and month', () => {
    const table = monthlyReturnsTable(weeklyDates, weeklyReturns);
    expect(table.years).toEqual([2000]);
    expectValue(table.months[0][0], 0.0);
    expectValue(table.months[0][1], 0.0878912);
    expectValue(table.months[0][2], -0.0450046);
    expect(table.months[0].slice(3).every(Number.isNaN)).toBe(true);
    expectValue(table.yearly[0], 0.038931091700480147);
  });
});

// empyrical's convention for a zero standard deviation (numpy division): ±inf when the mean excess
// return is not zero, NaN when it is. Summing 1,000 × 0.01 naively leaves a 1e-17 residue, which
// must not turn flat_line_1_tz's infinite Sharpe into ~1e15.
describe('zero variance', () => {
  it.each<[string, Float64Array, number]>([
    ['flat_line_1_tz (1,000 × 1%)', flatLine1Tz, Infinity],
    ['1,000 × −0.5%', new Float64Array(1000).fill(-0.005), -Infinity],
    [
      '1,000 × 0.1%, one NaN',
      Float64Array.from({ length: 1000 }, (_, i) => (i === 3 ? NaN : 0.001)),
      Infinity,
    ],
    ['all zero', new Float64Array(50), NaN],
  ])('sharpe_ratio(%s)', (_name, returns, expected) => {
    expectValue(sharpeRatio(returns), expected);
  });

  it('sortino is +inf without downside, and the volatility of a flat line is exactly 0', () => {
    expect(sortinoRatio(flatLine1Tz)).toBe(Infinity);
    expect(sortinoRatio(flatLine1)).toBe(Infinity);
    expect(annualVolatility(flatLine1Tz)).toBe(0);
  });
});

describe('argument checks', () => {
  it('rejects a misaligned rate series and a bad annualization', () => {
    expect(() => sharpeRatio(mixedReturns, { riskFree: pct([1, 2]) })).toThrow(/length/);
    expect(() => annualReturn(mixedReturns, { annualization: 0 })).toThrow(/annualization/);
  });

  it('rejects unsorted dates in calendar aggregation', () => {
    expect(() => aggregateReturns(['2000-02-01', '2000-01-01'], pct([1, 1]), 'monthly')).toThrow(/ascending/);
  });
});
