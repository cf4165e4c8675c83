import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { detectDecimalComma, isMissingCell, parseNumberCell } from './numbers.ts';

describe('parseNumberCell', () => {
  it('gives exactly Number(s) for plain decimals (the fast path is not an approximation)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.integer({ min: 0, max: 8 }), (x, k) => {
        const s = x.toFixed(k);
        expect(parseNumberCell(s)).toBe(Number(s));
        expect(parseNumberCell(String(x))).toBe(Number(String(x)));
      }),
      { numRuns: 1000 },
    );
  });

  it('reads export quirks', () => {
    expect(parseNumberCell('28.51M')).toBe(28_510_000);
    expect(parseNumberCell('145.10M')).toBe(145_100_000);
    expect(parseNumberCell('1.2K')).toBe(1200);
    expect(parseNumberCell('3B')).toBe(3e9);
    expect(parseNumberCell('0.4T')).toBe(4e11);
    expect(parseNumberCell('-0.15%')).toBeCloseTo(-0.0015, 12);
    expect(parseNumberCell('1,234.50')).toBe(1234.5);
    expect(parseNumberCell('$1,234.50')).toBe(1234.5);
    expect(parseNumberCell('-$12.3')).toBe(-12.3);
    expect(parseNumberCell('(1.5)')).toBe(-1.5);
    expect(parseNumberCell(' 42 ')).toBe(42);
    expect(parseNumberCell("1'234.5")).toBe(1234.5);
    expect(parseNumberCell('1.5e3')).toBe(1500);
    expect(parseNumberCell('17.65999984741211')).toBe(17.65999984741211);
  });

  it('reads decimal commas when told to', () => {
    expect(parseNumberCell('1.234,56', true)).toBe(1234.56);
    expect(parseNumberCell('12,5', true)).toBe(12.5);
    expect(parseNumberCell('1234', true)).toBe(1234);
    expect(parseNumberCell('2,5M', true)).toBe(2_500_000);
  });

  it('returns NaN for missing markers and junk, and tells them apart', () => {
    for (const s of ['', '-', '—', 'null', 'NaN', 'N/A', '#N/A', ' ', '.']) {
      expect(parseNumberCell(s)).toBeNaN();
      expect(isMissingCell(s)).toBe(true);
    }
    for (const s of ['abc', '12abc', '0x1A', 'Infinity', '1.2.3', '--5']) {
      expect(parseNumberCell(s)).toBeNaN();
      expect(isMissingCell(s)).toBe(false);
    }
  });
});

describe('detectDecimalComma', () => {
  it('says yes for ; files with 1.234,56 cells and no for , files or dot decimals', () => {
    expect(detectDecimalComma(['1.234,56', '12,5', '1.000.000'], ';')).toBe(true);
    expect(detectDecimalComma(['1.5', '2.25', '100'], ';')).toBe(false);
    expect(detectDecimalComma(['1,5'], ',')).toBe(false);
    expect(detectDecimalComma(['28,51M', '1,2%'], '\t')).toBe(true);
  });
});
