import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { getAlgorithm } from '../run/algorithms.ts';
import '../agents/offline/learners.ts';
import { leafPaths, resolveExperimentConfig } from './config.ts';
import { parseFieldText, formatFieldValue, type FieldSpec, type Values } from './fields.ts';
import { configOf, linkOfConfig, parseLink } from './link.ts';
import {
  activeFields,
  AGENT_FIELDS,
  AGENT_PRESETS,
  agentValues,
  ALGO_IDS,
  COMMON_FIELDS,
  defaultValues,
  flatten,
  normalizeValues,
  type AlgoId,
} from './vocabulary.ts';

describe('vocabulary', () => {
  it('declares each path once per algorithm', () => {
    for (const algo of ALGO_IDS) {
      const paths = [...COMMON_FIELDS, ...AGENT_FIELDS[algo]].map((f) => f.path);
      expect(new Set(paths).size).toBe(paths.length);
    }
  });

  it.each(ALGO_IDS.flatMap((a) => Object.keys(AGENT_PRESETS[a]).map((p) => [a, p] as [AlgoId, string])))(
    '%s %s: agent field values equal the algorithm preset in core',
    async (algo, preset) => {
      const core = flatten(await getAlgorithm(algo).defaults(preset));
      const ours = agentValues(algo, preset);
      for (const f of AGENT_FIELDS[algo]) {
        const key = f.path.slice('agent.'.length);
        // dModel is a market-encoder knob that the MLP presets leave to the encoder's default (64).
        if (!(key in core)) {
          expect(f.path).toBe('agent.network.dModel');
          continue;
        }
        expect([f.path, ours[f.path]]).toEqual([f.path, core[key]]);
      }
    },
  );

  it('the default experiment of the lab is the default of core (Train with nothing changed = lab train with no flags)', async () => {
    const fromForms = await resolveExperimentConfig(configOf({ values: defaultValues() }));
    const fromNothing = await resolveExperimentConfig({});
    expect(fromForms).toEqual(fromNothing);
  });

  it('every applicable field is a key of the resolved config, for each algorithm, env kind and data source', async () => {
    for (const algo of ALGO_IDS)
      for (const envKind of ['trading', 'portfolio'])
        for (const kind of ['embedded', 'synthetic']) {
          const values = normalizeValues({
            ...defaultValues(),
            ...agentValues(algo),
            algo,
            envKind,
            'data.kind': kind,
          });
          const resolved = await resolveExperimentConfig(configOf({ values }));
          const known = new Set(leafPaths(resolved));
          for (const f of activeFields(values)) expect([f.path, known.has(f.path)]).toEqual([f.path, true]);
        }
  });

  it('field defaults are valid values of their own fields', () => {
    for (const f of [...COMMON_FIELDS, ...ALGO_IDS.flatMap((a) => AGENT_FIELDS[a])]) {
      const r = parseFieldText(f, formatFieldValue(f, f.default));
      expect([f.path, r.ok]).toEqual([f.path, true]);
    }
  });

  it('display units: forms read and show bps and %, links keep core units', () => {
    const fee = COMMON_FIELDS.find((f) => f.path === 'env.feeRate') as FieldSpec;
    expect(formatFieldValue(fee, 0.0005, true)).toBe('5');
    expect(parseFieldText(fee, '7', true)).toEqual({ ok: true, value: 0.0007 });
    expect(parseFieldText(fee, '0.0007')).toEqual({ ok: true, value: 0.0007 });
    const limit = COMMON_FIELDS.find((f) => f.path === 'env.limitPct') as FieldSpec;
    expect(parseFieldText(limit, '', true)).toEqual({ ok: true, value: null });
    expect(parseFieldText(limit, '10', true)).toEqual({ ok: true, value: 0.1 });
  });
});

describe('share links', () => {
  const valueOf = (f: FieldSpec): fc.Arbitrary<unknown> => {
    switch (f.kind) {
      case 'number': {
        const n = f.int
          ? fc.integer({ min: Math.ceil(f.min), max: Math.floor(Math.min(f.max, 1e9)) })
          : // −0 is the same setting as 0, and a link writes it as 0 (String(−0) is '0').
            fc.double({ min: f.min, max: f.max, noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x));
        return f.nullMeans ? fc.option(n, { nil: null }) : n;
      }
      case 'enum':
        return fc.constantFrom(...f.options.map((o) => o.value));
      case 'bool':
        return fc.boolean();
      case 'date':
        return fc.constantFrom('2001-02-03', '2010-12-31');
      case 'intList':
        return fc.array(fc.integer({ min: f.min, max: f.max }), { minLength: 1, maxLength: 3 });
    }
  };

  it('config → link → config is the identity on every applicable field (fast-check)', () => {
    const algoArb = fc.constantFrom(...ALGO_IDS);
    fc.assert(
      fc.property(
        algoArb,
        fc.constantFrom('trading', 'portfolio'),
        fc.constantFrom('embedded', 'synthetic'),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (algo, envKind, kind, salt) => {
          const base = normalizeValues({
            ...defaultValues(),
            ...agentValues(algo),
            algo,
            envKind,
            'data.kind': kind,
          });
          // Random values for a deterministic subset of fields (salt picks which).
          const values: Values = { ...base };
          const fields = activeFields(base).filter(
            (f) => !['algo', 'envKind', 'data.kind'].includes(f.path) && !f.path.startsWith('splits.'),
          );
          const picks = fields.filter((_, i) => ((salt >>> (i % 31)) & 1) === 1);
          for (const f of picks)
            values[f.path] = fc.sample(valueOf(f), { numRuns: 1, seed: salt })[0] as Values[string];
          const config = configOf({ values, assets: ['A', 'B'] });
          const parsed = parseLink(linkOfConfig(config));
          expect(parsed.notices).toEqual([]);
          expect(parsed.config).toEqual(config);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('undeclared leaves of a config file travel as JSON', async () => {
    const resolved = await resolveExperimentConfig({
      algo: 'ppo',
      agent: { network: { encoder: 'timecnn', crossAsset: 'attention' } },
      eval: { baselines: ['buy-and-hold'] },
    });
    const back = await resolveExperimentConfig(
      parseLink(linkOfConfig(resolved as unknown as Record<string, unknown>)).config,
    );
    // Nothing is lost; the form fields it did not set get their defaults (the encoder width d = 64, as the net would use).
    expect(back).toMatchObject(resolved);
    expect((back.agent.network as { dModel: number }).dModel).toBe(64);
  });

  it('bad input never throws: unknown keys and invalid values become notices and defaults', () => {
    const p = parseLink(
      '#algo=dqn&agent.learningRate=abc&env.feeRate=2&bogus=1&assets=AAPL,<b>&features.window=30',
    );
    expect(p.values.algo).toBe('a2c');
    expect(p.values['agent.learningRate']).toBe(7e-4);
    expect(p.values['env.feeRate']).toBe(0.0005);
    expect(p.values['features.window']).toBe(30);
    expect(p.assets).toEqual(['AAPL']);
    expect(p.notices.join('\n')).toMatch(/dqn/);
    expect(p.notices.join('\n')).toMatch(/learningRate=abc.*must be a number/);
    expect(p.notices.join('\n')).toMatch(/feeRate=2.*≤ 500/);
    expect(p.notices.join('\n')).toMatch(/unknown setting “bogus”/);
    expect(parseLink('x'.repeat(20_000)).notices[0]).toMatch(/too long/);
  });

  it("the step budget a link or config leaves out is its algorithm's (IQL counts updates: 2,000)", async () => {
    expect(parseLink('algo=iql').values.totalSteps).toBe(2_000);
    expect(parseLink('algo=ppo').values.totalSteps).toBe(20_000);
    expect(parseLink('algo=iql&totalSteps=500').values.totalSteps).toBe(500);
    expect((await resolveExperimentConfig({ algo: 'iql' })).totalSteps).toBe(2_000);
    expect(parseLink(linkOfConfig({ algo: 'iql' })).values.totalSteps).toBe(2_000);
  });

  it("a config without splits links to its data source's default splits", async () => {
    const config = { data: { kind: 'synthetic', config: { assets: 2 } } };
    const back = await resolveExperimentConfig(parseLink(linkOfConfig(config)).config);
    expect(back.splits).toEqual({ fractions: { train: 0.6, valid: 0.2 } });
    expect(back).toEqual(await resolveExperimentConfig(config));
  });

  it('a link to synthetic data gets the synthetic defaults and 60/20/20 splits', async () => {
    const p = parseLink('data.kind=synthetic&data.config.signalStrength=0.3');
    expect(p.values['data.config.days']).toBe(1260);
    expect(p.values['splits.fractions.train']).toBe(0.6);
    const r = await resolveExperimentConfig(p.config);
    expect(r.data).toMatchObject({ kind: 'synthetic', config: { signalStrength: 0.3 } });
  });
});
