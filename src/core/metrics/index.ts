/**
 * Backtest metrics: pure TypeScript over typed arrays, no tfjs, runs in workers and in Node.
 *
 * Conventions — the lab follows empyrical (quantopian/empyrical), and is tested against the
 * values published in its test suite (stats.test.ts):
 * - simple returns per period; sample standard deviation (ddof = 1); NaN returns skipped by means
 *   and standard deviations, flat (0) when compounding, and counted as periods in CAGR;
 * - Sharpe = mean(r − rf) / std(r − rf) · √ann; Sortino = mean(r − req) · ann / downside risk,
 *   downside risk = √mean(min(r − req, 0)²) · √ann; CAGR = (Π(1 + r))^(ann/n) − 1 (years = n/ann);
 *   max drawdown = min_t V_t / max_{s≤t} V_s − 1 with the starting capital as the first peak;
 *   Calmar = CAGR / |MDD|;
 * - risk-free and required returns are per period; annualisation 252 by default (ANNUALIZATION:
 *   365 crypto, 52 weekly, 12 monthly).
 *
 * Where Qlib differs (qlib.contrib.evaluate.risk_analysis): Qlib annualises with 238 trading days
 * (China), and in its default "sum" mode it works on summed rather than compounded returns:
 * annualized_return = mean(r) · N (arithmetic, not CAGR), max_drawdown = min(cumsum(r) −
 * cummax(cumsum(r))) (a difference of summed returns, not a ratio of values), and its
 * information_ratio (mean/std · √N) is a Sharpe with rf = 0. Lab figures are therefore not
 * comparable one-to-one with Qlib's reports; pass annualization 238 to match Qlib's N only.
 */
export * from './stats.ts';
export * from './drawdown.ts';
export * from './positions.ts';
export * from './calendar.ts';
export * from './report.ts';
export * from './classification.ts';
