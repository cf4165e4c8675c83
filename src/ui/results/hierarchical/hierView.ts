/**
 * Pure view models of the `hierarchical` workflow's result sections (src/core/hier/extras.ts): the
 * splits shown joined into one timeline, days pooled into canvas columns, run-length segments,
 * row-normalised choice tables, mutual information and the PBT lineage. No DOM, so all of it is
 * unit-tested (hierView.test.ts).
 */
import type { HierExpertsExtra, HierPbtExtra, HierUsageExtra } from '../../../core/hier/extras.ts';
import type { SplitName } from '../../../core/data/types.ts';

/** One run of equal values: rows [start, end) all hold `value`. */
export interface Segment {
  start: number;
  end: number;
  value: number;
}

/** Run-length segments of `values` (adjacent segments always differ in value; they tile 0…n). */
export function runSegments(values: ArrayLike<number>): Segment[] {
  const out: Segment[] = [];
  for (let i = 0; i < values.length; i++) {
    const last = out[out.length - 1];
    if (last && last.value === values[i]) last.end = i + 1;
    else out.push({ start: i, end: i + 1, value: values[i] });
  }
  return out;
}

/**
 * The category drawn in each of `cols` pixel columns over `values` (integer codes, −1 = none): the
 * most frequent code ≥ 0 among the rows the column covers (ties to the lower code), −1 when the
 * column has none. Columns = min(rows, maxCols), so a column never covers less than one row.
 */
export function poolModes(values: ArrayLike<number>, maxCols: number, categories: number): Int8Array {
  const n = values.length;
  const cols = Math.max(0, Math.min(n, Math.floor(maxCols)));
  const out = new Int8Array(cols).fill(-1);
  if (cols === 0 || categories <= 0) return out;
  const tally = new Int32Array(categories);
  let c = 0;
  const flush = () => {
    let best = -1;
    for (let k = 0; k < categories; k++) if (tally[k] > 0 && (best < 0 || tally[k] > tally[best])) best = k;
    out[c] = best;
    tally.fill(0);
  };
  for (let i = 0; i < n; i++) {
    const col = Math.floor((i * cols) / n);
    if (col !== c) {
      flush();
      c = col;
    }
    const v = values[i];
    if (v >= 0 && v < categories) tally[v]++;
  }
  flush();
  return out;
}

/** Lowest and highest finite value per column over `values`, pooled as poolModes pools (NaN = none). */
export function poolRange(
  values: ArrayLike<number>,
  maxCols: number,
): { lo: Float64Array; hi: Float64Array } {
  const n = values.length;
  const cols = Math.max(0, Math.min(n, Math.floor(maxCols)));
  const lo = new Float64Array(cols).fill(NaN);
  const hi = new Float64Array(cols).fill(NaN);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    const c = Math.floor((i * cols) / n);
    if (!(v >= lo[c])) lo[c] = v;
    if (!(v <= hi[c])) hi[c] = v;
  }
  return { lo, hi };
}

/** Share of the rows (those with a code ≥ 0) that hold each code 0…categories−1; zeros when none do. */
export function shares(values: ArrayLike<number>, categories: number): number[] {
  const counts = new Array<number>(categories).fill(0);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v >= 0 && v < categories) {
      counts[v]++;
      total++;
    }
  }
  return counts.map((n) => (total ? n / total : 0));
}

/** The usage extra of the splits shown, joined into one timeline, with where each split begins. */
export interface UsageTimeline {
  dates: string[];
  price: Float64Array;
  expert: Int8Array;
  regime: Int8Array;
  /** First date of each split after the first. */
  markers: { row: number; label: SplitName }[];
  /** The splits shown that the extra has no data for. */
  missing: SplitName[];
}

export function usageTimeline(x: HierUsageExtra, shown: readonly SplitName[]): UsageTimeline {
  const parts = shown.flatMap((s) => {
    const p = x.perSplit[s];
    return p ? [{ split: s, ...p }] : [];
  });
  const n = parts.reduce((k, p) => k + p.dates.length, 0);
  const out: UsageTimeline = {
    dates: [],
    price: new Float64Array(n),
    expert: new Int8Array(n),
    regime: new Int8Array(n),
    markers: [],
    missing: shown.filter((s) => !x.perSplit[s]),
  };
  let o = 0;
  for (const p of parts) {
    if (o > 0) out.markers.push({ row: o, label: p.split });
    out.dates.push(...p.dates);
    // Element by element: a run saved as JSON holds plain arrays where the worker sent typed ones.
    for (let t = 0; t < p.dates.length; t++) {
      out.price[o + t] = p.price[t] ?? NaN;
      out.expert[o + t] = p.expert[t] ?? -1;
      out.regime[o + t] = p.regime[t] ?? -1;
    }
    o += p.dates.length;
  }
  return out;
}

/**
 * The per-expert equity of the splits shown as one timeline: each curve chained across splits (the
 * next split starts where the last ended, as Results' equity chart does), NaN where a curve is absent.
 */
export function chainedEquity(
  x: HierExpertsExtra,
  shown: readonly SplitName[],
): { dates: string[]; equity: Float64Array[]; markers: { x: string; label: SplitName }[] } {
  const parts = shown.flatMap((s) => {
    const p = x.perSplit[s];
    return p ? [{ split: s, ...p }] : [];
  });
  const n = parts.reduce((k, p) => k + p.dates.length, 0);
  const equity = x.experts.map(() => new Float64Array(n).fill(NaN));
  const scale = x.experts.map(() => 1);
  let o = 0;
  for (const p of parts) {
    x.experts.forEach((_, e) => {
      const curve = p.equity[e];
      if (!curve) return;
      for (let t = 0; t < p.dates.length; t++) equity[e][o + t] = curve[t] * scale[e];
      const last = equity[e][o + p.dates.length - 1];
      if (Number.isFinite(last)) scale[e] = last;
    });
    o += p.dates.length;
  }
  return {
    dates: parts.flatMap((p) => p.dates),
    equity,
    markers: parts.length > 1 ? parts.map((p) => ({ x: p.dates[0], label: p.split })) : [],
  };
}

/** Each row divided by its sum (a row of zeros stays zeros: no decision was made in that regime). */
export function rowNormalise(counts: readonly (readonly number[])[]): number[][] {
  return counts.map((row) => {
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (sum > 0 ? v / sum : 0));
  });
}

/** Element-wise sum of same-shaped count tables (the splits shown pooled); [] when there are none. */
export function sumCounts(tables: readonly (readonly (readonly number[])[])[]): number[][] {
  if (tables.length === 0) return [];
  const rows = Math.max(...tables.map((t) => t.length));
  const cols = Math.max(0, ...tables.flatMap((t) => t.map((r) => r.length)));
  const out = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  for (const t of tables) t.forEach((r, i) => r.forEach((v, j) => (out[i][j] += v)));
  return out;
}

/** Shannon entropy (nats) of a distribution given by non-negative counts. */
function entropy(counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / total) * Math.log(c / total);
  return h;
}

/**
 * Mutual information (nats) between the row variable (regime) and the column variable (expert) of a
 * count table, with the two marginal entropies: I ≤ min(H(row), H(col)), 0 when they are independent.
 */
export function mutualInformation(counts: readonly (readonly number[])[]): {
  mi: number;
  hRow: number;
  hCol: number;
  total: number;
} {
  const rowSums = counts.map((r) => r.reduce((a, b) => a + b, 0));
  const cols = Math.max(0, ...counts.map((r) => r.length));
  const colSums = new Array<number>(cols).fill(0);
  counts.forEach((r) => r.forEach((v, j) => (colSums[j] += v)));
  const total = rowSums.reduce((a, b) => a + b, 0);
  if (total === 0) return { mi: 0, hRow: 0, hCol: 0, total };
  let mi = 0;
  counts.forEach((r, i) =>
    r.forEach((v, j) => {
      if (v > 0) mi += (v / total) * Math.log((v * total) / (rowSums[i] * colSums[j]));
    }),
  );
  // Rounding can leave −1e-17 for independent tables.
  return { mi: Math.max(0, mi), hRow: entropy(rowSums), hCol: entropy(colSums), total };
}

/** One sentence saying what a mutual information between regime and expert means here. */
export function miMeaning(mi: number, hRegime: number, hExpert: number): string {
  const ceiling = Math.min(hRegime, hExpert);
  if (!(ceiling > 1e-12))
    return 'Only one regime or one expert occurs here, so the choice cannot depend on the regime.';
  const share = mi / ceiling;
  const verdict =
    share < 0.05
      ? 'the router chooses almost independently of the regime'
      : share < 0.5
        ? 'the regime partly predicts the expert the router picks'
        : 'the regime largely decides which expert the router picks';
  return `0 nats = the choice ignores the regime; ${ceiling.toFixed(3)} nats = it fixes the expert (the ceiling here); at ${(100 * share).toFixed(0)}% of that, ${verdict}.`;
}

/** A cell of the PBT lineage grid: one member in one round. */
export interface LineageCell {
  round: number;
  member: number;
  score: number;
  /** 0 = best of the round … 1 = worst (NaN for a lone member). */
  rank: number;
  /** The member whose weights it took this round, or null when it kept its own. */
  copiedFrom: number | null;
  /** The member whose hyperparameters it took (before perturbing), or null. */
  hpsFrom: number | null;
  hps: number[];
}

export interface Lineage {
  /** Members in display order: by sub-population, then id. */
  members: HierPbtExtra['members'];
  /** Row of each member id in `members`. */
  rowOf: Map<number, number>;
  rounds: number[];
  /** cells[row][roundIndex], null where the member has no record that round. */
  cells: (LineageCell | null)[][];
  /** Every copy of weights, in round order. */
  copies: { round: number; member: number; from: number; hpsFrom: number | null }[];
}

/**
 * The population as a member × round grid: each record placed at its member's row and its round's
 * column, ranked within the round by score, copies of weights (parentNetwork ≠ itself) listed in
 * round order. Members missing from `members` but present in rounds get a row of their own at the end.
 */
export function buildLineage(x: HierPbtExtra): Lineage {
  const known = new Set(x.members.map((m) => m.id));
  const extra = [...new Set(x.rounds.map((r) => r.member).filter((id) => !known.has(id)))]
    .sort((a, b) => a - b)
    .map((id) => ({ id, subPopulation: -1, frequency: NaN }));
  const members = [...x.members]
    .sort((a, b) => a.subPopulation - b.subPopulation || a.id - b.id)
    .concat(extra);
  const rowOf = new Map(members.map((m, i) => [m.id, i]));
  const rounds = [...new Set(x.rounds.map((r) => r.round))].sort((a, b) => a - b);
  const colOf = new Map(rounds.map((r, i) => [r, i]));
  const cells: (LineageCell | null)[][] = members.map(() => rounds.map(() => null));
  const byRound = new Map<number, HierPbtExtra['rounds']>();
  for (const r of x.rounds) byRound.set(r.round, [...(byRound.get(r.round) ?? []), r]);
  const copies: Lineage['copies'] = [];
  for (const round of rounds) {
    const recs = byRound.get(round) ?? [];
    // Rank by score, best first; NaN scores rank last.
    const order = [...recs].sort(
      (a, b) => (Number.isNaN(a.score) ? 1 : 0) - (Number.isNaN(b.score) ? 1 : 0) || b.score - a.score,
    );
    const rankOf = new Map(order.map((r, k) => [r, recs.length > 1 ? k / (recs.length - 1) : NaN]));
    for (const r of [...recs].sort((a, b) => a.member - b.member)) {
      const copiedFrom = r.parentNetwork !== r.member ? r.parentNetwork : null;
      const hpsFrom = r.parentHps !== r.member ? r.parentHps : null;
      cells[rowOf.get(r.member)!][colOf.get(round)!] = {
        round,
        member: r.member,
        score: r.score,
        rank: rankOf.get(r)!,
        copiedFrom,
        hpsFrom,
        hps: r.hps,
      };
      if (copiedFrom !== null) copies.push({ round, member: r.member, from: copiedFrom, hpsFrom });
    }
  }
  return { members, rowOf, rounds, cells, copies };
}

/**
 * Series over rounds, one per member, of whatever `pick` reads from its cell (NaN where it has no
 * record), for the lab's line chart (x = rounds).
 */
export function memberSeries(l: Lineage, pick: (c: LineageCell) => number): Float64Array[] {
  return l.cells.map((row) => Float64Array.from(row, (c) => (c ? pick(c) : NaN)));
}
