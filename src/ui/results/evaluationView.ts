import type { RunEvaluation, SplitEvaluation } from '../../../workers/protocol.ts';

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
