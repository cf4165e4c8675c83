import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { parseArgs, parseScalar } from './args.ts';
import { UsageError } from './errors.ts';
import { csvField, toCsv, toJson } from './output.ts';

const spec = {
  flags: {
    out: { type: 'string', required: true },
    fee: { type: 'number', default: 0.0005 },
    seed: { type: 'integer' },
    json: { type: 'boolean' },
    strategy: { type: 'string', choices: ['a', 'b'], default: 'a' },
    asset: { type: 'string', multiple: true },
    set: { type: 'key-value' },
    verbose: { type: 'boolean', short: 'v' },
  },
  positionals: { max: 2, names: ['input'] },
} as const;

describe('parseArgs', () => {
  it('parses typed flags, repeats, key=value, positionals and defaults', () => {
    const a = parseArgs(
      [
        'in.csv',
        '--out',
        'dir',
        '--fee=-0.01',
        '--seed',
        '7',
        '--json',
        '--asset',
        'X',
        '--asset=Y',
        '--set',
        'lr=3e-4',
        '--set',
        'g=0.9',
        '-v',
      ],
      spec,
    );
    expect(a.positionals).toEqual(['in.csv']);
    expect(a.flags.out).toBe('dir');
    expect(a.flags.fee).toBe(-0.01);
    expect(a.flags.seed).toBe(7);
    expect(a.flags.json).toBe(true);
    expect(a.flags.verbose).toBe(true);
    expect(a.flags.strategy).toBe('a');
    expect(a.flags.asset).toEqual(['X', 'Y']);
    expect(a.flags.set).toEqual({ lr: '3e-4', g: '0.9' });
    expectTypeOf(a.flags.fee).toEqualTypeOf<number>();
    expectTypeOf(a.flags.out).toEqualTypeOf<string>();
    expectTypeOf(a.flags.seed).toEqualTypeOf<number | undefined>();
    expectTypeOf(a.flags.json).toEqualTypeOf<boolean>();
    expectTypeOf(a.flags.strategy).toEqualTypeOf<'a' | 'b'>();
    expectTypeOf(a.flags.asset).toEqualTypeOf<string[]>();
    expectTypeOf(a.flags.set).toEqualTypeOf<Record<string, string>>();
  });

  it('a multiple flag takes the words that follow it, up to the next option (--data A.csv B.csv)', () => {
    const a = parseArgs(['--asset', 'X', 'Y', '--asset=Z', 'W', '--out', 'o', '--asset', 'V'], spec);
    expect(a.flags.asset).toEqual(['X', 'Y', 'Z', 'W', 'V']);
    expect(a.positionals).toEqual([]);
    // A positional after it comes after `--` (or first).
    const b = parseArgs(['in.csv', '--asset', 'X', 'Y', '--out', 'o', '--', 'more.csv'], spec);
    expect(b.flags.asset).toEqual(['X', 'Y']);
    expect(b.positionals).toEqual(['in.csv', 'more.csv']);
    // A single-valued flag still takes one word: the next is a positional.
    expect(parseArgs(['--out', 'o', 'in.csv'], spec).positionals).toEqual(['in.csv']);
  });

  it('takes a negative number as a value and -- ends options', () => {
    const a = parseArgs(['--out', 'o', '--fee', '-1e-3', '--', '--not-a-flag'], spec);
    expect(a.flags.fee).toBe(-0.001);
    expect(a.positionals).toEqual(['--not-a-flag']);
    expect(a.flags.json).toBe(false);
    expect(a.flags.seed).toBeUndefined();
    expect(a.flags.asset).toEqual([]);
  });

  it.each([
    [['--out', 'o', '--bogus'], 'unknown option --bogus'],
    [['--out', 'o', '-q'], 'unknown option -q'],
    [[], 'missing required option --out'],
    [['--out'], '--out needs a value'],
    [['--out', 'o', '--fee', 'abc'], '--fee expects a number'],
    [['--out', 'o', '--seed', '1.5'], '--seed expects an integer'],
    [['--out', 'o', '--strategy', 'c'], '--strategy must be one of a, b'],
    [['--out', 'o', '--set', 'novalue'], '--set expects key=value'],
    [['--out', 'o', 'a', 'b', 'c'], 'too many arguments'],
    [['--out', 'o', '--out', 'p'], 'given more than once'],
  ])('%j → UsageError', (argv, message) => {
    expect(() => parseArgs(argv, spec)).toThrow(UsageError);
    expect(() => parseArgs(argv, spec)).toThrow(message);
  });

  it('names a missing positional', () => {
    expect(() => parseArgs([], { flags: {}, positionals: { min: 1, names: ['returns.csv'] } })).toThrow(
      'missing argument <returns.csv>',
    );
  });

  it('parseScalar guesses types', () => {
    expect(parseScalar('3e-4')).toBe(3e-4);
    expect(parseScalar('true')).toBe(true);
    expect(parseScalar('abc')).toBe('abc');
  });
});

describe('output helpers', () => {
  it('quotes CSV fields only when needed, blanks NaN and spells out ±Infinity', () => {
    expect(csvField(-Infinity)).toBe('-Infinity');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(NaN)).toBe('');
    expect(
      toCsv(
        ['d', 'v'],
        [
          ['2020-01-01', 1.5],
          ['2020-01-02', Infinity],
        ],
      ),
    ).toBe('d,v\n2020-01-01,1.5\n2020-01-02,Infinity\n');
  });

  it('writes typed arrays as arrays, NaN as null and ±Infinity as "Infinity"/"-Infinity" in JSON', () => {
    expect(
      JSON.parse(toJson({ a: new Float64Array([1, NaN, Infinity]), b: -Infinity, c: Infinity, d: NaN })),
    ).toEqual({
      a: [1, null, 'Infinity'],
      b: '-Infinity',
      c: 'Infinity',
      d: null,
    });
  });

  it('keeps arrays of plain values on one line and round-trips any JSON value (fast-check)', () => {
    const text = toJson({ s: new Int8Array([1, -2]), rows: [{ q: [1, 'a', null] }], e: [], o: {} });
    expect(text).toBe(
      '{\n  "s": [1,-2],\n  "rows": [\n    {\n      "q": [1,"a",null]\n    }\n  ],\n  "e": [],\n  "o": {}\n}',
    );
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(JSON.parse(toJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });
});
