import { describe, expect, it } from 'vitest';
import { fmtMetric } from './metricFormat.ts';

describe('fmtMetric', () => {
  it('shows ±Infinity as ∞ / −∞ (empyrical: Sharpe of a flat positive series), NaN and missing as —', () => {
    expect(fmtMetric('sharpe', Infinity)).toBe('∞');
    expect(fmtMetric('sortino', -Infinity)).toBe('−∞');
    expect(fmtMetric('sharpe', NaN)).toBe('—');
    expect(fmtMetric('calmar', undefined)).toBe('—');
    expect(fmtMetric('sharpe', 1.234)).toBe('1.23');
    expect(fmtMetric('total_return', 0.1234)).toBe('12.34%');
  });
});
