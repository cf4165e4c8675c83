/** The residual action map: same sign as the baseline, never flipped, bounded; fidelity. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fidelity, residualAction, residualActions } from './residual.ts';

const unit = (lo: number, hi = 1000) => fc.integer({ min: lo, max: hi }).map((k) => k / 1000);

describe('residualAction', () => {
  it('is baseline · (1 + scale · tanh(δ))', () => {
    expect(residualAction(0.2, 0, 0.2)).toBe(0.2);
    expect(residualAction(0.2, 1, 0.2)).toBeCloseTo(0.2 * (1 + 0.2 * Math.tanh(1)), 15);
    expect(residualAction(-0.1, -2, 0.5)).toBeCloseTo(-0.1 * (1 - 0.5 * Math.tanh(2)), 15);
    expect(residualAction(0, 5, 0.9)).toBe(0);
  });

  it('property: same sign as the baseline, never flipped or closed, |a − b| ≤ scale·|b|', () => {
    fc.assert(
      fc.property(unit(-1000), fc.double({ min: -50, max: 50, noNaN: true }), unit(0, 999), (b, d, scale) => {
        const a = residualAction(b, d, scale);
        if (b === 0) expect(a).toBe(0);
        else expect(Math.sign(a)).toBe(Math.sign(b));
        expect(Math.abs(a - b)).toBeLessThanOrEqual(scale * Math.abs(b) + 1e-15);
      }),
    );
  });

  it('refuses a scale outside [0, 1) and a NaN residual', () => {
    expect(() => residualAction(0.1, 0, 1)).toThrow(/residual_scale must be in \[0, 1\), got 1/);
    expect(() => residualAction(0.1, 0, -0.1)).toThrow(/residual_scale/);
    expect(() => residualAction(0.1, NaN, 0.2)).toThrow(/NaN/);
    expect(() => residualActions([0.1], [0, 1], 0.2)).toThrow(/1 baseline weights, 2 residuals/);
  });

  it('maps arrays', () => {
    expect(Array.from(residualActions([0.2, -0.1], [0, 100], 0.5))).toEqual([0.2, -0.1 * 1.5]);
  });
});

describe('fidelity', () => {
  it('is mean |policy − baseline|, 0 for the baseline itself', () => {
    expect(fidelity([0.2, -0.1], [0.2, -0.1])).toBe(0);
    expect(fidelity([0.25, -0.1], [0.2, -0.2])).toBeCloseTo(0.075, 15);
    expect(fidelity([], [])).toBeNaN();
  });
});
