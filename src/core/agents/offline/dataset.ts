/**
 * Offline RL dataset: the transitions BC and IQL learn from, in flat typed arrays (the D4RL /
 * Minari layout: observations, actions, rewards, next observations, terminals, timeouts).
 *
 * Row-major: row i of `obs` is obs[i * obsDim .. (i + 1) * obsDim). Actions are Int32 [n, heads]
 * for Discrete (heads = 1) and MultiDiscrete spaces, Float32 [n, dims] for Box spaces.
 * `strength` (seed 004's position size in [0, 1]) and `baseline` (seed 000's rule-policy action,
 * for residual IQL) are optional per-row extras.
 *
 * No tfjs here: datasets are plain data, built in workers, loaded from files, sent by transfer.
 */
import { z } from 'zod';
import type { BoxSpace, Space } from '../../envs/types.ts';
import { spaceSize } from '../../envs/types.ts';

export const DATASET_FORMAT_VERSION = 1;

/** Where a dataset came from; kept with it through export/import. */
export interface DatasetMeta {
  observationSpace: BoxSpace;
  actionSpace: Space;
  /** Who produced the actions, e.g. 'policy:ma-crossover', 'file:trades.csv'. */
  source: string;
  /** Seed of the collection run (env resets and the random-action mix), or null when unknown. */
  seed: number | null;
  /** Fraction of actions replaced by uniformly random ones during collection (0 when unknown). */
  randomMix: number;
  /** Optional env description, e.g. 'trading:synthetic'. */
  env?: string;
  /** Free-form extra facts (kept verbatim by the formats). */
  notes?: Record<string, string | number | boolean>;
}

export interface OfflineDataset {
  /** Number of transitions n. */
  size: number;
  obsDim: number;
  /** Action width per row: 1 (Discrete), heads (MultiDiscrete) or dims (Box). */
  actionDim: number;
  /** [n, obsDim] */
  obs: Float32Array;
  /** [n, obsDim]; for terminal rows the value is not used by the learners. */
  nextObs: Float32Array;
  /** [n, actionDim]: Int32Array for Discrete/MultiDiscrete, Float32Array for Box. */
  actions: Int32Array | Float32Array;
  /** [n] */
  rewards: Float32Array;
  /** [n] 1 = the MDP ended after this step (no bootstrap). */
  terminals: Uint8Array;
  /** [n] 1 = the episode was cut here by a time limit or the end of the file (bootstrap allowed). */
  timeouts: Uint8Array;
  /** [n] optional action strength in [0, 1] (seed 004). */
  strength?: Float32Array;
  /** [n, actionDim] optional baseline (rule-policy) action for the residual policy (seed 000). */
  baseline?: Float32Array;
  meta: DatasetMeta;
}

/** A file or dataset that does not fit the format; the message names the file, line/row and field. */
export class DatasetFormatError extends Error {
  readonly file: string;
  /** 1-based line in the file, when the input was text. */
  readonly line?: number;
  /** 0-based transition index, when the problem is in one row of the arrays. */
  readonly row?: number;
  readonly field?: string;
  /** The message without the location prefix. */
  readonly detail: string;
  constructor(message: string, where: { file: string; line?: number; row?: number; field?: string }) {
    const loc = [
      where.file,
      where.line !== undefined
        ? `line ${where.line}`
        : where.row !== undefined
          ? `row ${where.row + 1}`
          : null,
      where.field !== undefined ? `field '${where.field}'` : null,
    ]
      .filter(Boolean)
      .join(', ');
    super(`${loc}: ${message}`);
    this.name = 'DatasetFormatError';
    this.file = where.file;
    this.line = where.line;
    this.row = where.row;
    this.field = where.field;
    this.detail = message;
  }
}

export function isDiscreteSpace(space: Space): boolean {
  return space.kind === 'discrete' || space.kind === 'multi-discrete';
}

/** Classes per head: [n] for Discrete, nvec for MultiDiscrete. */
export function headSizes(space: Space): number[] {
  if (space.kind === 'discrete') return [space.n];
  if (space.kind === 'multi-discrete') return space.nvec.slice();
  throw new Error('headSizes: a Box action space has no classes');
}

// ---------------------------------------------------------------------------------------------
// Spaces as JSON (±Infinity has no JSON number, so it travels as a string).

type Bound = number | 'Infinity' | '-Infinity';
const boundSchema = z.union([z.number(), z.enum(['Infinity', '-Infinity'])]);
const boxJsonSchema = z.object({
  kind: z.literal('box'),
  shape: z.array(z.number().int().positive()).min(1),
  low: z.union([boundSchema, z.array(boundSchema)]),
  high: z.union([boundSchema, z.array(boundSchema)]),
});
const spaceJsonSchema = z.discriminatedUnion('kind', [
  boxJsonSchema,
  z.object({ kind: z.literal('discrete'), n: z.number().int().positive() }),
  z.object({ kind: z.literal('multi-discrete'), nvec: z.array(z.number().int().positive()).min(1) }),
]);
export type SpaceJson = z.infer<typeof spaceJsonSchema>;

function boundToJson(v: number): Bound {
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}
function boundFromJson(v: Bound): number {
  return v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v;
}

export function spaceToJson(space: Space): SpaceJson {
  if (space.kind !== 'box')
    return space.kind === 'discrete'
      ? { kind: 'discrete', n: space.n }
      : { kind: 'multi-discrete', nvec: space.nvec.slice() };
  const conv = (b: number | Float32Array) =>
    typeof b === 'number' ? boundToJson(b) : Array.from(b, boundToJson);
  return { kind: 'box', shape: space.shape.slice(), low: conv(space.low), high: conv(space.high) };
}

export function spaceFromJson(json: SpaceJson): Space {
  if (json.kind !== 'box')
    return json.kind === 'discrete'
      ? { kind: 'discrete', n: json.n }
      : { kind: 'multi-discrete', nvec: json.nvec.slice() };
  const conv = (b: Bound | Bound[]) =>
    Array.isArray(b) ? Float32Array.from(b, boundFromJson) : boundFromJson(b);
  return { kind: 'box', shape: json.shape.slice(), low: conv(json.low), high: conv(json.high) };
}

/** Bound i of a Box space (scalar bounds apply everywhere). */
export function boxBound(b: number | Float32Array, i: number): number {
  return typeof b === 'number' ? b : b[i];
}

/**
 * Center and half-width per dimension of a Box space with finite bounds — policies squash into it
 * as center + half·tanh(raw) — or null (not a Box, or unbounded).
 */
export function boxAffine(space: Space): { center: Float32Array; half: Float32Array } | null {
  if (space.kind !== 'box') return null;
  const n = space.shape.reduce((a, b) => a * b, 1);
  const lo = Array.from({ length: n }, (_, i) => boxBound(space.low, i));
  const hi = Array.from({ length: n }, (_, i) => boxBound(space.high, i));
  if (!lo.every(Number.isFinite) || !hi.every(Number.isFinite)) return null;
  return {
    center: Float32Array.from(lo, (l, i) => (l + hi[i]) / 2),
    half: Float32Array.from(lo, (l, i) => (hi[i] - l) / 2),
  };
}

const metaJsonSchema = z.object({
  observationSpace: boxJsonSchema,
  actionSpace: spaceJsonSchema,
  source: z.string(),
  seed: z.number().nullable(),
  randomMix: z.number().min(0).max(1),
  env: z.string().optional(),
  notes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type DatasetMetaJson = z.infer<typeof metaJsonSchema>;

export function metaToJson(meta: DatasetMeta): DatasetMetaJson {
  const out: DatasetMetaJson = {
    observationSpace: spaceToJson(meta.observationSpace) as z.infer<typeof boxJsonSchema>,
    actionSpace: spaceToJson(meta.actionSpace),
    source: meta.source,
    seed: meta.seed,
    randomMix: meta.randomMix,
  };
  if (meta.env !== undefined) out.env = meta.env;
  if (meta.notes !== undefined) out.notes = { ...meta.notes };
  return out;
}

export function metaFromJson(json: DatasetMetaJson): DatasetMeta {
  const meta: DatasetMeta = {
    observationSpace: spaceFromJson(json.observationSpace) as BoxSpace,
    actionSpace: spaceFromJson(json.actionSpace),
    source: json.source,
    seed: json.seed,
    randomMix: json.randomMix,
  };
  if (json.env !== undefined) meta.env = json.env;
  if (json.notes !== undefined) meta.notes = { ...json.notes };
  return meta;
}

/** Zod issues → one line naming the first offending field. */
export function zodIssueText(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  return { field: issue.path.map(String).join('.') || '(root)', message: issue.message };
}

export function parseMetaJson(value: unknown, file: string, fieldPrefix = 'meta'): DatasetMeta {
  const res = metaJsonSchema.safeParse(value);
  if (!res.success) {
    const { field, message } = zodIssueText(res.error);
    throw new DatasetFormatError(message, { file, field: `${fieldPrefix}.${field}` });
  }
  return metaFromJson(res.data);
}

// ---------------------------------------------------------------------------------------------
// Building and checking.

/** Grows typed arrays row by row; used by collection and the CSV reader. */
export class DatasetBuilder {
  readonly obsDim: number;
  readonly actionDim: number;
  readonly discrete: boolean;
  readonly withStrength: boolean;
  readonly withBaseline: boolean;
  private n = 0;
  private cap: number;
  private obs: Float32Array;
  private nextObs: Float32Array;
  private actions: Int32Array | Float32Array;
  private rewards: Float32Array;
  private terminals: Uint8Array;
  private timeouts: Uint8Array;
  private strength: Float32Array;
  private baseline: Float32Array;

  constructor(spec: {
    obsDim: number;
    actionDim: number;
    discrete: boolean;
    strength?: boolean;
    baseline?: boolean;
    capacity?: number;
  }) {
    this.obsDim = spec.obsDim;
    this.actionDim = spec.actionDim;
    this.discrete = spec.discrete;
    this.withStrength = spec.strength ?? false;
    this.withBaseline = spec.baseline ?? false;
    this.cap = Math.max(16, spec.capacity ?? 1024);
    this.obs = new Float32Array(this.cap * this.obsDim);
    this.nextObs = new Float32Array(this.cap * this.obsDim);
    this.actions = this.discrete
      ? new Int32Array(this.cap * this.actionDim)
      : new Float32Array(this.cap * this.actionDim);
    this.rewards = new Float32Array(this.cap);
    this.terminals = new Uint8Array(this.cap);
    this.timeouts = new Uint8Array(this.cap);
    this.strength = new Float32Array(this.withStrength ? this.cap : 0);
    this.baseline = new Float32Array(this.withBaseline ? this.cap * this.actionDim : 0);
  }

  get size(): number {
    return this.n;
  }

  push(row: {
    obs: ArrayLike<number>;
    action: number | ArrayLike<number>;
    reward: number;
    nextObs: ArrayLike<number>;
    terminal: boolean;
    timeout: boolean;
    strength?: number;
    baseline?: number | ArrayLike<number>;
  }): void {
    if (this.n === this.cap) this.grow();
    const i = this.n;
    const d = this.obsDim;
    const k = this.actionDim;
    this.obs.set(row.obs, i * d);
    this.nextObs.set(row.nextObs, i * d);
    if (typeof row.action === 'number') this.actions[i * k] = row.action;
    else this.actions.set(row.action, i * k);
    this.rewards[i] = row.reward;
    this.terminals[i] = row.terminal ? 1 : 0;
    this.timeouts[i] = row.timeout ? 1 : 0;
    if (this.withStrength) this.strength[i] = row.strength ?? 0;
    if (this.withBaseline && row.baseline !== undefined) {
      if (typeof row.baseline === 'number') this.baseline[i * k] = row.baseline;
      else this.baseline.set(row.baseline, i * k);
    }
    this.n++;
  }

  /** Mark the last row as cut by a time limit (end of a collection or a file). */
  markLastTimeout(): void {
    if (this.n > 0 && !this.terminals[this.n - 1]) this.timeouts[this.n - 1] = 1;
  }

  finish(meta: DatasetMeta): OfflineDataset {
    const n = this.n;
    const ds: OfflineDataset = {
      size: n,
      obsDim: this.obsDim,
      actionDim: this.actionDim,
      obs: this.obs.slice(0, n * this.obsDim),
      nextObs: this.nextObs.slice(0, n * this.obsDim),
      actions: this.actions.slice(0, n * this.actionDim),
      rewards: this.rewards.slice(0, n),
      terminals: this.terminals.slice(0, n),
      timeouts: this.timeouts.slice(0, n),
      meta,
    };
    if (this.withStrength) ds.strength = this.strength.slice(0, n);
    if (this.withBaseline) ds.baseline = this.baseline.slice(0, n * this.actionDim);
    return ds;
  }

  private grow(): void {
    this.cap *= 2;
    const g = <T extends Float32Array | Int32Array | Uint8Array>(a: T, per: number): T => {
      const b = new (a.constructor as new (n: number) => T)(this.cap * per);
      b.set(a);
      return b;
    };
    this.obs = g(this.obs, this.obsDim);
    this.nextObs = g(this.nextObs, this.obsDim);
    this.actions = g(this.actions, this.actionDim);
    this.rewards = g(this.rewards, 1);
    this.terminals = g(this.terminals, 1);
    this.timeouts = g(this.timeouts, 1);
    if (this.withStrength) this.strength = g(this.strength, 1);
    if (this.withBaseline) this.baseline = g(this.baseline, this.actionDim);
  }
}

/**
 * Check shapes, finiteness and that actions lie in the action space. Throws DatasetFormatError
 * naming the field and the row (1-based, as a user counts them). Returns the dataset.
 */
export function validateDataset(ds: OfflineDataset, file = 'dataset'): OfflineDataset {
  const { size: n, obsDim, actionDim, meta } = ds;
  const err = (message: string, field: string, row?: number) =>
    new DatasetFormatError(message, { file, field, row });
  if (!Number.isInteger(n) || n < 1) throw err(`a dataset needs at least one transition, got ${n}`, 'size');
  const obsSize = spaceSize(meta.observationSpace);
  if (obsSize !== obsDim)
    throw err(`observation space has ${obsSize} elements but obsDim is ${obsDim}`, 'meta.observationSpace');
  const actSize = spaceSize(meta.actionSpace);
  if (actSize !== actionDim)
    throw err(
      `action space needs ${actSize} values per row but actionDim is ${actionDim}`,
      'meta.actionSpace',
    );
  const expectLen = (a: { length: number } | undefined, len: number, field: string) => {
    if (a && a.length !== len) throw err(`expected ${len} values, got ${a.length}`, field);
  };
  expectLen(ds.obs, n * obsDim, 'obs');
  expectLen(ds.nextObs, n * obsDim, 'next_obs');
  expectLen(ds.actions, n * actionDim, 'actions');
  expectLen(ds.rewards, n, 'rewards');
  expectLen(ds.terminals, n, 'terminals');
  expectLen(ds.timeouts, n, 'timeouts');
  expectLen(ds.strength, n, 'strength');
  expectLen(ds.baseline, n * actionDim, 'baseline');
  const discrete = isDiscreteSpace(meta.actionSpace);
  if (discrete !== ds.actions instanceof Int32Array)
    throw err(
      discrete ? 'discrete actions must be an Int32Array' : 'Box actions must be a Float32Array',
      'actions',
    );
  const finite = (a: Float32Array, per: number, field: string) => {
    for (let i = 0; i < a.length; i++)
      if (!Number.isFinite(a[i]))
        throw err(
          `not a finite number (${a[i]})`,
          per > 1 ? `${field}_${i % per}` : field,
          Math.floor(i / per),
        );
  };
  finite(ds.obs, obsDim, 'obs');
  finite(ds.nextObs, obsDim, 'next_obs');
  finite(ds.rewards, 1, 'reward');
  if (ds.strength) finite(ds.strength, 1, 'strength');
  if (ds.baseline) finite(ds.baseline, actionDim, 'baseline');
  if (discrete) {
    const sizes = headSizes(meta.actionSpace);
    const a = ds.actions;
    for (let i = 0; i < a.length; i++) {
      const h = i % actionDim;
      if (a[i] < 0 || a[i] >= sizes[h])
        throw err(
          `action ${a[i]} is outside [0, ${sizes[h]})`,
          actionDim > 1 ? `action_${h}` : 'action',
          Math.floor(i / actionDim),
        );
    }
  } else {
    finite(ds.actions as Float32Array, actionDim, 'action');
  }
  for (let i = 0; i < n; i++) {
    if (ds.terminals[i] > 1) throw err(`terminal must be 0 or 1, got ${ds.terminals[i]}`, 'done', i);
    if (ds.timeouts[i] > 1) throw err(`timeout must be 0 or 1, got ${ds.timeouts[i]}`, 'timeout', i);
  }
  return ds;
}

/** Rows `idx` of a dataset as a new dataset (same meta). */
export function subsetDataset(ds: OfflineDataset, idx: ArrayLike<number>): OfflineDataset {
  const m = idx.length;
  const take = <T extends Float32Array | Int32Array | Uint8Array>(a: T, per: number): T => {
    const out = new (a.constructor as new (n: number) => T)(m * per);
    for (let j = 0; j < m; j++) out.set(a.subarray(idx[j] * per, (idx[j] + 1) * per), j * per);
    return out;
  };
  const out: OfflineDataset = {
    size: m,
    obsDim: ds.obsDim,
    actionDim: ds.actionDim,
    obs: take(ds.obs, ds.obsDim),
    nextObs: take(ds.nextObs, ds.obsDim),
    actions: take(ds.actions, ds.actionDim),
    rewards: take(ds.rewards, 1),
    terminals: take(ds.terminals, 1),
    timeouts: take(ds.timeouts, 1),
    meta: ds.meta,
  };
  if (ds.strength) out.strength = take(ds.strength, 1);
  if (ds.baseline) out.baseline = take(ds.baseline, ds.actionDim);
  return out;
}

/** Episode returns found in a dataset (episodes end at a terminal or a timeout; an unfinished tail is skipped). */
export function episodeReturns(ds: OfflineDataset): number[] {
  const out: number[] = [];
  let acc = 0;
  for (let i = 0; i < ds.size; i++) {
    acc += ds.rewards[i];
    if (ds.terminals[i] || ds.timeouts[i]) {
      out.push(acc);
      acc = 0;
    }
  }
  return out;
}

/** Per-head class counts of a discrete dataset: counts[h][k]. */
export function classCounts(ds: OfflineDataset, rows?: ArrayLike<number>): number[][] {
  const sizes = headSizes(ds.meta.actionSpace);
  const counts = sizes.map((k) => new Array<number>(k).fill(0));
  const h = ds.actionDim;
  const m = rows ? rows.length : ds.size;
  for (let j = 0; j < m; j++) {
    const i = rows ? rows[j] : j;
    for (let q = 0; q < h; q++) counts[q][ds.actions[i * h + q]]++;
  }
  return counts;
}
