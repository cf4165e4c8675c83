/**
 * The sweep builder's editable form ⇄ a sweep spec, and the spec in the URL (`?sweep=…`, beside the
 * experiment's hash: the base of every run is the experiment the link already carries).
 */
import { parseSweepSpec, type Scalar, type SweepSpec, type SweepSpecInput } from '../core/sweeps/spec.ts';

export type ValuesKind = 'list' | 'range' | 'log-range';

export interface ParamDraft {
  key: string;
  kind: ValuesKind;
  /** list: comma-separated values (numbers, true/false, words). */
  list: string;
  min: string;
  max: string;
  steps: string;
  integer: boolean;
  /** Tied keys, one per line: `env.sellPct = 0.5, 0.3` (list parameters only). */
  tied: string;
}

export interface SweepDraft {
  name: string;
  mode: 'grid' | 'random';
  samples: number;
  sampleSeed: number;
  seedsPerPoint: number;
  firstSeed: number;
  /** Env steps per run (overrides the experiment's Training steps). */
  totalSteps: number;
  params: ParamDraft[];
}

export function emptyParam(key: string, suggest: Scalar[] = []): ParamDraft {
  return {
    key,
    kind: 'list',
    list: suggest.map(String).join(', '),
    min: '',
    max: '',
    steps: '3',
    integer: false,
    tied: '',
  };
}

export function defaultDraft(totalSteps: number): SweepDraft {
  return {
    name: 'sweep',
    mode: 'grid',
    samples: 8,
    sampleSeed: 0,
    seedsPerPoint: 2,
    firstSeed: 1,
    totalSteps,
    params: [],
  };
}

/** A list cell: number, boolean or text. */
export function parseScalar(text: string): Scalar {
  const t = text.trim();
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  return t;
}

function listOf(text: string): Scalar[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseScalar);
}

/** The form as spec input (values still unchecked; parseSweepSpec names what is wrong). */
export function draftToSpecInput(d: SweepDraft): SweepSpecInput {
  return {
    name: d.name,
    mode: d.mode,
    samples: d.samples,
    sampleSeed: d.sampleSeed,
    seedsPerPoint: d.seedsPerPoint,
    firstSeed: d.firstSeed,
    params: d.params.map((p) => {
      const values =
        p.kind === 'list'
          ? { kind: 'list' as const, values: listOf(p.list) }
          : p.kind === 'range'
            ? {
                kind: 'range' as const,
                min: Number(p.min),
                max: Number(p.max),
                steps: Number(p.steps),
                ...(p.integer ? { integer: true } : {}),
              }
            : { kind: 'log-range' as const, min: Number(p.min), max: Number(p.max), steps: Number(p.steps) };
      const tied: Record<string, Scalar[]> = {};
      for (const line of p.tied.split('\n')) {
        const eq = line.indexOf('=');
        if (eq > 0) tied[line.slice(0, eq).trim()] = listOf(line.slice(eq + 1));
      }
      return { key: p.key.trim(), values, ...(Object.keys(tied).length ? { tied } : {}) };
    }),
  };
}

/** The spec of the form over a base config; throws with the field named (`params.0.values…`). */
export function draftToSpec(d: SweepDraft, base: Record<string, unknown>): SweepSpec {
  return parseSweepSpec({ ...draftToSpecInput(d), base: { ...base, totalSteps: d.totalSteps } });
}

/** A spec (e.g. a preset's) back into the form. */
export function specToDraft(spec: SweepSpec, totalSteps: number): SweepDraft {
  return {
    name: spec.name,
    mode: spec.mode,
    samples: spec.samples,
    sampleSeed: spec.sampleSeed,
    seedsPerPoint: spec.seedsPerPoint,
    firstSeed: spec.firstSeed,
    totalSteps: typeof spec.base.totalSteps === 'number' ? spec.base.totalSteps : totalSteps,
    params: spec.params.map((p) => ({
      key: p.key,
      kind: p.values.kind,
      list: p.values.kind === 'list' ? p.values.values.map(String).join(', ') : '',
      min: p.values.kind === 'list' ? '' : String(p.values.min),
      max: p.values.kind === 'list' ? '' : String(p.values.max),
      steps: p.values.kind === 'list' ? '3' : String(p.values.steps),
      integer: p.values.kind === 'range' && p.values.integer === true,
      tied: Object.entries(p.tied ?? {})
        .map(([k, vs]) => `${k} = ${vs.map(String).join(', ')}`)
        .join('\n'),
    })),
  };
}

export const URL_PARAM = 'sweep';
const MAX_URL_SPEC = 6000;

/** `?sweep=` value of a draft: the spec without its base (JSON, URI-encoded by URLSearchParams). */
export function draftToUrlValue(d: SweepDraft): string {
  return JSON.stringify({ ...draftToSpecInput(d), totalSteps: d.totalSteps });
}

/**
 * The draft a `?sweep=` value describes, or a notice saying why it was ignored. Untrusted input:
 * validated with the spec schema, never evaluated.
 */
export function urlValueToDraft(
  value: string,
  fallbackSteps: number,
): { draft: SweepDraft | null; notice: string | null } {
  if (value.length > MAX_URL_SPEC)
    return { draft: null, notice: 'The sweep in the link is too long and was ignored.' };
  try {
    const raw = JSON.parse(value) as Record<string, unknown>;
    const steps =
      typeof raw.totalSteps === 'number' && Number.isInteger(raw.totalSteps) && raw.totalSteps > 0
        ? raw.totalSteps
        : fallbackSteps;
    const { totalSteps: _t, ...rest } = raw;
    const spec = parseSweepSpec({ ...rest, base: {} });
    return { draft: specToDraft(spec, steps), notice: null };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return {
      draft: null,
      notice: `The sweep in the link was ignored: ${msg.length > 120 ? `${msg.slice(0, 120)}…` : msg}`,
    };
  }
}
