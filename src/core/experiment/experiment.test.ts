import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../agents/backend.ts';
import { generateSynthetic } from '../data/synthetic.ts';
import {
  checkConfigKeys,
  parseExperimentConfig,
  resolveExperimentConfig,
  splitSpecOf,
  type ExperimentConfigInput,
} from './config.ts';
import { loadExperimentPanel, selectAssets } from './data.ts';
import { evaluatePolicy, evaluateSplit } from './evaluation.ts';
import { prepareExperiment, runExperiment, type ExperimentResult } from './run.ts';

beforeAll(async () => {
  expect((await initBackend('wasm')).backend, 'wasm failed to start and fell back').toBe('wasm');
});

/** A tiny experiment: 2 synthetic assets, OHLCV only, window 5, a 16-unit MLP, 256 env steps. */
const tiny: ExperimentConfigInput = {
  data: { kind: 'synthetic', config: { assets: 2, days: 400, seed: 3, signalStrength: 0.1 } },
  features: { preset: 'ohlcv', window: 5 },
  env: { episodeLength: 32 },
  algo: 'a2c',
  agent: { numEnvs: 2, numSteps: 8, network: { hidden: [16] } },
  totalSteps: 256,
  seed: 1,
};

describe('ExperimentConfig', () => {
  it('fills defaults and rejects bad input with the field named', async () => {
    const c = parseExperimentConfig({});
    // One default experiment: the embedded S&P 500 on QTMRL's dates, as the lab starts.
    expect(c.data).toEqual({ kind: 'embedded', name: 'sp500' });
    expect(c.splits).toEqual({
      train: { start: '2000-01-01', end: '2010-12-31' },
      valid: { start: '2011-01-01', end: '2018-12-31' },
      test: { start: '2019-01-01', end: '2021-12-31' },
    });
    expect(parseExperimentConfig({ data: { kind: 'synthetic' } }).splits).toEqual({
      fractions: { train: 0.6, valid: 0.2 },
    });
    expect(parseExperimentConfig({ features: { rsi: false } }).features.rsi).toBe(false);
    expect(() => parseExperimentConfig({ features: { ohlcv: [1] } })).toThrow(
      /features\.ohlcv: must be true or false/,
    );
    expect(c.eval.splits).toEqual(['train', 'valid', 'test']);
    expect(() => parseExperimentConfig({ env: { buyPtc: 0.2 } })).toThrow(
      /env\.buyPtc: is not a trading env setting/,
    );
    expect(() => parseExperimentConfig({ env: { window: 30 } })).toThrow(/env\.window.*features\.window/);
    expect(() => parseExperimentConfig({ features: { windw: 30 } })).toThrow(/features\.windw/);
    expect(() => parseExperimentConfig({ totalSteps: 0 })).toThrow(/totalSteps/);
    expect(() => parseExperimentConfig({ data: { kind: 'embedded', name: 'nope' } })).toThrow(/data\.name/);
    expect(() =>
      parseExperimentConfig({ data: { kind: 'synthetic', config: { signalStrength: 2 } } }),
    ).toThrow(/data\.config.*signalStrength/);
    expect(() => parseExperimentConfig({ agent: { seed: 3 } })).toThrow(/agent\.seed/);
    await expect(resolveExperimentConfig({ agent: { learningRat: 1 } })).rejects.toThrow(
      /agent\.learningRat: not a a2c hyperparameter/,
    );
    expect((await resolveExperimentConfig({ features: { rsi: false, sma: true } })).features).toMatchObject({
      rsi: [],
      sma: [10, 20, 50],
    });
    await expect(resolveExperimentConfig({ algo: 'nope' })).rejects.toThrow(/algo: unknown algorithm 'nope'/);
  });

  it('resolves every key (nested agent objects merged, feature presets applied) and is idempotent', async () => {
    const r = await resolveExperimentConfig(tiny);
    expect(r.agent.network).toEqual({ encoder: 'mlp', hidden: [16], activation: 'tanh' });
    expect(r.agent.gamma).toBe(0.99);
    expect(r.features.sma).toEqual([]);
    expect(r.features.window).toBe(5);
    expect(r.env.buyPct).toBe(0.2);
    expect((r.data as { config: Record<string, unknown> }).config.volatility).toBe(0.2);
    expect(await resolveExperimentConfig(r)).toEqual(r);
    const all = await resolveExperimentConfig({ ...tiny, features: { ...r.features, preset: 'all' } });
    expect(all.features.sma).toEqual([10, 20, 50]);
    expect(() =>
      checkConfigKeys(r, [
        'agent.entCoef',
        'env.buyPct',
        'features.window',
        'agent.network.encoder',
        'data.config.signalStrength',
      ]),
    ).not.toThrow();
    expect(() => checkConfigKeys(r, ['agent.entropy'])).toThrow(/'agent\.entropy' is not a key.*entCoef/);
  });

  it('a network with another encoder replaces the preset network (its own defaults apply), the same encoder merges', async () => {
    const cnn = await resolveExperimentConfig({ agent: { network: { encoder: 'timecnn', dModel: 32 } } });
    expect(cnn.agent.network).toEqual({ encoder: 'timecnn', dModel: 32 });
    const mlp = await resolveExperimentConfig({ agent: { network: { encoder: 'mlp', hidden: [32] } } });
    expect(mlp.agent.network).toEqual({ encoder: 'mlp', hidden: [32], activation: 'tanh' });
  });

  it('fraction splits cover the dates in order, each non-empty', () => {
    const dates = generateSynthetic({ days: 100 }).panel.dates;
    const s = splitSpecOf({ fractions: { train: 0.6, valid: 0.2 } }, dates);
    expect(s.train).toEqual({ start: dates[0], end: dates[59] });
    expect(s.valid).toEqual({ start: dates[60], end: dates[79] });
    expect(s.test).toEqual({ start: dates[80], end: dates[99] });
  });
});

describe('prepareExperiment', () => {
  it('builds features on the splits; train envs start at random rows, eval envs run the whole split', async () => {
    const panel = await loadExperimentPanel(parseExperimentConfig(tiny).data);
    const p = await prepareExperiment(tiny, panel);
    expect(p.features.featureNames).toEqual(['open', 'high', 'low', 'close', 'volume']);
    const starts = new Set([1, 2, 3, 4, 5].map((seed) => p.makeTrainEnv(0).reset({ seed }).info.date));
    expect(starts.size).toBeGreaterThan(1);
    const ev = p.makeEvalEnv('valid');
    const first = ev.reset({ seed: 1 }).info.t as number;
    expect(first).toBe(p.features.splits.valid.start);
    expect(() => selectAssets(panel, ['SYN9'])).toThrow(/'SYN9' is not in the data/);
  });
});

describe('runExperiment', () => {
  const metricsOf = (r: ExperimentResult) => r.evaluation!.splits.map((s) => s.metrics);

  it('trains a tiny agent end to end, deterministic for a seed, baselines on every split, finite metrics', async () => {
    const panel = await loadExperimentPanel(parseExperimentConfig(tiny).data);
    const phases: string[] = [];
    const a = await runExperiment(tiny, panel, { onPhase: (p) => phases.push(p) });
    const b = await runExperiment(tiny, panel);
    expect(a.status).toBe('completed');
    expect(a.steps).toBe(256);
    expect(phases).toEqual(['building features', 'training', 'evaluating']);
    expect(a.evaluation!.splits.map((s) => s.split)).toEqual(['train', 'valid', 'test']);
    expect(metricsOf(a)).toEqual(metricsOf(b));
    for (const s of a.evaluation!.splits) {
      expect(Object.keys(s.metrics).sort()).toEqual([
        'agent',
        'buy-and-hold',
        'equal-weight',
        'ma-10',
        'ma-20',
        'ma-30',
      ]);
      for (const [name, eq] of Object.entries(s.equity)) {
        expect(eq.length, name).toBe(s.dates.length);
        expect(s.returns[name].length, name).toBe(s.dates.length - 1);
        expect(s.drawdown[name].every((d) => d <= 0)).toBe(true);
      }
      expect(s.weights.length).toBe(s.dates.length * 2);
      for (const k of [
        'total_return',
        'cagr',
        'annual_volatility',
        'sharpe',
        'sortino',
        'max_drawdown',
        'turnover',
      ]) {
        expect(Number.isFinite(s.metrics.agent[k]), `${s.split} ${k}`).toBe(true);
        expect(Number.isFinite(s.metrics['buy-and-hold'][k]), `${s.split} b&h ${k}`).toBe(true);
      }
      // Baselines start from the same row and cash as the agent.
      expect(s.equity['buy-and-hold'][0]).toBeLessThanOrEqual(1);
      expect(s.equity['buy-and-hold'][0]).toBeGreaterThan(0.99);
    }
    // A different seed trains a different agent.
    const c = await runExperiment({ ...tiny, seed: 2 }, panel);
    expect(metricsOf(c)).not.toEqual(metricsOf(a));
  });

  it('runs the portfolio env and reports a stop as a stopped run that is still evaluated', async () => {
    const panel = await loadExperimentPanel(parseExperimentConfig(tiny).data);
    const { RunControl } = await import('../run/control.ts');
    const control = new RunControl();
    const res = await runExperiment(
      {
        ...tiny,
        envKind: 'portfolio',
        agent: { numEnvs: 2, numSteps: 8 },
        eval: { splits: ['valid'], baselines: ['buy-and-hold'] },
      },
      panel,
      {
        control,
        callbacks: { onMetrics: () => control.stop() },
      },
    );
    expect(res.status).toBe('stopped');
    expect(res.steps).toBeLessThan(256);
    expect(res.evaluation!.splits.map((s) => s.split)).toEqual(['valid']);
    expect(Object.keys(res.evaluation!.splits[0].metrics)).toEqual(['agent', 'buy-and-hold']);
    expect(Number.isFinite(res.evaluation!.splits[0].metrics.agent.sharpe)).toBe(true);
  });
});

describe('one evaluation loop', () => {
  it("a split's backtest and the run loop's periodic evaluation see the same episode (both run runEpisode)", async () => {
    const panel = await loadExperimentPanel(parseExperimentConfig(tiny).data);
    const prepared = await prepareExperiment(tiny, panel);
    // A fixed, state-dependent policy: BUY on odd steps, SELL on even ones, for every asset.
    let calls = 0;
    const policy = {
      predict: async (_obs: Float32Array, rows: number) => {
        calls++;
        return new Int32Array(rows * 2).fill(calls % 2 === 1 ? 1 : 2);
      },
    };
    const split = await evaluateSplit(policy, prepared.makeEvalEnv('valid'), prepared.features, 'valid', {
      annualization: prepared.annualization,
      costs: prepared.costs,
      baselines: [],
    });
    calls = 0;
    const periodic = await evaluatePolicy(policy, prepared.makeEvalEnv('valid'), { episodes: 1 });
    const eq = periodic.market!.equity;
    expect(eq.length).toBe(split.dates.length);
    for (let t = 0; t < eq.length; t++) expect(eq[t] / eq[0]).toBeCloseTo(split.equity.agent[t], 12);
    expect(periodic.market!.dates).toEqual(split.dates);
  });
});
