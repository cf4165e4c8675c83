/**
 * The sweep builder's catalogue of settings, generated from core's field specs: every shown
 * number, choice and switch of the experiment, by its dotted path (the same key as the share link,
 * `lab … --set` and the spec). Any other config path can still be typed in.
 */
import type { FieldSpec, FieldValue } from '../../core/experiment/fields.ts';
import type { Scalar } from '../../core/sweeps/spec.ts';
import { ALGO_IDS, fieldOf, type AlgoId } from '../../core/experiment/vocabulary.ts';
import {
  activeFields,
  algoOf,
  flatValues,
  panelOf,
  setValueIn,
  type Experiment,
} from '../../store/experiment.ts';

/** Algorithms the sweep runner trains. */
export const SWEEPABLE_ALGOS: readonly AlgoId[] = ['a2c', 'ppo'];

export interface SweepKeyOption {
  key: string;
  label: string;
  /** Panel the field lives on ('Agent', 'Setup', 'Data', 'Train'). */
  group: string;
  /** Suggested values (core units) for a new parameter: the current one first. */
  suggest: Scalar[];
}

/** Settings a sweep cannot vary (they pick what is trained or where, not how). */
const NOT_SWEPT = new Set(['algo', 'backend', 'data.kind', 'data.name', 'seed', 'eval.every']);
const GROUP_ORDER = ['Agent', 'Setup', 'Data', 'Train'];

/** Suggested values of a field around its current value. */
export function suggestValues(f: FieldSpec, current: FieldValue | undefined): Scalar[] {
  if (f.kind === 'enum') {
    const cur = String(current ?? f.default);
    return [cur, ...f.options.map((o) => o.value).filter((v) => v !== cur)].slice(0, 3);
  }
  if (f.kind === 'bool') return [current === true, current !== true];
  if (f.kind !== 'number') return [];
  const v = typeof current === 'number' ? current : typeof f.default === 'number' ? f.default : f.min;
  const round = (x: number) => (f.int ? Math.round(x) : Number(x.toPrecision(6)));
  const other = v === 0 ? round(f.min + (f.max - f.min) / 10) : v * 2 <= f.max ? round(v * 2) : round(v / 2);
  return other === v ? [v] : [v, other];
}

/** The catalogue for the experiment on screen (its algorithm, env kind and data source). */
export function sweepKeysFor(e: Experiment): SweepKeyOption[] {
  const flat = flatValues(e);
  return activeFields(flat)
    .filter((f) => !NOT_SWEPT.has(f.path) && (f.kind === 'number' || f.kind === 'enum' || f.kind === 'bool'))
    .map((f) => ({
      key: f.path,
      label: f.label,
      group: panelOf(f.path),
      suggest: suggestValues(f, flat[f.path]),
    }))
    .sort((a, b) => GROUP_ORDER.indexOf(a.group) - GROUP_ORDER.indexOf(b.group));
}

/** The label of a dotted path (any algorithm's field), or the path itself. */
export function labelOf(key: string): string {
  for (const a of ALGO_IDS) {
    const f = fieldOf(key, a);
    if (f) return f.label;
  }
  return key;
}

/**
 * The lab experiment of one sweep point (saved like any run, reproducible from its link): declared
 * paths set their field, any other path travels as a config extra.
 */
export function experimentOfPoint(base: Experiment, point: Record<string, Scalar>, seed: number): Experiment {
  let e = base;
  const extras = { ...base.extras };
  for (const [key, v] of Object.entries(point)) {
    if (fieldOf(key, algoOf(e))) e = setValueIn(e, key, v);
    else extras[key] = v;
  }
  return { ...setValueIn(e, 'seed', seed), extras };
}
