/**
 * View models of the supplychain result sections (pure: no DOM, no React): the extras of
 * core/scml/extras.ts → labels, chart series, the thread index of a day and a thread's offers.
 * Everything here is O(days) or O(log n) per call, so a picker change never scans a world's log.
 */
import type { NegotiationExtra, ReplayWorldMeta, ScoreStatsView } from '../../../core/scml/extras.ts';
import { RESPONSE_LABELS } from '../../../core/scml/extras.ts';
import { colorAt } from '../../charts/palette.ts';

export type NegotiationWorld = NegotiationExtra['worlds'][number];

export function worldLabel(w: ReplayWorldMeta): string {
  return `world ${w.index} (configuration ${w.config}, rotation ${w.rotation}): ${w.nSteps} days, ${w.nProcesses} levels, ${w.agents.length} factories`;
}

/** One colour per agent type, in the order the types first appear. */
export function typeColors(types: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of types) if (!(t in out)) out[t] = colorAt(Object.keys(out).length);
  return out;
}

export function agentLabel(w: ReplayWorldMeta, a: number): string {
  const g = w.agents[a];
  return `${g.name} ${g.type} (level ${g.level})`;
}

/** Day indices 0..T−1 as the charts' x axis. */
export function daysAxis(T: number): Int32Array {
  return Int32Array.from({ length: T }, (_, d) => d);
}

/** Row a of an [agent·T + day] array (a view, no copy). */
export function rowOf<A extends Float64Array | Int32Array | Float32Array>(arr: A, a: number, T: number): A {
  return arr.subarray(a * T, (a + 1) * T) as A;
}

/** A balance row divided by the initial balance (the running score: 1 = where it started). */
export function scoreCurve(balance: Float64Array, a: number, T: number, initial: number): Float64Array {
  const out = new Float64Array(T);
  for (let d = 0; d < T; d++) out[d] = balance[a * T + d] / initial;
  return out;
}

/** The segments (thread-days) of `day`: [first, last) by binary search over the day-sorted segments. */
export function daySegments(
  w: Pick<NegotiationWorld, 'segDay'>,
  day: number,
): { first: number; last: number } {
  const lower = (x: number) => {
    let lo = 0;
    let hi = w.segDay.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (w.segDay[m] < x) lo = m + 1;
      else hi = m;
    }
    return lo;
  };
  return { first: lower(day), last: lower(day + 1) };
}

export function outcomeOf(w: NegotiationWorld, s: number): string {
  return RESPONSE_LABELS[w.segOutcome[s]] ?? '?';
}

export function segmentLabel(w: NegotiationWorld, s: number): string {
  const n = w.segStart[s + 1] - w.segStart[s];
  return `thread ${w.segThread[s]}: ${agentLabel(w, w.segSeller[s])} sells to ${agentLabel(w, w.segBuyer[s])} — ${outcomeOf(w, s)} after ${n} offer${n === 1 ? '' : 's'}`;
}

export interface OfferRow {
  round: number;
  proposer: string;
  responder: string;
  /** Whether the proposer is the seller. */
  sellerOffers: boolean;
  quantity: number;
  delivery: number;
  price: number;
  response: string;
}

/** The offers of segment s, round by round. */
export function offersOf(w: NegotiationWorld, s: number): OfferRow[] {
  const out: OfferRow[] = [];
  for (let i = w.segStart[s]; i < w.segStart[s + 1]; i++) {
    const p = w.proposer[i];
    out.push({
      round: w.round[i],
      proposer: w.agents[p].name,
      responder: w.agents[p === w.segSeller[s] ? w.segBuyer[s] : w.segSeller[s]].name,
      sellerOffers: w.proposer[i] === w.segSeller[s],
      quantity: w.quantity[i],
      delivery: w.delivery[i],
      price: w.price[i],
      response: RESPONSE_LABELS[w.response[i]] ?? '?',
    });
  }
  return out;
}

/** Days with at least one thread, first and last (for the day picker's range). */
export function negotiationDays(w: NegotiationWorld): { first: number; last: number } | null {
  const n = w.segDay.length;
  return n === 0 ? null : { first: w.segDay[0], last: w.segDay[n - 1] };
}

/** The spread of a row as positions in [0, 1] of the table's common axis [lo, hi]. */
export function spreadPositions(
  s: Pick<ScoreStatsView, 'min' | 'q1' | 'median' | 'q3' | 'max'>,
  lo: number,
  hi: number,
): { min: number; q1: number; median: number; q3: number; max: number } {
  const span = hi > lo ? hi - lo : 1;
  const at = (v: number) => Math.min(1, Math.max(0, (v - lo) / span));
  return { min: at(s.min), q1: at(s.q1), median: at(s.median), q3: at(s.q3), max: at(s.max) };
}

/** The common axis of the spread column: every type's min..max (a single value: ± 0.5). */
export function spreadAxis(stats: readonly Pick<ScoreStatsView, 'min' | 'max'>[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of stats) {
    lo = Math.min(lo, s.min);
    hi = Math.max(hi, s.max);
  }
  if (!Number.isFinite(lo)) return [0, 1];
  return hi > lo ? [lo, hi] : [lo - 0.5, hi + 0.5];
}

export const GOAL_PARTS = [
  { j: 0, label: 'quantity to buy', unit: 'lines' },
  { j: 1, label: 'buy price position', unit: 'range' },
  { j: 2, label: 'quantity to sell', unit: 'lines' },
  { j: 3, label: 'sell price position', unit: 'range' },
] as const;

/** Component j of HRL factory h's daily goals (or executed goals): [(h·T + day)·4 + j] → per day. */
export function goalComponent(arr: Float32Array, h: number, T: number, j: number): Float64Array {
  const out = new Float64Array(T);
  for (let d = 0; d < T; d++) out[d] = arr[(h * T + d) * 4 + j];
  return out;
}
