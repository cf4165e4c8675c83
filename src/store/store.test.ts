import { beforeEach, describe, expect, it } from 'vitest';
import { parseLink } from '../core/experiment/link.ts';
import { workflows } from '../core/workflows/registry.ts';
import {
  configOfExperiment,
  defaultExperiment,
  experimentOfHash,
  flatValues,
  hashOfExperiment,
  setValueIn,
} from './experiment.ts';
import { trainBlockers, useLab } from './index.ts';

const reset = () => useLab.setState({ experiment: defaultExperiment(), errors: {}, notices: [] });

describe('experiment ⇄ share link (core codec, dotted keys)', () => {
  it('round-trips a changed experiment exactly', () => {
    let e = defaultExperiment();
    e = setValueIn(e, 'algo', 'ppo');
    e = setValueIn(e, 'agent.learningRate', 0.000123);
    e = setValueIn(e, 'agent.normAdv', false);
    e = setValueIn(e, 'data.kind', 'synthetic');
    e = setValueIn(e, 'data.config.signalStrength', 0.35);
    e = setValueIn(e, 'seed', 7);
    e = { ...e, assets: ['AAPL', 'BRK.B'] };
    const hash = hashOfExperiment(e);
    expect(hash).toContain('agent.learningRate=0.000123');
    expect(hash).toContain('data.config.signalStrength=0.35');
    expect(hash).toContain('workflow=market');
    expect(hash).not.toMatch(/(^|&)(steps|lr|a2c\.lr|data)=/);
    const back = experimentOfHash(`#${hash}`);
    expect(back.notices).toEqual([]);
    expect(flatValues(back.experiment)).toEqual(flatValues(e));
    expect(back.experiment.assets).toEqual(['AAPL', 'BRK.B']);
    expect(back.experiment.workflow).toBe('market');
  });

  it('an empty hash gives the default experiment with no notice', () => {
    const r = experimentOfHash('');
    expect(r.notices).toEqual([]);
    expect(r.experiment).toEqual(defaultExperiment());
  });

  it('old keys and invalid values fall back to defaults with a notice each', () => {
    const r = experimentOfHash('#a2c.lr=0.001&steps=5000&agent.learningRate=-5&algo=dqn');
    expect(flatValues(r.experiment)).toEqual(flatValues(defaultExperiment()));
    expect(r.notices).toHaveLength(4);
    expect(r.notices.join(' ')).toContain('a2c.lr');
  });

  it('a link naming an unknown workflow opens market and says so', () => {
    const r = experimentOfHash('#workflow=nope');
    expect(r.experiment.workflow).toBe('market');
    expect(r.notices.join(' ')).toMatch(/workflow/);
  });

  it('the train request is core configOf of the values (what the CLI resolves)', () => {
    const e = setValueIn(defaultExperiment(), 'env.feeRate', 0.001);
    const config = configOfExperiment(e);
    expect((config.env as Record<string, unknown>).feeRate).toBe(0.001);
    expect(config.workflow).toBe('market');
    expect(parseLink(hashOfExperiment(e)).config).toEqual(config);
  });
});

describe('lab store', () => {
  beforeEach(reset);

  it('switching algorithm keeps what the user set for each', () => {
    const s = useLab.getState();
    s.setValue('agent.learningRate', 0.002);
    s.setAlgo('ppo');
    expect(flatValues(useLab.getState().experiment)['agent.learningRate']).toBe(2.5e-4);
    useLab.getState().setValue('agent.clipCoef', 0.3);
    useLab.getState().setAlgo('a2c');
    expect(flatValues(useLab.getState().experiment)['agent.learningRate']).toBe(0.002);
    expect(flatValues(useLab.getState().experiment)['agent.clipCoef']).toBeUndefined();
    useLab.getState().setAlgo('ppo');
    expect(flatValues(useLab.getState().experiment)['agent.clipCoef']).toBe(0.3);
  });

  it('presets fill the agent values and clear that algorithm’s errors', () => {
    useLab.getState().setError('agent.gamma', 'must be ≤ 1');
    useLab.getState().applyPreset('qtmrl');
    const v = flatValues(useLab.getState().experiment);
    expect(v['agent.gamma']).toBe(0.96);
    expect(v['agent.numSteps']).toBe(50);
    expect(v['agent.optimizer']).toBe('adam');
    expect(useLab.getState().errors).toEqual({});
    expect(hashOfExperiment(useLab.getState().experiment)).toContain('preset=qtmrl');
    useLab.getState().applyPreset('standard');
    expect(flatValues(useLab.getState().experiment)['agent.gamma']).toBe(0.99);
  });

  it('an invalid field blocks Train with its panel and label; another algorithm’s does not', () => {
    expect(trainBlockers(useLab.getState())).toEqual([]);
    useLab.getState().setError('agent.learningRate', 'must be ≥ 1e-7');
    expect(trainBlockers(useLab.getState())).toEqual(['Agent · Learning rate: must be ≥ 1e-7']);
    useLab.getState().setAlgo('ppo');
    expect(trainBlockers(useLab.getState())).toEqual([]);
    useLab.getState().setAlgo('a2c');
    useLab.getState().setError('agent.learningRate', null);
    useLab.getState().setError('env.feeRate', 'must be ≤ 500');
    expect(trainBlockers(useLab.getState())).toEqual(['Setup · Fee: must be ≤ 500']);
  });

  it('a hidden field’s error does not block; split and feature problems do', () => {
    useLab.getState().setError('env.maxWeight', 'bad');
    expect(trainBlockers(useLab.getState())).toEqual([]);
    useLab.getState().setSplits({ 'splits.train.end': '2012-01-01' });
    expect(trainBlockers(useLab.getState())).toContain('Data · splits: train must end before valid starts');
    reset();
    for (const k of Object.keys(flatValues(useLab.getState().experiment)))
      if (k.startsWith('features.') && k !== 'features.window') useLab.getState().setValue(k, false);
    expect(trainBlockers(useLab.getState())).toEqual(['Setup · features: select at least one feature group']);
  });

  it('the data source brings its own splits: fractions for synthetic data, dates for embedded', () => {
    useLab.getState().setDataSource('synthetic');
    let v = flatValues(useLab.getState().experiment);
    expect(v['splits.fractions.train']).toBe(0.6);
    expect(v['splits.train.start']).toBeUndefined();
    expect(v['data.config.seed']).toBeTypeOf('number');
    useLab.getState().setSplits({ 'splits.fractions.train': 0.5, 'splits.fractions.valid': 0.6 });
    expect(trainBlockers(useLab.getState())[0]).toMatch(/test/);
    useLab.getState().setDataSource('embedded', 'stocks');
    v = flatValues(useLab.getState().experiment);
    expect(v['splits.test.start']).toBe('2009-01-01');
    expect(v['data.config.seed']).toBeUndefined();
  });

  it('a workflow starting on its own market gets that market’s splits, not the S&P 500 dates', () => {
    for (const w of workflows()) {
      const v = flatValues(defaultExperiment(w.id));
      const kind = String(v['data.kind']);
      if (kind === 'synthetic') {
        expect(v['splits.fractions.train'], w.id).toBe(0.6);
        expect(v['splits.train.start'], w.id).toBeUndefined();
      }
    }
    expect(flatValues(defaultExperiment('hierarchical'))['splits.fractions.valid']).toBe(0.2);
  });

  it('switching the split kind replaces the other kind and its errors', () => {
    useLab.getState().setError('splits.train.end', 'must be a date YYYY-MM-DD');
    useLab.getState().setSplits({ 'splits.fractions.train': 0.7, 'splits.fractions.valid': 0.1 }, true);
    const v = flatValues(useLab.getState().experiment);
    expect(v['splits.train.start']).toBeUndefined();
    expect(v['splits.fractions.train']).toBe(0.7);
    expect(useLab.getState().errors).toEqual({});
    expect(hashOfExperiment(useLab.getState().experiment)).toContain('splits.fractions.train=0.7');
  });

  it('startWorkflow opens a workflow’s default experiment and closes the start view', () => {
    useLab.setState({ startOpen: true });
    useLab.getState().setValue('seed', 99);
    useLab.getState().startWorkflow('market');
    expect(useLab.getState().startOpen).toBe(false);
    expect(useLab.getState().experiment).toEqual(defaultExperiment('market'));
  });
});
