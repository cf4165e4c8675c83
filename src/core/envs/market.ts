import type { RowRange, SplitName } from '../data/types.ts';
import type { FeatureSet, MarketObsLayout } from '../features/types.ts';
import type { BoxSpace } from './types.ts';

/**
 * Pieces shared by the market envs (TradingEnv, PortfolioEnv): which rows an episode may use,
 * the observation layout and Box, and the one-copy window write.
 */

/** Rows a market episode may use: a named split of the FeatureSet or a half-open row range. */
export type SplitSelector = SplitName | RowRange;

/**
 * The rows an episode may visit. Decisions happen at rows [firstDecision, lastRow); `lastRow` is
 * only ever marked (there is no close after it to trade into). The window may reach back before
 * the split's first row: that is past data, so nothing leaks, and it lets valid/test episodes
 * start on their first day.
 */
export interface EpisodeRows {
  /** First row at which the agent acts: max(split start, window − 1). */
  firstDecision: number;
  /** Last row of the split (inclusive); the episode terminates on reaching it. */
  lastRow: number;
  /** Steps a full-split episode takes: lastRow − firstDecision (≥ 1). */
  maxSteps: number;
}

export function checkFeatureSet(fs: FeatureSet, who: string): void {
  const T = fs.dates.length;
  const N = fs.assets.length;
  const F = fs.featureNames.length;
  if (N < 1) throw new Error(`${who}: the feature set has no assets`);
  if (fs.close.length !== T * N)
    throw new Error(`${who}: close has ${fs.close.length} values, expected dates × assets = ${T} × ${N}`);
  if (fs.X.length !== T * N * F)
    throw new Error(
      `${who}: X has ${fs.X.length} values, expected dates × assets × features = ${T} × ${N} × ${F}`,
    );
  for (let k = 0; k < fs.close.length; k++) {
    const c = fs.close[k];
    // Execution and valuation divide by prices: a zero, negative or missing close is unusable.
    if (!(c > 0) || !Number.isFinite(c)) {
      const t = Math.floor(k / N);
      throw new Error(
        `${who}: close of ${fs.assets[k % N]} on ${fs.dates[t]} (row ${t}) is ${c}; prices must be finite and > 0`,
      );
    }
  }
}

export function resolveRows(fs: FeatureSet, split: SplitSelector, window: number, who: string): EpisodeRows {
  if (!(window >= 1) || !Number.isInteger(window))
    throw new Error(`${who}: window must be a positive integer, got ${window}`);
  const T = fs.dates.length;
  const range: RowRange = typeof split === 'string' ? fs.splits[split] : split;
  const label = typeof split === 'string' ? `split '${split}'` : `rows [${split.start}, ${split.end})`;
  if (!range) throw new Error(`${who}: unknown split '${String(split)}'`);
  if (
    !Number.isInteger(range.start) ||
    !Number.isInteger(range.end) ||
    range.start < 0 ||
    range.end > T ||
    range.start > range.end
  ) {
    throw new Error(`${who}: ${label} = [${range.start}, ${range.end}) is not a row range inside [0, ${T})`);
  }
  const firstDecision = Math.max(range.start, window - 1);
  const lastRow = range.end - 1;
  if (lastRow - firstDecision < 1) {
    throw new Error(
      `${who}: ${label} has ${range.end - range.start} rows; with window ${window} an episode needs rows ` +
        `${firstDecision} and ${firstDecision + 1} inside it (at least one step)`,
    );
  }
  return { firstDecision, lastRow, maxSteps: lastRow - firstDecision };
}

/** Size of the flat observation a layout describes. */
export function layoutSize(l: MarketObsLayout): number {
  return l.window * l.nAssets * l.nFeatures + l.nAssets * l.perAssetExtras + l.globalExtras;
}

/**
 * Box for a market observation: the z-scored window block is unbounded; the extras get the
 * bounds given (e.g. [0, 1] for long-only weights).
 */
export function marketObsSpace(l: MarketObsLayout, extrasLow: number, extrasHigh: number): BoxSpace {
  const size = layoutSize(l);
  const windowLen = l.window * l.nAssets * l.nFeatures;
  const low = new Float32Array(size).fill(-Infinity);
  const high = new Float32Array(size).fill(Infinity);
  low.fill(extrasLow, windowLen);
  high.fill(extrasHigh, windowLen);
  return { kind: 'box', shape: [size], low, high };
}

/**
 * Copies X[t−W+1..t, ·, ·] into obs[0 .. W·N·F). Rows are (t, asset, feature) contiguous, so the
 * window is one contiguous slice: a single memcpy, the costly part of an env step.
 */
export function writeWindow(
  obs: Float32Array,
  X: Float32Array,
  t: number,
  window: number,
  rowLen: number,
): void {
  const start = (t - window + 1) * rowLen;
  obs.set(X.subarray(start, start + window * rowLen), 0);
}

/** Uniform episode start so that `length` steps fit before `rows.lastRow`. */
export function episodeStart(rows: EpisodeRows, length: number | null, pick: (n: number) => number): number {
  if (length === null) return rows.firstDecision;
  return rows.firstDecision + pick(rows.maxSteps - length + 1);
}

export function checkEpisodeLength(rows: EpisodeRows, length: number | null, who: string): void {
  if (length === null) return;
  if (!(length >= 1) || !Number.isInteger(length))
    throw new Error(`${who}: episodeLength must be a positive integer or null, got ${length}`);
  if (length > rows.maxSteps) {
    throw new Error(
      `${who}: episodeLength ${length} exceeds the ${rows.maxSteps} steps this split allows (rows ${rows.firstDecision}..${rows.lastRow})`,
    );
  }
}

interface TypedArrayCtor<T> {
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/**
 * Hands out fresh typed arrays for per-step info, carved as views from a larger buffer that is
 * replaced (never reused) when full. A typed array over 64 bytes costs ~400 ns to allocate in V8,
 * a view ~30 ns; since no view is ever handed out twice, infos stay valid forever. Caveat: a view
 * keeps its whole slab alive, and structured clone (postMessage) copies the whole slab, so copy
 * (`.slice()`) before posting a view to another thread.
 */
export class Slab<T> {
  private buffer: ArrayBuffer;
  private used = 0;

  constructor(
    private readonly ctor: TypedArrayCtor<T>,
    private readonly capacity: number,
  ) {
    this.buffer = new ArrayBuffer(capacity * ctor.BYTES_PER_ELEMENT);
  }

  /** A zero-filled array of `n` elements that nothing else will ever write to. */
  take(n: number): T {
    if (this.used + n > this.capacity) {
      this.buffer = new ArrayBuffer(Math.max(this.capacity, n) * this.ctor.BYTES_PER_ELEMENT);
      this.used = 0;
    }
    const view = new this.ctor(this.buffer, this.used * this.ctor.BYTES_PER_ELEMENT, n);
    this.used += n;
    return view;
  }
}
