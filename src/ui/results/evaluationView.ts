import type { RunEvaluation, SplitEvaluation } from '../../../workers/protocol.ts';
import { lttbIndices } from '../charts/downsample.ts';

export type SplitChoice = 'all' | 'train' | 'valid' | 'test';

/** Strategies in display order: the agent first, then baselines as the worker named them. */
export function strategiesOf(ev: RunEvaluation): string[] {
  const names = new Set<string>();
  for (const s of ev.splits) for (const k of Object.keys(s.equity)) names.add(k);
  return ['agent', ...[...names].filter((n) => n !== 'agent')].filter((n) => names.has(n));
}

export interface Combined {
  dates: string[];
  /** strategy → values (chained across splits when 'all'). */
  equity: Record<string, Float64Array>;
  drawdown: Record<string, Float64Array>;
  rollingSharpe: Float64Array;
  /** First date of each split after the first, for boundary markers. */
  markers: { x: string; label: string }[];
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * The splits to draw as one timeline. For 'all', each strategy's equity is chained (the valid curve
 * starts where train ended) so the picture reads as one history; drawdowns and rolling Sharpe are
 * per split, as the metrics are. Display only: metrics always come from the worker per split.
 */
export function combine(ev: RunEvaluation, choice: SplitChoice): Combined | null {
  const splits: SplitEvaluation[] =
    choice === 'all' ? ev.splits : ev.splits.filter((s) => s.split === choice);
  if (splits.length === 0) return null;
  const strategies = strategiesOf(ev);
  const equity: Record<string, Float64Array> = {};
  const drawdown: Record<string, Float64Array> = {};
  for (const name of strategies) {
    const parts: Float64Array[] = [];
    let scale = 1;
    for (const s of splits) {
      const e = s.equity[name] ?? new Float64Array(s.dates.length).fill(NaN);
      const scaled = e.map((v) => v * scale);
      parts.push(scaled);
      const last = scaled[scaled.length - 1];
      if (Number.isFinite(last)) scale = last;
    }
    equity[name] = concat(parts);
    drawdown[name] = concat(
      splits.map((s) => s.drawdown[name] ?? new Float64Array(s.dates.length).fill(NaN)),
    );
  }
  return {
    dates: splits.flatMap((s) => s.dates),
    equity,
    drawdown,
    rollingSharpe: concat(splits.map((s) => s.rollingSharpe)),
    markers: splits.length > 1 ? splits.map((s) => ({ x: s.dates[0], label: s.split })) : [],
  };
}

/**
 * The rows a multi-series chart draws. recharts costs time per row × series (and per category tick),
 * and a per-series LTTB union gives up to (series × points) rows: 6 strategies × 600 = 3,600 rows on
 * 20 years of daily data made mounting Results one 550–850 ms main-thread task. One shared set of
 * indices instead: LTTB of the agent (half the budget), of each baseline (its share of the rest), the
 * split boundaries and both ends — at most ~`budget` rows, every series drawn at every row.
 */
export function displayIndices(
  series: readonly ArrayLike<number>[],
  budget: number,
  keep: readonly number[] = [],
): number[] {
  const n = series[0]?.length ?? 0;
  if (n <= budget) return Array.from({ length: n }, (_, i) => i);
  const chosen = new Set<number>([0, n - 1]);
  for (const i of keep) if (i >= 0 && i < n) chosen.add(i);
  const [first, ...rest] = series;
  const share = rest.length > 0 ? Math.max(3, Math.floor(budget / 2 / rest.length)) : 0;
  for (const i of lttbIndices(first, rest.length > 0 ? Math.floor(budget / 2) : budget)) chosen.add(i);
  for (const s of rest) for (const i of lttbIndices(s, share)) chosen.add(i);
  return [...chosen].sort((a, b) => a - b);
}

/** `values` at `idx` (a new array). */
export function pick<T extends ArrayLike<number> | readonly string[]>(values: T, idx: readonly number[]): T {
  if (Array.isArray(values)) return idx.map((i) => (values as readonly string[])[i]) as unknown as T;
  const out = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) out[k] = (values as ArrayLike<number>)[idx[k]];
  return out as unknown as T;
}
