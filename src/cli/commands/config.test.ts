/** `lab config print | from-link | to-link`, in-process: the default experiment, flags → paths, links both ways. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveExperimentConfig } from '../../core/experiment/config.ts';
import { configOf, linkOfConfig, parseLink } from '../../core/experiment/link.ts';
import { defaultValues } from '../../core/experiment/vocabulary.ts';
import { parseSweepSpec } from '../../core/sweeps/spec.ts';
import { validateSweep } from '../../core/sweeps/validate.ts';
import { main } from '../main.ts';
import { captureCliOutput, testDir } from '../testing.ts';

const io = captureCliOutput();
const dir = testDir('lab-config-test-');

async function stdoutOf(argv: string[]): Promise<string> {
  io.stdout = '';
  expect(await main(argv), argv.join(' ')).toBe(0);
  return io.stdout;
}
const printed = async (...flags: string[]) =>
  JSON.parse(await stdoutOf(['config', 'print', ...flags])) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('lab config print', () => {
  it("with no flags is core's default experiment: the lab's Train with nothing changed, an empty share link, a sweep base of {}", async () => {
    const def = await printed();
    expect(def).toEqual(await resolveExperimentConfig({}));
    expect(def).toEqual(await resolveExperimentConfig(configOf({ values: defaultValues() })));
    expect(def).toEqual(await resolveExperimentConfig(parseLink('').config));
    const sweep = await validateSweep(
      parseSweepSpec({
        name: 's',
        base: {},
        params: [{ key: 'agent.entCoef', values: { kind: 'list', values: [0, 0.1] } }],
      }),
    );
    expect(sweep.base).toEqual(def);
    expect(def).toMatchObject({
      workflow: 'market',
      data: { kind: 'embedded', name: 'sp500' },
      splits: { train: { start: '2000-01-01', end: '2010-12-31' } },
      algo: 'a2c',
      preset: 'standard',
      eval: { every: 5000, baselines: ['buy-and-hold', 'equal-weight', 'ma-10', 'ma-20', 'ma-30'] },
    });
  });

  it('maps every flag onto its config path, --set onto any path (declared fields parse as their type)', async () => {
    const c = await printed(
      '--data',
      'synthetic:assets=3,days=300,seed=2',
      '--algo',
      'ppo',
      '--preset',
      'qtmrl',
      '--steps',
      '1234',
      '--seed',
      '9',
      '--backend',
      'cpu',
      '--window',
      '12',
      '--features',
      'ohlcv',
      '--fee',
      '0.002',
      '--episode-length',
      '64',
      '--eval-every',
      '0',
      '--splits',
      '0.5,0.3',
      '--set',
      'agent.learningRate=0.0007',
      '--set',
      'agent.network.encoder=timecnn',
      '--set',
      'env.slippageBps=5',
      '--set',
      'eval.baselines=["buy-and-hold"]',
      '--set',
      'name=my run',
    );
    expect(c.data).toMatchObject({ kind: 'synthetic', config: { assets: 3, days: 300, seed: 2 } });
    expect([c.algo, c.preset, c.totalSteps, c.seed, c.backend]).toEqual(['ppo', 'qtmrl', 1234, 9, 'cpu']);
    expect([c.features.window, c.features.preset, c.features.rsi]).toEqual([12, 'ohlcv', []]);
    expect([c.env.feeRate, c.env.episodeLength, c.env.slippageBps]).toEqual([0.002, 64, 5]);
    expect(c.eval).toMatchObject({ every: 0, baselines: ['buy-and-hold'] });
    expect(c.splits).toEqual({ fractions: { train: 0.5, valid: 0.3 } });
    expect([c.agent.learningRate, c.agent.network.encoder, c.name]).toEqual([0.0007, 'timecnn', 'my run']);

    // A config file of another algorithm: --algo (or --set algo=…) starts from the new one's hyperparameters.
    const a2cFile = path.join(dir, 'a2c.json');
    writeFileSync(a2cFile, JSON.stringify(await printed('--set', 'agent.learningRate=0.002')));
    for (const flag of [
      ['--algo', 'ppo'],
      ['--set', 'algo=ppo'],
    ]) {
      const ppo = await printed('--config', a2cFile, ...flag);
      expect(ppo.agent).toEqual((await resolveExperimentConfig({ algo: 'ppo' })).agent);
    }
    expect((await printed('--config', a2cFile, '--seed', '3')).agent.learningRate).toBe(0.002);

    const off = await printed(
      '--set',
      'features.rsi=false',
      '--set',
      'agent.network.hidden=32,32',
      '--splits',
      'ratio',
    );
    expect(off.features.rsi).toEqual(
      (await resolveExperimentConfig({ features: { rsi: false } })).features.rsi,
    );
    expect(off.features.sma).toEqual([10, 20, 50]);
    expect(off.agent.network.hidden).toEqual([32, 32]);
    expect(off.splits).toEqual({ fractions: { train: 0.6, valid: 0.2 } });
    const dates = await printed(
      '--data',
      'embedded:stocks',
      '--splits',
      '2000-01-01:2004-12-31,2005-01-01:2006-12-31,2007-01-01:2009-12-31',
    );
    expect(dates.splits.valid).toEqual({ start: '2005-01-01', end: '2006-12-31' });
    // Another data source brings its own default splits; files are the user's panel.
    expect((await printed('--data', 'embedded:stocks')).splits.test).toEqual({
      start: '2009-01-01',
      end: '2010-12-31',
    });
    // --fee is the portfolio env's costRate there.
    const pf = await printed('--set', 'envKind=portfolio', '--fee', '0.001');
    expect([pf.envKind, pf.env.costRate, pf.env.feeRate]).toEqual(['portfolio', 0.001, undefined]);
    expect((await printed('--data', 'a.csv', 'b.csv')).data).toEqual({ kind: 'panel', label: 'a.csv b.csv' });
  });

  it('bad paths and values → exit 2 naming them', async () => {
    for (const [argv, message] of [
      [
        ['--set', 'agent.entropy=0.1'],
        /--set path 'agent\.entropy' is not a key of the experiment config \(keys under agent: /,
      ],
      [['--set', 'features.rsi=maybe'], /features\.rsi=maybe: must be true or false/],
      [['--env', 'cartpole'], /sanity env, not an experiment config/],
      [['--algo', 'ppo', '--preset', 'fast'], /preset: 'fast' is not a ppo preset/],
    ] as const) {
      io.stderr = '';
      expect(await main(['config', 'print', ...argv])).toBe(2);
      expect(io.stderr).toMatch(message);
    }
    expect(await main(['config'])).toBe(2);
    expect(io.stderr).toMatch(/missing subcommand: print, from-link or to-link/);
  });
});

describe('lab config from-link / to-link', () => {
  it('round-trip a config file through a share link (hash or whole URL); notices go to stderr', async () => {
    const config = await printed(
      '--data',
      'synthetic:assets=2,days=250,seed=3',
      '--algo',
      'ppo',
      '--window',
      '8',
      '--fee',
      '0.001',
      '--set',
      'features.rsi=false',
      '--set',
      'agent.learningRate=0.0003',
      '--set',
      'agent.network.hidden=32,16',
    );
    const file = path.join(dir, 'exp.json');
    writeFileSync(file, JSON.stringify(config));
    const hash = (await stdoutOf(['config', 'to-link', file])).trim();
    expect(hash).toBe(linkOfConfig(config));
    expect(hash).toMatch(/(^|&)agent\.learningRate=0\.0003(&|$)/);
    expect(JSON.parse(await stdoutOf(['config', 'from-link', hash]))).toEqual(config);
    expect(JSON.parse(await stdoutOf(['config', 'from-link', `http://localhost:5173/#${hash}`]))).toEqual(
      config,
    );
    expect(io.stderr).toBe('');
    // A wrapped file ({ config: … }) gives the same link.
    const wrapped = path.join(dir, 'wrapped.json');
    writeFileSync(wrapped, JSON.stringify({ config, note: 'downloaded' }));
    expect((await stdoutOf(['config', 'to-link', wrapped])).trim()).toBe(hash);

    expect(JSON.parse(await stdoutOf(['config', 'from-link', `${hash}&bogus=1`]))).toEqual(config);
    expect(io.stderr).toMatch(/^lab config: note: .*bogus/m);
    // A leaf under agent travels as JSON and is checked when the config resolves: exit 2 naming it.
    expect(await main(['config', 'from-link', `${hash}&agent.bogus=1`])).toBe(2);
    expect(io.stderr).toMatch(
      /the link: invalid experiment config at agent\.bogus: not a ppo hyperparameter/,
    );
    expect(JSON.parse(await stdoutOf(['config', 'from-link', '']))).toEqual(
      await resolveExperimentConfig({}),
    );
  });

  it('another encoder: the link spells out its declared fields (as the lab form does) and is a fixed point', async () => {
    const a = await printed('--algo', 'ppo', '--set', 'agent.network.encoder=timecnn');
    const file = path.join(dir, 'timecnn.json');
    writeFileSync(file, JSON.stringify(a));
    const hash = (await stdoutOf(['config', 'to-link', file])).trim();
    const b = JSON.parse(await stdoutOf(['config', 'from-link', hash])) as typeof a;
    expect(b.agent.network).toMatchObject(a.agent.network);
    expect({ ...b, agent: { ...b.agent, network: a.agent.network } }).toEqual(a);
    writeFileSync(file, JSON.stringify(b));
    expect((await stdoutOf(['config', 'to-link', file])).trim()).toBe(hash);
  });

  it('to-link refuses a file that is not a config, naming it', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ algo: 'ppo', windw: 3 }));
    expect(await main(['config', 'to-link', bad])).toBe(2);
    expect(io.stderr).toMatch(/bad\.json: .*windw/);
  });
});

describe('a config file with a JSON mistake', () => {
  it('is refused with the file, line and column of the mistake', async () => {
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, '{\n  "algo": "ppo",\n  "seed": 3,,\n}\n');
    io.stderr = '';
    expect(await main(['config', 'to-link', file])).toBe(2);
    expect(io.stderr).toContain(`${file}:3:13: invalid JSON (Expected double-quoted property name)`);
    io.stderr = '';
    expect(await main(['train', '--config', file, '--out', path.join(dir, 'never')])).toBe(2);
    expect(io.stderr).toContain(`${file}:3:13:`);
  });
});
