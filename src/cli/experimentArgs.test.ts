/** The pieces of lab train's command line: --set values by path, --splits, --data → data source, config files. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.ts';
import { applySets, dataConfigOf, parseSplitsFlag, readConfigFile } from './experimentArgs.ts';
import { testDir } from './testing.ts';

const dir = testDir('lab-experiment-args-');

describe('experiment arguments', () => {
  it('--set: declared fields parse as their type, other paths as JSON or text; dotted paths nest', () => {
    expect(
      applySets(
        { agent: { network: { encoder: 'mlp' } } },
        {
          'agent.network.hidden': '32,32',
          'agent.gamma': '0.9',
          'agent.annealLr': 'false',
          'agent.network.activation': 'relu',
          'eval.baselines': '["buy-and-hold"]',
          'features.rsi': 'false',
          'env.limitPct': 'null',
        },
      ),
    ).toEqual({
      agent: {
        network: { encoder: 'mlp', hidden: [32, 32], activation: 'relu' },
        gamma: 0.9,
        annealLr: false,
      },
      eval: { baselines: ['buy-and-hold'] },
      features: { rsi: false },
      env: { limitPct: null },
    });
    // A declared field checks its range and type, naming the path.
    expect(() => applySets({}, { 'agent.gamma': '2' })).toThrow(/--set agent\.gamma=2: must be ≤ 1/);
    expect(() => applySets({}, { 'features.window': 'wide' })).toThrow(UsageError);
    expect(() => applySets({}, { 'env.feeRate': '0.1' })).toThrow(
      /--set env\.feeRate=0\.1: must be between 0 and 0\.05 \(the config's units; 0\.\.500 bps\)/,
    );
    expect(() => applySets({ env: 5 }, { 'env.feeRate': '0.001' })).toThrow(/'env' is not an object/);
  });

  it('--splits: auto, qtmrl, ratio, fractions, three date ranges', () => {
    expect(parseSplitsFlag('auto')).toBeUndefined();
    expect(parseSplitsFlag('ratio')).toEqual({ fractions: { train: 0.6, valid: 0.2 } });
    expect(parseSplitsFlag('0.7,0.15')).toEqual({ fractions: { train: 0.7, valid: 0.15 } });
    expect(parseSplitsFlag('qtmrl')).toMatchObject({ test: { start: '2019-01-01' } });
    expect(parseSplitsFlag('2000-01-01:2000-12-31,2001-01-01:2001-06-30,2001-07-01:2001-12-31')).toEqual({
      train: { start: '2000-01-01', end: '2000-12-31' },
      valid: { start: '2001-01-01', end: '2001-06-30' },
      test: { start: '2001-07-01', end: '2001-12-31' },
    });
    expect(() => parseSplitsFlag('0.7')).toThrow(/--splits: expected/);
  });

  it('--data: one embedded or synthetic source is that source; files (or several sources) are the user panel', () => {
    expect(dataConfigOf(['embedded:stocks'])).toEqual({ kind: 'embedded', name: 'stocks' });
    expect(dataConfigOf(['synthetic:assets=3,seed=2'])).toEqual({
      kind: 'synthetic',
      config: { assets: 3, seed: 2 },
    });
    expect(dataConfigOf(['a.csv', 'b.csv'])).toEqual({ kind: 'panel', label: 'a.csv b.csv' });
    expect(() => dataConfigOf(['embedded:nasdaq'])).toThrow(/unknown embedded dataset 'nasdaq'/);
  });

  it('config files: the config itself or wrapped as { config: … }', () => {
    const plain = path.join(dir, 'plain.json');
    writeFileSync(plain, JSON.stringify({ algo: 'ppo' }));
    const wrapped = path.join(dir, 'wrapped.json');
    writeFileSync(wrapped, JSON.stringify({ command: 'train', config: { algo: 'ppo' } }));
    expect(readConfigFile(plain)).toEqual({ algo: 'ppo' });
    expect(readConfigFile(wrapped)).toEqual({ algo: 'ppo' });
    // A run exported from the lab: the config in its summary, or the link that reproduces it.
    const labRun = path.join(dir, 'lab-run.json');
    writeFileSync(
      labRun,
      JSON.stringify({
        format: 'rl-trading-lab/run@1',
        summary: { hash: 'workflow=market&algo=ppo&features.window=7' },
      }),
    );
    expect(readConfigFile(labRun)).toMatchObject({ algo: 'ppo', features: { window: 7 } });
    writeFileSync(labRun, JSON.stringify({ summary: { config: { algo: 'ppo' }, hash: 'algo=a2c' } }));
    expect(readConfigFile(labRun)).toEqual({ algo: 'ppo' });
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '[1]');
    expect(() => readConfigFile(bad)).toThrow(/bad\.json: expected a JSON object/);
  });
});
