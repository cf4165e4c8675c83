/** Ratios across two suites of one `npm run bench` invocation. */
import { describe, expect, it } from 'vitest';
import { crossSuiteRatios } from './index.ts';

describe('crossSuiteRatios', () => {
  const reference = { reference_t1_sps: 650, reference_t2_sps: 800 };
  const browser = { 'browser/wasm/a2c_steps_per_s': 1625, 'browser/wasm_threads/a2c_steps_per_s': 1800 };

  it('divides Chromium’s A2C steps/s by the PyTorch reference of the same invocation, threads by threads', () => {
    const r = crossSuiteRatios({ reference, browser });
    expect(r['browser/wasm/ratio_vs_reference']).toBeCloseTo(2.5, 12);
    expect(r['browser/wasm/reference_sps']).toBe(650);
    expect(r['browser/wasm_threads/ratio_vs_reference']).toBeCloseTo(2.25, 12);
    expect(r['browser/ratio_note']).toMatch(/wall clock/);
  });

  it('is empty without both suites, after a failed one, or without a reference figure (PyTorch skipped)', () => {
    expect(crossSuiteRatios({ browser })).toEqual({});
    expect(crossSuiteRatios({ reference })).toEqual({});
    expect(crossSuiteRatios({ reference: { error: 'x' }, browser })).toEqual({});
    expect(crossSuiteRatios({ reference: { reference_t1_sps: 'skipped' }, browser })).toEqual({});
  });
});
