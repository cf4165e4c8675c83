import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { FftPlan, fftForPeriod, PeriodError, rfft, rfftAmplitudes, topFrequencies } from './periods.ts';

/** The O(T²) definition X[f] = Σ_t x[t] e^(−2πi f t/T), for bins 0 … ⌊T/2⌋. */
function directRfft(x: ArrayLike<number>): { re: number[]; im: number[] } {
  const T = x.length;
  const re: number[] = [];
  const im: number[] = [];
  for (let f = 0; f <= T >> 1; f++) {
    let r = 0;
    let i = 0;
    for (let t = 0; t < T; t++) {
      const a = (-2 * Math.PI * f * t) / T;
      r += x[t] * Math.cos(a);
      i += x[t] * Math.sin(a);
    }
    re.push(r);
    im.push(i);
  }
  return { re, im };
}

describe('rfft', () => {
  it('golden: [1, 2, 3, 4] → 10, −2+2i, −2 (numpy.fft.rfft)', () => {
    const { re, im } = rfft([1, 2, 3, 4]);
    expect(Array.from(re)).toEqual([10, -2, -2]);
    expect(Array.from(im).map((v) => v + 0)).toEqual([0, 2, 0]);
  });

  it('golden: [1, 2, 3] (odd length, Bluestein) → 6, −1.5+0.866i', () => {
    const { re, im } = rfft([1, 2, 3]);
    expect(re[0]).toBeCloseTo(6, 12);
    expect(im[0]).toBeCloseTo(0, 12);
    expect(re[1]).toBeCloseTo(-1.5, 12);
    expect(im[1]).toBeCloseTo(Math.sqrt(3) / 2, 12);
  });

  it('equals the direct DFT for power-of-two, composite, prime and TimesNet lengths', () => {
    const rng = new Rng(1);
    for (const T of [1, 2, 3, 5, 7, 8, 12, 31, 64, 96, 97, 120, 192, 336]) {
      const x = Float64Array.from({ length: T }, () => rng.normal());
      const got = rfft(x);
      const want = directRfft(x);
      for (let f = 0; f < want.re.length; f++) {
        expect(Math.abs(got.re[f] - want.re[f])).toBeLessThan(1e-9 * T);
        expect(Math.abs(got.im[f] - want.im[f])).toBeLessThan(1e-9 * T);
      }
    }
  });

  it('property: Parseval holds for any length and input', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 70 }),
        (xs) => {
          const T = xs.length;
          const { re, im } = new FftPlan(T).transform(xs);
          let time = 0;
          let freq = 0;
          for (let t = 0; t < T; t++) {
            time += xs[t] * xs[t];
            freq += re[t] * re[t] + im[t] * im[t];
          }
          expect(Math.abs(freq / T - time)).toBeLessThanOrEqual(1e-9 * Math.max(1, time));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects a bad length', () => {
    expect(() => new FftPlan(0)).toThrow(PeriodError);
    expect(() => new FftPlan(2.5)).toThrow(/positive integer/);
  });
});

describe('fftForPeriod (TimesNet FFT_for_Period)', () => {
  it('amplitudes are |rFFT| of each (sample, channel) column', () => {
    const rng = new Rng(2);
    const [B, T, C] = [3, 10, 2];
    const x = Float32Array.from({ length: B * T * C }, () => rng.normal());
    const amp = rfftAmplitudes(x, B, T, C);
    const F = 6;
    for (let b = 0; b < B; b++)
      for (let c = 0; c < C; c++) {
        const col = Array.from({ length: T }, (_, t) => x[(b * T + t) * C + c]);
        const d = directRfft(col);
        for (let f = 0; f < F; f++)
          expect(amp[(b * F + f) * C + c]).toBeCloseTo(Math.hypot(d.re[f], d.im[f]), 5);
      }
  });

  it('finds planted periods (any phase per sample and channel), strongest first, DC ignored', () => {
    const rng = new Rng(3);
    const [B, T, C] = [8, 96, 3];
    // Periods 24, 12 and 8 → frequencies 4, 8, 12 of a 96-step window; a big offset must not count.
    const planted = [
      { period: 24, amp: 3 },
      { period: 12, amp: 2 },
      { period: 8, amp: 1 },
    ];
    const x = new Float32Array(B * T * C);
    for (let b = 0; b < B; b++)
      for (let c = 0; c < C; c++) {
        const phases = planted.map(() => rng.uniform(0, 2 * Math.PI));
        for (let t = 0; t < T; t++) {
          let v = 50;
          planted.forEach((p, j) => (v += p.amp * Math.sin((2 * Math.PI * t) / p.period + phases[j])));
          x[(b * T + t) * C + c] = v + 0.3 * rng.normal();
        }
      }
    const det = fftForPeriod(x, B, T, C, 3);
    expect(det.frequencies).toEqual([4, 8, 12]);
    expect(det.periods).toEqual([24, 12, 8]);
    expect(det.spectrum[0]).toBe(0);
    // A sinusoid of amplitude a over whole cycles has |X[f]| = a·T/2.
    det.amplitudes.forEach((a, j) => expect(a).toBeCloseTo((planted[j].amp * T) / 2, -1));
    expect(det.weights.length).toBe(B * 3);
    for (let b = 0; b < B; b++) expect(det.weights[b * 3]).toBeGreaterThan(det.weights[b * 3 + 2]);
  });

  it('period = ⌊T / f⌋ when the period does not divide T (library convention)', () => {
    const T = 100;
    const x = Float64Array.from({ length: T }, (_, t) => Math.cos((2 * Math.PI * 7 * t) / T));
    const det = fftForPeriod(x, 1, T, 1, 1);
    expect(det.frequencies).toEqual([7]);
    expect(det.periods).toEqual([14]); // 100 // 7
  });

  it('ties go to the lower frequency; top_k beyond the non-DC bins is an error', () => {
    expect(topFrequencies([9, 1, 5, 5, 0], 2)).toEqual([2, 3]);
    expect(() => topFrequencies([0, 1, 2], 3)).toThrow(/top_k 3/);
    expect(() => fftForPeriod(new Float32Array(5), 1, 4, 1, 1)).toThrow(/5 values/);
  });
});
