import { z } from 'zod';

/**
 * Declarative description of one configurable value. Forms, URL-hash properties and validation are
 * all generated from these specs, so a field is declared once (TF Playground's `state.ts` idea,
 * with zod doing the checking).
 */
interface FieldBase {
  /** Short, stable key used in the URL hash. */
  key: string;
  label: string;
  /** One-line explanation shown under the field. */
  help: string;
  /** Optional key into the Learn glossary (src/ui/learn) for a longer explanation. */
  learn?: string;
}

export interface NumberField extends FieldBase {
  kind: 'number';
  default: number;
  min: number;
  max: number;
  int?: boolean;
  /** Unit shown beside the input ('%', 'bps', 'steps', …). */
  unit?: string;
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

export type FieldSpec = NumberField | EnumField | BoolField | DateField;
export type FieldValue = number | string | boolean;
export type Values = Record<string, FieldValue>;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** zod schema of one field's typed value. */
export function fieldSchema(f: FieldSpec): z.ZodType<FieldValue> {
  switch (f.kind) {
    case 'number': {
      let s = z.number({ error: 'must be a number' }).refine(Number.isFinite, 'must be finite');
      s = s.refine((v) => v >= f.min, `must be ≥ ${f.min}`).refine((v) => v <= f.max, `must be ≤ ${f.max}`);
      if (f.int) s = s.refine(Number.isInteger, 'must be a whole number');
      return s;
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
  }
}

/** Parses the text form of a value (what a user typed or what the URL holds). */
export function parseFieldText(
  f: FieldSpec,
  text: string,
): { ok: true; value: FieldValue } | { ok: false; error: string } {
  let raw: unknown = text;
  const trimmed = text.trim();
  if (f.kind === 'number') raw = trimmed === '' ? NaN : Number(trimmed);
  else if (f.kind === 'bool')
    raw =
      trimmed === 'true' || trimmed === '1' ? true : trimmed === 'false' || trimmed === '0' ? false : text;
  else raw = trimmed;
  if (f.kind === 'number' && Number.isNaN(raw)) return { ok: false, error: 'must be a number' };
  const r = fieldSchema(f).safeParse(raw);
  return r.success
    ? { ok: true, value: r.data }
    : { ok: false, error: r.error.issues[0]?.message ?? 'invalid value' };
}

/** Text form of a value, the inverse of parseFieldText (numbers keep full precision). */
export function formatFieldValue(v: FieldValue): string {
  return typeof v === 'number' ? String(v) : String(v);
}

export function defaultsOf(fields: readonly FieldSpec[]): Values {
  return Object.fromEntries(fields.map((f) => [f.key, f.default]));
}

/** Validates a whole values object; returns field → message for every invalid field. */
export function validateValues(fields: readonly FieldSpec[], values: Values): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const r = fieldSchema(f).safeParse(values[f.key]);
    if (!r.success) errors[f.key] = r.error.issues[0]?.message ?? 'invalid value';
  }
  return errors;
}

export function num(
  key: string,
  label: string,
  def: number,
  min: number,
  max: number,
  help: string,
  extra: Partial<NumberField> = {},
): NumberField {
  return { kind: 'number', key, label, default: def, min, max, help, ...extra };
}

export function int(
  key: string,
  label: string,
  def: number,
  min: number,
  max: number,
  help: string,
  extra: Partial<NumberField> = {},
): NumberField {
  return { kind: 'number', key, label, default: def, min, max, help, int: true, step: 1, ...extra };
}

export function bool(
  key: string,
  label: string,
  def: boolean,
  help: string,
  extra: Partial<BoolField> = {},
): BoolField {
  return { kind: 'bool', key, label, default: def, help, ...extra };
}

export function choice<V extends string>(
  key: string,
  label: string,
  def: V,
  options: readonly { value: V; label: string }[],
  help: string,
  extra: Partial<EnumField<V>> = {},
): EnumField<V> {
  return { kind: 'enum', key, label, default: def, options, help, ...extra } as EnumField<V>;
}
