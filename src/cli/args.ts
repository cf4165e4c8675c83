/**
 * The one argument parser every `lab` command uses.
 *
 *   const args = parseArgs(argv, {
 *     flags: {
 *       out: { type: 'string', required: true },
 *       fee: { type: 'number', default: 0.0005 },
 *       seed: { type: 'integer', default: 0 },
 *       json: { type: 'boolean' },
 *       strategy: { type: 'string', choices: ['a', 'b'] },
 *       asset: { type: 'string', multiple: true },   // --asset A B, or --asset A --asset B → ['A', 'B']
 *       set: { type: 'key-value' },                  // --set lr=3e-4 --set gamma=0.99 → { lr: '3e-4', gamma: '0.99' }
 *     },
 *     positionals: { min: 1, max: 1, names: ['returns.csv'] },
 *   });
 *   args.flags.fee      // number
 *   args.flags.out      // string
 *   args.positionals    // string[]
 *
 * Accepted forms: `--name value`, `--name=value`, `--flag` / `--no-flag` for booleans, `--` ends
 * options. Values may start with '-' (`--risk-free -0.01`). Every mistake — unknown option, missing
 * value, a number that is not one, a value outside `choices`, a missing required flag, too many or
 * too few positionals — throws a UsageError with one clear line (`unknown option --x`).
 * Written by hand rather than on node's util.parseArgs so negative numbers and the messages are ours.
 */
import { UsageError } from './errors.ts';

export type FlagType = 'string' | 'number' | 'integer' | 'boolean' | 'key-value';

export interface FlagSpec {
  type: FlagType;
  /**
   * Repeatable, and takes the non-option words that follow it: `--data A.csv B.csv` and
   * `--data A.csv --data B.csv` both give ['A.csv', 'B.csv'] (ignored for 'key-value', always
   * repeatable). A positional after such a flag needs `--` or to come first.
   */
  multiple?: boolean;
  /** Missing flag → UsageError. */
  required?: boolean;
  /** Value when the flag is absent. */
  default?: string | number | boolean | readonly string[] | readonly number[];
  /** Allowed values of a 'string' flag. */
  choices?: readonly string[];
  /** One-letter alias, used as `-x`. */
  short?: string;
}

export interface ArgsSpec {
  flags: Readonly<Record<string, FlagSpec>>;
  /** Positional argument count limits (default: none allowed). `names` make the error messages readable. */
  positionals?: { min?: number; max?: number; names?: readonly string[] };
}

type Scalar<T extends FlagType> = T extends 'boolean' ? boolean : T extends 'string' ? string : number;

/** A 'string' flag with `choices` is typed as the union of its choices. */
type ScalarOf<F extends FlagSpec> = F extends { choices: readonly (infer C)[] } ? C : Scalar<F['type']>;

type FlagValue<F extends FlagSpec> = F['type'] extends 'key-value'
  ? Record<string, string>
  : F['type'] extends 'boolean'
    ? boolean
    : F['multiple'] extends true
      ? ScalarOf<F>[]
      : F extends { required: true } | { default: unknown }
        ? ScalarOf<F>
        : ScalarOf<F> | undefined;

export type ParsedFlags<S extends ArgsSpec> = { [K in keyof S['flags']]: FlagValue<S['flags'][K]> };

export interface ParsedArgs<S extends ArgsSpec> {
  flags: ParsedFlags<S>;
  positionals: string[];
}

/** Parse one raw value of a flag of the given type. */
function convert(name: string, spec: FlagSpec, raw: string): string | number {
  switch (spec.type) {
    case 'number': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v))
        throw new UsageError(`--${name} expects a number, got '${raw}'`);
      return v;
    }
    case 'integer': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isInteger(v))
        throw new UsageError(`--${name} expects an integer, got '${raw}'`);
      return v;
    }
    case 'string':
      if (spec.choices && !spec.choices.includes(raw)) {
        throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')}; got '${raw}'`);
      }
      return raw;
    default:
      return raw;
  }
}

export function parseArgs<const S extends ArgsSpec>(argv: readonly string[], spec: S): ParsedArgs<S> {
  const flagSpecs = spec.flags;
  const shortToName = new Map<string, string>();
  for (const [name, f] of Object.entries(flagSpecs)) if (f.short) shortToName.set(f.short, name);

  const values: Record<string, unknown> = {};
  const positionals: string[] = [];

  const store = (name: string, f: FlagSpec, raw: string): void => {
    if (f.type === 'key-value') {
      const eq = raw.indexOf('=');
      if (eq <= 0) throw new UsageError(`--${name} expects key=value, got '${raw}'`);
      const map = (values[name] as Record<string, string> | undefined) ?? {};
      map[raw.slice(0, eq).trim()] = raw.slice(eq + 1);
      values[name] = map;
      return;
    }
    const v = convert(name, f, raw);
    if (f.multiple) {
      const arr = (values[name] as unknown[] | undefined) ?? [];
      arr.push(v);
      values[name] = arr;
    } else {
      if (name in values) throw new UsageError(`--${name} given more than once`);
      values[name] = v;
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else if (arg.length === 2 && arg[0] === '-' && arg[1] !== '-' && !/\d/.test(arg[1])) {
      const long = shortToName.get(arg[1]);
      if (!long) throw new UsageError(`unknown option ${arg}`);
      name = long;
    } else {
      positionals.push(arg);
      continue;
    }

    let f = Object.hasOwn(flagSpecs, name) ? flagSpecs[name] : undefined;
    if (!f && name.startsWith('no-') && inline === undefined) {
      const base = name.slice(3);
      const bf = Object.hasOwn(flagSpecs, base) ? flagSpecs[base] : undefined;
      if (bf?.type === 'boolean') {
        values[base] = false;
        continue;
      }
    }
    if (!f) throw new UsageError(`unknown option --${name}`);

    if (f.type === 'boolean') {
      if (inline === undefined) values[name] = true;
      else if (/^(true|1|yes)$/i.test(inline)) values[name] = true;
      else if (/^(false|0|no)$/i.test(inline)) values[name] = false;
      else throw new UsageError(`--${name} is a switch; got '--${name}=${inline}'`);
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
      raw = argv[++i];
    }
    f = f as FlagSpec;
    store(name, f, raw);
    // A multiple flag also takes the words after its value, up to the next option (`--data A B`).
    if (f.multiple) while (i + 1 < argv.length && !argv[i + 1].startsWith('-')) store(name, f, argv[++i]);
  }

  for (const [name, f] of Object.entries(flagSpecs)) {
    if (name in values) continue;
    if (f.required) throw new UsageError(`missing required option --${name}`);
    if (f.type === 'boolean') values[name] = f.default ?? false;
    else if (f.type === 'key-value') values[name] = {};
    else if (f.default !== undefined) values[name] = Array.isArray(f.default) ? [...f.default] : f.default;
    else if (f.multiple) values[name] = [];
  }

  const pos = spec.positionals ?? { max: 0 };
  const min = pos.min ?? 0;
  const max = pos.max ?? Infinity;
  if (positionals.length > max) {
    const extra = positionals[max];
    throw new UsageError(
      max === 0
        ? `unexpected argument '${extra}'`
        : `too many arguments: '${extra}' (expected at most ${max})`,
    );
  }
  if (positionals.length < min) {
    const missing = pos.names?.[positionals.length];
    throw new UsageError(missing ? `missing argument <${missing}>` : `expected at least ${min} argument(s)`);
  }

  return { flags: values as ParsedFlags<S>, positionals };
}

/**
 * Turn a `--set` string into the value it most likely means: number, boolean, null or the string
 * itself. Use where a config field's type is not known at parse time.
 */
export function parseScalar(raw: string): string | number | boolean | null {
  const s = raw.trim();
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (s === 'null') return null;
  if (s !== '' && Number.isFinite(Number(s))) return Number(s);
  return raw;
}
