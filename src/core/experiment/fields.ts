/**
 * Field specs: one declaration per configurable value of an experiment — its dotted path in the
 * ExperimentConfig (`agent.learningRate`, `env.feeRate`), label, default, range, unit and one-line
 * help. The lab's forms, share links, sweep builders and `lab … --set path=value` all read these,
 * so a field is declared once (TF Playground's `state.ts` idea, with zod doing the checking).
 *
 * Values are always in core's units (fractions, not percent). A field may ask to be *shown* in
 * friendlier units (`display: { unit: 'bps', scale: 1e4 }`): forms multiply by the scale when
 * they show a value and divide when they read one; links, config files and `--set` never do.
 * Pure: no DOM, no tfjs.
 */
import { z } from 'zod';

interface FieldBase {
  /** Dotted path in the ExperimentConfig (`agent.network.encoder`). */
  path: string;
  label: string;
  /** One-line explanation shown under the field. */
  help: string;
  /** Key into the lab's Learn glossary for a longer explanation. */
  learn?: string;
  /** Shown only when this holds for the flat values of the experiment (env kind, encoder, data source). */
  when?: (values: Values) => boolean;
}

export interface NumberField extends FieldBase {
  kind: 'number';
  /** null only with nullMeans. */
  default: number | null;
  /** Range in core units. */
  min: number;
  max: number;
  int?: boolean;
  /** Unit of the core value ('steps', '$', …). */
  unit?: string;
  /** How forms show the value: value × scale, in `unit` (0.0005 → 5 bps). */
  display?: { unit: string; scale: number };
  /** `null` is allowed and means what this says ('off'); forms show it as an empty box. */
  nullMeans?: string;
  step?: number;
}

export interface EnumField<V extends string = string> extends FieldBase {
  kind: 'enum';
  default: V;
  options: readonly { value: V; label: string }[];
}

export interface BoolField extends FieldBase {
  kind: 'bool';
  default: boolean;
}

export interface DateField extends FieldBase {
  kind: 'date';
  default: string;
}

/** A list of positive integers (layer widths, indicator periods), written `64,64`. */
export interface IntListField extends FieldBase {
  kind: 'intList';
  default: number[];
  min: number;
  max: number;
  unit?: string;
}

export type FieldSpec = NumberField | EnumField | BoolField | DateField | IntListField;
export type FieldValue = number | string | boolean | number[] | null;
/** A flat map dotted path → value (core units). */
export type Values = Record<string, FieldValue>;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** zod schema of one field's value (core units). */
export function fieldSchema(f: FieldSpec): z.ZodType<FieldValue> {
  switch (f.kind) {
    case 'number': {
      let s = z.number({ error: 'must be a number' }).refine(Number.isFinite, 'must be finite');
      s = s
        .refine((v) => v >= f.min, `must be ≥ ${displayOf(f, f.min)}`)
        .refine((v) => v <= f.max, `must be ≤ ${displayOf(f, f.max)}`);
      if (f.int) s = s.refine(Number.isInteger, 'must be a whole number');
      return f.nullMeans ? s.nullable() : s;
    }
    case 'enum':
      return z.enum(f.options.map((o) => o.value) as [string, ...string[]], {
        error: `must be one of ${f.options.map((o) => o.value).join(', ')}`,
      });
    case 'bool':
      return z.boolean({ error: 'must be true or false' });
    case 'date':
      return z
        .string()
        .regex(ISO_DATE, 'must be a date YYYY-MM-DD')
        .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'must be a real date');
    case 'intList':
      return z
        .array(
          z
            .number()
            .int('must be whole numbers')
            .min(f.min, `each must be ≥ ${f.min}`)
            .max(f.max, `each must be ≤ ${f.max}`),
          { error: 'must be a list of whole numbers like 64,64' },
        )
        .min(1, 'must list at least one number');
  }
}

/** A core value as forms show it (display scale applied, float noise rounded away). */
export function displayOf(f: FieldSpec, v: number): number {
  if (f.kind !== 'number' || !f.display) return v;
  return Number((v * f.display.scale).toPrecision(12));
}

/** Parses the text form of a value; `displayed` = the text is in the field's display units (forms). */
export function parseFieldText(
  f: FieldSpec,
  text: string,
  displayed = false,
): { ok: true; value: FieldValue } | { ok: false; error: string } {
  const t = text.trim();
  let raw: unknown = t;
  if (f.kind === 'number') {
    if (t === '' && f.nullMeans) return { ok: true, value: null };
    if (t === 'null' && f.nullMeans && !displayed) return { ok: true, value: null };
    const n = t === '' ? NaN : Number(t);
    if (Number.isNaN(n)) return { ok: false, error: 'must be a number' };
    raw = displayed && f.display ? Number((n / f.display.scale).toPrecision(15)) : n;
  } else if (f.kind === 'bool') {
    raw = t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : t;
  } else if (f.kind === 'intList') {
    const parts = t
      .replace(/^\[|\]$/g, '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    raw = parts.map(Number);
    if ((raw as number[]).some((n) => Number.isNaN(n)))
      return { ok: false, error: 'must be a list of whole numbers like 64,64' };
  }
  const r = fieldSchema(f).safeParse(raw);
  return r.success
    ? { ok: true, value: r.data }
    : { ok: false, error: r.error.issues[0]?.message ?? 'invalid value' };
}

/** Text form of a value, the inverse of parseFieldText (numbers keep full precision). */
export function formatFieldValue(f: FieldSpec, v: FieldValue, displayed = false): string {
  if (v === null) return displayed ? '' : 'null';
  if (Array.isArray(v)) return v.join(',');
  if (typeof v === 'number' && displayed) return String(displayOf(f, v));
  return String(v);
}

/** The unit a form shows beside the field. */
export function shownUnit(f: FieldSpec): string | undefined {
  if (f.kind === 'number') return f.display?.unit ?? f.unit;
  if (f.kind === 'intList') return f.unit;
  return undefined;
}

/** Returns field path → message for every invalid value among `fields`. */
export function validateValues(fields: readonly FieldSpec[], values: Values): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const r = fieldSchema(f).safeParse(values[f.path]);
    if (!r.success) errors[f.path] = r.error.issues[0]?.message ?? 'invalid value';
  }
  return errors;
}

export function defaultsOf(fields: readonly FieldSpec[]): Values {
  return Object.fromEntries(fields.map((f) => [f.path, structuredClone(f.default)]));
}

type Extra<F> = Partial<Omit<F, 'kind' | 'path' | 'label' | 'default' | 'help'>>;

export function num(
  path: string,
  label: string,
  def: number,
  min: number,
  max: number,
  help: string,
  extra: Extra<NumberField> = {},
): NumberField {
  return { kind: 'number', path, label, default: def, min, max, help, ...extra };
}

export function int(
  path: string,
  label: string,
  def: number,
  min: number,
  max: number,
  help: string,
  extra: Extra<NumberField> = {},
): NumberField {
  return { kind: 'number', path, label, default: def, min, max, help, int: true, step: 1, ...extra };
}

export function bool(
  path: string,
  label: string,
  def: boolean,
  help: string,
  extra: Extra<BoolField> = {},
): BoolField {
  return { kind: 'bool', path, label, default: def, help, ...extra };
}

export function choice<V extends string>(
  path: string,
  label: string,
  def: V,
  options: readonly { value: V; label: string }[],
  help: string,
  extra: Extra<EnumField<V>> = {},
): EnumField<V> {
  return { kind: 'enum', path, label, default: def, options, help, ...extra } as EnumField<V>;
}

export function date(path: string, label: string, def: string, help: string): DateField {
  return { kind: 'date', path, label, default: def, help };
}

export function intList(
  path: string,
  label: string,
  def: number[],
  min: number,
  max: number,
  help: string,
  extra: Extra<IntListField> = {},
): IntListField {
  return { kind: 'intList', path, label, default: def, min, max, help, ...extra };
}
