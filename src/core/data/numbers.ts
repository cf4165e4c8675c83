/**
 * Number cells as exports write them: `1234.5`, `1,234.50`, `1.234,50` (decimal comma, decided per
 * file), `$12.30`, `(1.5)` (negative), `28.51M` / `1.2K` / `3B` / `0.4T` suffixes, `0.28%`.
 * Missing markers (`''`, `-`, `—`, `null`, `NaN`, `N/A`, `#N/A`, `.`) are missing, not zero.
 */

const MISSING = new Set([
  '',
  '-',
  '--',
  '—',
  '–',
  '.',
  'null',
  'nan',
  'na',
  'n/a',
  '#n/a',
  'none',
  'nil',
  '#value!',
  '#div/0!',
]);

/** True when the cell is a missing-value marker rather than a malformed number. */
export function isMissingCell(s: string): boolean {
  return MISSING.has(s.trim().toLowerCase());
}

/**
 * Parses a number cell; NaN for missing or malformed (tell them apart with `isMissingCell`).
 * `decimalComma`: ',' is the decimal mark and '.' groups thousands.
 */
export function parseNumberCell(s: string, decimalComma = false): number {
  const n = s.length;
  if (n === 0) return NaN;
  const fast = parsePlainDecimal(s, n, decimalComma ? 44 : 46);
  if (fast === fast) return fast;
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(n - 1);
  // Long mantissas and exponents: a plain JS number literal without padding.
  if (first > 32 && last > 32 && (first <= 57 || first === 45) && (!decimalComma || s.indexOf('.') < 0)) {
    const v = +s;
    if (
      v === v &&
      v !== Infinity &&
      v !== -Infinity &&
      !(first === 48 && n > 1 && (s.charCodeAt(1) | 32) === 120)
    )
      return v;
  }
  return parseSlow(s, decimalComma);
}

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];

/**
 * `-?digits[.digits]` with the given decimal mark, or NaN for anything else. The mantissa is an exact
 * integer < 2^53 and 10^k ≤ 10^22 is exact, so one division is correctly rounded: the same double
 * as Number(s) (Clinger's fast path), several times faster on big files.
 */
function parsePlainDecimal(s: string, n: number, mark: number): number {
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
    if (n === 1) return NaN;
  }
  let m = 0;
  let digits = 0;
  let frac = -1;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === mark && frac < 0) {
      frac = i;
    } else return NaN;
  }
  if (digits === 0 || digits > 15) return NaN;
  const k = frac < 0 ? 0 : n - frac - 1;
  const v = k === 0 ? m : m / POW10[k];
  return neg ? -v : v;
}

function parseSlow(raw: string, decimalComma: boolean): number {
  let s = raw.trim();
  if (s === '') return NaN;
  let sign = 1;
  if (s.startsWith('(') && s.endsWith(')')) {
    sign = -1;
    s = s.slice(1, -1).trim();
  }
  // One sign, before or after a currency symbol: -$1.5, $-1.5.
  let signs = 0;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s.startsWith('-')) sign = -sign;
    s = s.slice(1);
    signs++;
  }
  s = s.replace(/^[$€£¥₹]\s*/, '').replace(/\s*[$€£¥₹]$/, '');
  if (signs === 0 && (s.startsWith('-') || s.startsWith('+'))) {
    if (s.startsWith('-')) sign = -sign;
    s = s.slice(1);
  }
  let mult = 1;
  const tail = s.charCodeAt(s.length - 1) | 32;
  if (s.endsWith('%')) {
    s = s.slice(0, -1);
    mult = 0.01;
  } else if (tail === 107) {
    mult = 1e3;
    s = s.slice(0, -1);
  } // k
  else if (tail === 109) {
    mult = 1e6;
    s = s.slice(0, -1);
  } // m
  else if (tail === 98) {
    mult = 1e9;
    s = s.slice(0, -1);
  } // b
  else if (tail === 116) {
    mult = 1e12;
    s = s.slice(0, -1);
  } // t
  // Group separators: spaces, no-break spaces, apostrophes (1'234.50), then the locale's group mark.
  s = s.replace(/[\s\u00a0\u202f']/g, '');
  if (decimalComma) s = s.replace(/\./g, '').replace(',', '.');
  else s = s.replace(/,/g, '');
  if (!/^\d*\.?\d+(?:[eE][-+]?\d+)?$|^\d+\.$/.test(s)) return NaN;
  let v = Number(s) * sign;
  // 28.51M: keep 15 significant digits so the suffix product does not end in …99999999.
  if (mult !== 1) v = Number((v * mult).toPrecision(15));
  return Number.isFinite(v) ? v : NaN;
}

/**
 * Decides whether a file writes decimal commas, from a sample of its numeric cells.
 * Only files not delimited by ',' can; a sample with `1,5` or `1.234,56` and no `1.5`-style
 * cells votes yes.
 */
export function detectDecimalComma(cells: readonly string[], delimiter: string): boolean {
  if (delimiter === ',') return false;
  let comma = 0;
  let dot = 0;
  for (const raw of cells) {
    const s = raw.trim().replace(/^[-+($€£¥]+|[)%kmbtKMBT$€£¥]+$/g, '');
    if (/^\d+,\d+$/.test(s) || /^\d{1,3}(\.\d{3})+,\d+$/.test(s) || /^\d{1,3}(\.\d{3}){2,}$/.test(s)) comma++;
    else if (/^\d+\.\d+$/.test(s) && !/^\d{1,3}\.\d{3}$/.test(s)) dot++;
    else if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) dot++;
  }
  return comma > dot;
}
