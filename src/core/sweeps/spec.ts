/**
 * Sweep specifications: which parameters vary, over which values, how many seeds per point,
 * and how the resulting run list is sliced into shards for many machines.
 *
 * A spec is plain JSON (it lives in the URL and in `lab sweep spec.json`). Parameter keys are
 * dotted paths into the run config (`agent.lr`, `env.buyPct`, `features.window`); expansion never
 * interprets them, so any hyperparameter, env or feature setting can be swept.
 */
import { z } from 'zod';
import { Rng } from '../rng.ts';

const scalar = z.union([z.number(), z.string(), z.boolean()]);

/** Values of one swept parameter: an explicit list, a linear range or a log range. */
export const paramValuesSchema = z.union([
  z.object({ kind: z.literal('list'), values: z.array(scalar).min(1) }),
  z.object({
    kind: z.literal('range'),
    min: z.number(),
    max: z.number(),
    /** Number of grid points including both ends (grid mode); ignored in random mode. */
    steps: z.number().int().min(1).max(1000),
    /** Round sampled values to integers (window sizes, layer widths). */
    integer: z.boolean().optional(),
  }),
  z.object({
    kind: z.literal('log-range'),
    min: z.number().positive(),
    max: z.number().positive(),
    steps: z.number().int().min(1).max(1000),
  }),
]);
export type ParamValues = z.infer<typeof paramValuesSchema>;

const dottedPath = z
  .string()
  .min(1)
  .regex(/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/, 'a dotted path like agent.lr');

export const sweepParamSchema = z.object({
  /** Dotted path into the run config, e.g. `agent.lr`. */
  key: dottedPath,
  values: paramValuesSchema,
  /**
   * Keys that move together with a list parameter: value i of `values` goes with value i of each
   * tied list (e.g. env.buyPct [0.2, 0.1] tied with env.sellPct [0.5, 0.3] gives 2 points, not 4).
   */
  tied: z.record(dottedPath, z.array(scalar).min(1)).optional(),
});
export type SweepParam = z.infer<typeof sweepParamSchema>;

export const sweepSpecSchema = z.object({
  /** Human name, shown in the lab and written to the results. */
  name: z.string().default('sweep'),
  /** The run config every point starts from (any JSON object). */
  base: z.record(z.string(), z.unknown()).default({}),
  params: z.array(sweepParamSchema).default([]),
  /** `grid`: every combination; `random`: `samples` points drawn with `sampleSeed`. */
  mode: z.enum(['grid', 'random']).default('grid'),
  /** Number of random points (random mode). */
  samples: z.number().int().min(1).max(100_000).default(8),
  /** Seed of the random point sampler (random mode), so a random sweep is reproducible. */
  sampleSeed: z.number().int().default(0),
  /** Training seeds per point: point p runs with seeds firstSeed … firstSeed + seedsPerPoint − 1. */
  seedsPerPoint: z.number().int().min(1).max(100).default(1),
  firstSeed: z.number().int().default(1),
  /** Dotted path where each run's seed is written into its config. */
  seedKey: z.string().default('seed'),
});
export type SweepSpec = z.infer<typeof sweepSpecSchema>;
export type SweepSpecInput = z.input<typeof sweepSpecSchema>;

export type Scalar = number | string | boolean;

/** One run of a sweep: a point in parameter space and one seed. */
export interface SweepRun {
  /** Position in the full run list; shards and merges are keyed by it. */
  index: number;
  /** Stable id: point index and seed, e.g. `p3-s2`. */
  id: string;
  pointIndex: number;
  /** Parameter key → value for this point. */
  point: Record<string, Scalar>;
  seed: number;
  /** `base` with every point value and the seed written at their dotted paths. */
  config: Record<string, unknown>;
}

/** Parse and validate a spec; errors name the field (`params.0.values.min: …`). */
export function parseSweepSpec(input: unknown): SweepSpec {
  const parsed = sweepSpecSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : '(spec)';
    throw new Error(`invalid sweep spec at ${where}: ${issue.message}`);
  }
  const spec = parsed.data;
  const seen = new Set<string>();
  for (const p of spec.params) {
    if (seen.has(p.key)) throw new Error(`invalid sweep spec at params: key '${p.key}' appears twice`);
    seen.add(p.key);
    for (const [k, vs] of Object.entries(p.tied ?? {})) {
      if (p.values.kind !== 'list')
        throw new Error(
          `invalid sweep spec at params.${p.key}.tied: only list parameters can have tied keys`,
        );
      if (vs.length !== p.values.values.length)
        throw new Error(
          `invalid sweep spec at params.${p.key}.tied.${k}: ${vs.length} values for ${p.values.values.length} values of ${p.key}`,
        );
      if (seen.has(k)) throw new Error(`invalid sweep spec at params: key '${k}' appears twice`);
      seen.add(k);
    }
    if (p.values.kind !== 'list' && p.values.max < p.values.min) {
      throw new Error(`invalid sweep spec at params.${p.key}: max ${p.values.max} < min ${p.values.min}`);
    }
  }
  return spec;
}

/** The grid values of one parameter (all list values; `steps` evenly spaced points for ranges). */
export function gridValues(v: ParamValues): Scalar[] {
  switch (v.kind) {
    case 'list':
      return v.values;
    case 'range': {
      if (v.steps === 1) return [v.integer ? Math.round(v.min) : v.min];
      const out: number[] = [];
      for (let i = 0; i < v.steps; i++) {
        const x = v.min + ((v.max - v.min) * i) / (v.steps - 1);
        out.push(v.integer ? Math.round(x) : roundNice(x));
      }
      return v.integer ? [...new Set(out)] : out;
    }
    case 'log-range': {
      if (v.steps === 1) return [v.min];
      const lo = Math.log(v.min);
      const hi = Math.log(v.max);
      return Array.from({ length: v.steps }, (_, i) =>
        roundNice(Math.exp(lo + ((hi - lo) * i) / (v.steps - 1))),
      );
    }
  }
}

/** One random value of a parameter: uniform over a list or range, log-uniform over a log range. */
function sampleValue(v: ParamValues, rng: Rng): Scalar {
  switch (v.kind) {
    case 'list':
      return v.values[rng.int(v.values.length)];
    case 'range': {
      const x = rng.uniform(v.min, v.max);
      return v.integer ? Math.round(x) : roundNice(x);
    }
    case 'log-range':
      return roundNice(Math.exp(rng.uniform(Math.log(v.min), Math.log(v.max))));
  }
}

/** Keep 6 significant digits so generated values print cleanly in tables and URLs. */
function roundNice(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(6));
}

/** The points (parameter assignments) of a spec, before seeds. */
export function expandPoints(spec: SweepSpec): Record<string, Scalar>[] {
  if (spec.params.length === 0) return [{}];
  if (spec.mode === 'random') {
    const rng = new Rng(spec.sampleSeed);
    return Array.from({ length: spec.samples }, () => {
      const point: Record<string, Scalar> = {};
      for (const p of spec.params) {
        if (p.tied && p.values.kind === 'list') {
          const i = rng.int(p.values.values.length);
          point[p.key] = p.values.values[i];
          for (const [k, vs] of Object.entries(p.tied)) point[k] = vs[i];
        } else point[p.key] = sampleValue(p.values, rng);
      }
      return point;
    });
  }
  let points: Record<string, Scalar>[] = [{}];
  for (const p of spec.params) {
    const values = gridValues(p.values);
    const next: Record<string, Scalar>[] = [];
    for (const pt of points) {
      values.forEach((v, i) => {
        const q = { ...pt, [p.key]: v };
        for (const [k, vs] of Object.entries(p.tied ?? {})) q[k] = vs[i];
        next.push(q);
      });
    }
    points = next;
  }
  return points;
}

/** Every key a spec sets: parameter keys and their tied keys. */
export function sweptKeys(spec: SweepSpec): string[] {
  return spec.params.flatMap((p) => [p.key, ...Object.keys(p.tied ?? {})]);
}

/** Number of runs a spec expands to, without building them (for the "N runs, ~T min" estimate). */
export function countRuns(spec: SweepSpec): number {
  const points =
    spec.params.length === 0
      ? 1
      : spec.mode === 'random'
        ? spec.samples
        : spec.params.reduce((n, p) => n * gridValues(p.values).length, 1);
  return points * spec.seedsPerPoint;
}

/** Every run of the spec, point-major then seed: run i's config is base + point + seed. */
export function expandSweep(spec: SweepSpec): SweepRun[] {
  const runs: SweepRun[] = [];
  expandPoints(spec).forEach((point, pointIndex) => {
    for (let s = 0; s < spec.seedsPerPoint; s++) {
      const seed = spec.firstSeed + s;
      const config = structuredClone(spec.base) as Record<string, unknown>;
      for (const [key, value] of Object.entries(point)) setPath(config, key, value);
      setPath(config, spec.seedKey, seed);
      runs.push({ index: runs.length, id: `p${pointIndex}-s${seed}`, pointIndex, point, seed, config });
    }
  });
  return runs;
}

/** Parse `i/n` (0-based shard i of n). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`shard must look like i/n (e.g. 0/4), got '${text}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new Error(`shard ${text}: need 0 ≤ i < n`);
  return { index, count };
}

/**
 * The runs of shard i of n: round-robin by run index, so shards are balanced across grid points
 * (neighbouring runs differ only in seed and cost about the same) and together cover every run once.
 */
export function shardRuns(runs: SweepRun[], shard: { index: number; count: number }): SweepRun[] {
  return runs.filter((r) => r.index % shard.count === shard.index);
}

/** Write `value` at a dotted path, creating objects on the way. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Record<string, unknown> = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cur[parts[i]];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) cur[parts[i]] = {};
    cur = cur[parts[i]] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

/** Read a dotted path, or undefined. */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
