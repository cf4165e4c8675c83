/**
 * `lab train` / `lab evaluate`, in-process: the files they write, the round trip through a
 * checkpoint, config files reproducing a flags run, user files (--data A.csv B.csv), bad input.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { captureCliOutput, testDir, writeOhlcvFiles } from '../testing.ts';
import { fmt, progressLine } from './train.ts';

const io = captureCliOutput();

const dir = testDir('lab-train-test-');
const json = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
const BASELINES = ['buy-and-hold', 'equal-weight', 'ma-10', 'ma-20', 'ma-30'];

/** stdout of one command (exit 0 expected). */
async function stdoutOf(argv: string[]): Promise<string> {
  io.stdout = '';
  expect(await main(argv), argv.join(' ')).toBe(0);
  return io.stdout;
}

type Metrics = {
  splits: Record<
    string,
    {
      start: string;
      end: string;
      agent: Record<string, number>;
      baselines: Record<string, Record<string, number>>;
    }
  >;
};

/** A small, fast market experiment: PPO, 2 synthetic assets, OHLCV features. */
const marketFlags = [
  '--data',
  'synthetic:assets=2,days=400,seed=4',
  '--algo',
  'ppo',
  '--steps',
  '512',
  '--features',
  'ohlcv',
  '--window',
  '5',
  '--episode-length',
  '32',
  '--set',
  'agent.numEnvs=4',
  '--set',
  'agent.numSteps=32',
  '--set',
  'agent.network.hidden=16',
];

describe('lab train', () => {
  it(
    'trains on a sanity env and writes metrics.json, learning.csv, checkpoint/ and run.json; lab evaluate reproduces the evaluation',
    { timeout: 60_000 },
    async () => {
      const out = path.join(dir, 'bandit');
      const code = await main([
        'train',
        '--env',
        'bandit',
        '--algo',
        'a2c',
        '--steps',
        '2000',
        '--set',
        'agent.learningRate=0.003',
        '--backend',
        'cpu',
        '--out',
        out,
      ]);
      expect(io.stderr).not.toMatch(/error/i);
      expect(code).toBe(0);
      expect(io.stdout).toMatch(/^a2c \(standard\) completed at step 2000 on cpu/);
      for (const f of [
        'metrics.json',
        'learning.csv',
        'run.json',
        'checkpoint/model.json',
        'checkpoint/weights.bin',
        'checkpoint/config.json',
      ])
        expect(existsSync(path.join(out, f)), f).toBe(true);
      const metrics = json(path.join(out, 'metrics.json')) as {
        eval: { agent: { mean_return: number }; baselines: { random: { mean_return: number } } };
        optimal_mean_reward: number;
      };
      expect(metrics.eval.agent.mean_return).toBeGreaterThan(metrics.eval.baselines.random.mean_return);
      expect(readFileSync(path.join(out, 'learning.csv'), 'utf8').split('\n')[0]).toMatch(
        /^step,losses\/policy,losses\/value,losses\/entropy/,
      );
      const run = json(path.join(out, 'run.json')) as {
        status: string;
        global_step: number;
        config: { learningRate: number };
      };
      expect([run.status, run.global_step, run.config.learningRate]).toEqual(['completed', 2000, 0.003]);

      const evalOut = path.join(dir, 'bandit-eval');
      expect(await main(['evaluate', '--checkpoint', out, '--out', evalOut])).toBe(0);
      expect((json(path.join(evalOut, 'metrics.json')) as typeof metrics).eval.agent).toEqual(
        metrics.eval.agent,
      );
    },
  );

  it(
    '--env pendulum trains sac with its pendulum preset (core picks env and preset); lab evaluate reloads it',
    { timeout: 120_000 },
    async () => {
      const out = path.join(dir, 'pendulum');
      const code = await main([
        'train',
        '--env',
        'pendulum',
        '--steps',
        '400',
        '--set',
        'agent.learningStarts=300',
        '--set',
        'agent.hidden=[16,16]',
        '--out',
        out,
      ]);
      expect(code).toBe(0);
      expect(io.stdout).toMatch(/^sac \(pendulum\) completed at step 400/);
      const metrics = json(path.join(out, 'metrics.json')) as {
        eval: { agent: { mean_length: number }; baselines: { random: { mean_return: number } } };
      };
      expect(metrics.eval.agent.mean_length).toBe(200);
      // A uniform torque in [−2, 2] scores about −1200 per episode.
      expect(metrics.eval.baselines.random.mean_return).toBeLessThan(-800);
      const header = readFileSync(path.join(out, 'learning.csv'), 'utf8').split('\n')[0];
      for (const k of ['losses/qf1', 'losses/actor', 'losses/alpha', 'charts/episodic_return', 'perf/sps'])
        expect(header.split(',')).toContain(k);
      const evalOut = path.join(dir, 'pendulum-eval');
      expect(await main(['evaluate', '--checkpoint', out, '--out', evalOut])).toBe(0);
    },
  );

  it(
    'trains a market experiment through the experiment runner: every split with the five baselines, files from SplitEvaluation; lab evaluate reproduces it and keeps the training z-score',
    { timeout: 120_000 },
    async () => {
      const out = path.join(dir, 'market');
      expect(await main(['train', ...marketFlags, '--out', out])).toBe(0);
      const metrics = json(path.join(out, 'metrics.json')) as Metrics;
      expect(Object.keys(metrics.splits)).toEqual(['train', 'valid', 'test']);
      for (const s of Object.values(metrics.splits)) {
        expect(typeof s.agent.total_return).toBe('number');
        expect(s.start < s.end).toBe(true);
        expect(Object.keys(s.baselines)).toEqual(BASELINES);
      }
      const equity = readFileSync(path.join(out, 'equity.csv'), 'utf8').trim().split('\n');
      expect(equity[0]).toBe('split,date,strategy,equity,return,drawdown');
      expect(new Set(equity.slice(1).map((l) => l.split(',')[2]))).toEqual(new Set(['agent', ...BASELINES]));
      // The last agent equity of each split is its total return.
      for (const split of ['train', 'valid', 'test']) {
        const last = equity
          .filter((l) => l.startsWith(`${split},`) && l.split(',')[2] === 'agent')
          .at(-1)!
          .split(',');
        expect(Number(last[3]) - 1).toBeCloseTo(metrics.splits[split].agent.total_return, 12);
      }
      expect(readFileSync(path.join(out, 'positions.csv'), 'utf8').split('\n')[0]).toBe(
        'split,date,asset,shares,weight,close',
      );
      expect(readFileSync(path.join(out, 'trades.csv'), 'utf8').split('\n')[0]).toBe(
        'split,date,asset,side,quantity,price,fee',
      );
      const recordPath = path.join(out, 'checkpoint/config.json');
      const record = json(recordPath) as {
        config: { algo: string; data: unknown; features: { window: number } };
        normalization: { featureNames: string[]; mean: number[]; std: number[] };
      };
      expect(record.config.algo).toBe('ppo');
      expect(record.config.features.window).toBe(5);
      expect(record.normalization.featureNames).toEqual(['open', 'high', 'low', 'close', 'volume']);
      const run = json(path.join(out, 'run.json')) as { config: unknown };
      expect(run.config).toEqual(record.config);

      // Same data: lab evaluate gives the numbers lab train wrote.
      expect(await main(['evaluate', '--checkpoint', out, '--out', path.join(dir, 'eval-same')])).toBe(0);
      expect((json(path.join(dir, 'eval-same', 'metrics.json')) as Metrics).splits).toEqual(metrics.splits);

      // lab evaluate on other data scales inputs with the training statistics: dropping them from the
      // record (so the new data's own train split is fitted) changes the agent's results.
      const other = ['--data', 'synthetic:assets=2,days=400,seed=9'];
      const agentReturns = (d: string) =>
        Object.values((json(path.join(d, 'metrics.json')) as Metrics).splits).map(
          (x) => x.agent.total_return,
        );
      expect(
        await main(['evaluate', '--checkpoint', out, ...other, '--out', path.join(dir, 'eval-saved')]),
      ).toBe(0);
      const refitCk = path.join(dir, 'refit-checkpoint');
      cpSync(path.join(out, 'checkpoint'), refitCk, { recursive: true });
      const r = json(recordPath);
      const fitted = r.normalization as { mean: number[]; std: number[] };
      // Statistics that are not the training ones (zero mean, unit std: no scaling at all).
      writeFileSync(
        path.join(refitCk, 'config.json'),
        JSON.stringify({
          ...r,
          normalization: { ...fitted, mean: fitted.mean.map(() => 0), std: fitted.std.map(() => 1) },
        }),
      );
      expect(
        await main(['evaluate', '--checkpoint', refitCk, ...other, '--out', path.join(dir, 'eval-refit')]),
      ).toBe(0);
      expect(agentReturns(path.join(dir, 'eval-saved'))).not.toEqual(
        agentReturns(path.join(dir, 'eval-refit')),
      );

      // Reproducibility: lab config print with the same flags → a file → lab train --config gives the same metrics.
      const printed = await stdoutOf(['config', 'print', ...marketFlags]);
      const configFile = path.join(dir, 'market.config.json');
      writeFileSync(configFile, printed);
      expect(JSON.parse(printed)).toEqual(record.config);
      expect(await main(['train', '--config', configFile, '--out', path.join(dir, 'from-config')])).toBe(0);
      expect((json(path.join(dir, 'from-config', 'metrics.json')) as Metrics).splits).toEqual(metrics.splits);
      // …and so does a file that wraps it as { config: … } (run.json, checkpoint/config.json, the lab's download).
      expect(
        await main([
          'train',
          '--config',
          path.join(out, 'run.json'),
          '--out',
          path.join(dir, 'from-run-json'),
        ]),
      ).toBe(0);
      expect((json(path.join(dir, 'from-run-json', 'metrics.json')) as Metrics).splits).toEqual(
        metrics.splits,
      );
      // Flags beside --config override it.
      const over = JSON.parse(
        await stdoutOf([
          'config',
          'print',
          '--config',
          configFile,
          '--seed',
          '7',
          '--set',
          'env.feeRate=0.001',
        ]),
      ) as { seed: number; env: { feeRate: number }; algo: string };
      expect([over.seed, over.env.feeRate, over.algo]).toEqual([7, 0.001, 'ppo']);
    },
  );

  it(
    'user files: --data A.csv B.csv (two words after one flag) train on both assets; data.kind panel needs --data again for --config and lab evaluate',
    { timeout: 120_000 },
    async () => {
      const [a, b] = writeOhlcvFiles(dir, ['AAA', 'BBB']);
      const out = path.join(dir, 'files');
      const small = [
        '--algo',
        'a2c',
        '--steps',
        '64',
        '--features',
        'ohlcv',
        '--window',
        '5',
        '--episode-length',
        '16',
        '--set',
        'agent.numEnvs=2',
        '--set',
        'agent.numSteps=8',
        '--eval-every',
        '0',
      ];
      expect(await main(['train', '--data', a, b, ...small, '--out', out])).toBe(0);
      const run = json(path.join(out, 'run.json')) as {
        config: { data: { kind: string; label: string } };
        data: { assets: string[] };
      };
      expect(run.config.data).toEqual({ kind: 'panel', label: `${a} ${b}` });
      expect(run.data.assets).toEqual(['AAA', 'BBB']);
      expect(
        await main(['evaluate', '--checkpoint', out, '--data', a, b, '--out', path.join(dir, 'files-eval')]),
      ).toBe(0);
      // Without --data, evaluate uses the files it was trained on.
      expect(await main(['evaluate', '--checkpoint', out, '--out', path.join(dir, 'files-eval2')])).toBe(0);
      expect(json(path.join(dir, 'files-eval2', 'metrics.json')).splits).toEqual(
        json(path.join(out, 'metrics.json')).splits,
      );
      expect(
        await main(['train', '--config', path.join(out, 'run.json'), '--out', path.join(dir, 'files-again')]),
      ).toBe(2);
      expect(io.stderr).toMatch(/the experiment's data is the user's own files .*give them with --data/);
      // With the files given again, the config reproduces the run.
      expect(
        await main([
          'train',
          '--config',
          path.join(out, 'run.json'),
          '--data',
          a,
          b,
          '--out',
          path.join(dir, 'files-again'),
        ]),
      ).toBe(0);
      expect(json(path.join(dir, 'files-again', 'metrics.json')).splits).toEqual(
        json(path.join(out, 'metrics.json')).splits,
      );
    },
  );

  it(
    "with no data or algorithm flags it runs core's default experiment (the lab's Train with nothing changed)",
    { timeout: 120_000 },
    async () => {
      const out = path.join(dir, 'default');
      expect(
        await main([
          'train',
          '--steps',
          '100',
          '--eval-every',
          '0',
          '--set',
          'agent.numSteps=20',
          '--out',
          out,
        ]),
      ).toBe(0);
      expect(io.stderr).toMatch(
        /a2c \(standard\) on 1 assets × \d+ features, window 20, splits train 2000-01-01\.\.2010-12-31, valid 2011-01-01\.\.2018-12-31, test 2019-01-01\.\.2021-12-31/,
      );
      const run = json(path.join(out, 'run.json')) as { config: Record<string, unknown> };
      const def = JSON.parse(await stdoutOf(['config', 'print'])) as Record<string, unknown>;
      expect(def).toMatchObject({
        data: { kind: 'embedded', name: 'sp500' },
        algo: 'a2c',
        preset: 'standard',
        totalSteps: 20_000,
        seed: 1,
      });
      expect(run.config).toEqual({
        ...def,
        totalSteps: 100,
        eval: { ...(def.eval as object), every: 0 },
        agent: { ...(def.agent as object), numSteps: 20 },
      });
    },
  );

  it('runs another workflow of the lab from its settings (kol): the lab runner’s evaluation and own results', async () => {
    const out = path.join(dir, 'kol');
    await stdoutOf([
      'train',
      '--data',
      'synthetic:assets=3,days=300,seed=2',
      '--set',
      'workflow=kol',
      '--set',
      'kol.steps=30',
      '--out',
      out,
    ]);
    const m = json(path.join(out, 'metrics.json')) as unknown as Metrics & { workflow: string };
    expect(m.workflow).toBe('kol');
    for (const s of ['train', 'valid', 'test']) {
      expect(m.splits[s].agent.sharpe).toEqual(expect.any(Number));
      expect(Object.keys(m.splits[s].baselines)).toEqual(
        expect.arrayContaining(['kol-baseline', 'buy-and-hold']),
      );
    }
    const results = json(path.join(out, 'results.json'));
    expect(Object.keys(results)).toEqual(expect.arrayContaining(['kol-deviation', 'kol-decisions']));
    expect(readFileSync(path.join(out, 'equity.csv'), 'utf8').split('\n')[0]).toBe(
      'split,date,strategy,equity,return,drawdown',
    );
    expect((json(path.join(out, 'run.json')).config as { kol: { steps: number } }).kol.steps).toBe(30);
  });

  it('--list prints the presets and resolved hyperparameters of an algorithm', async () => {
    const listed = JSON.parse(await stdoutOf(['train', '--algo', 'ppo', '--preset', 'qtmrl', '--list'])) as {
      presets: string[];
      preset: string;
      agent: Record<string, unknown>;
    };
    expect(listed.presets).toContain('standard');
    expect(listed.preset).toBe('qtmrl');
    expect(listed.agent).toHaveProperty('clipCoef');
    expect(listed.agent).not.toHaveProperty('seed');
  });

  it('progress shows — for the return until the first episode ends, never NaN', () => {
    expect(progressLine(40, 500, NaN, 241.2)).toBe('  step 40/500  return —  sps 241\n');
    expect(progressLine(80, 500, -0.01234, undefined)).toBe('  step 80/500  return -0.012  sps —\n');
    expect(fmt(NaN)).toBe('—');
    expect(fmt(Infinity)).toBe('Infinity');
  });

  it('rejects bad input with one clear line and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['train', '--env', 'cartpole', '--algo', 'dqn', '--out', dir], /'dqn' is not|unknown algorithm 'dqn'/],
      [
        ['train', '--env', 'cartpole', '--algo', 'ppo', '--set', 'agent.learningrate=1', '--out', dir],
        /unknown ppo config key 'learningrate'/,
      ],
      [['train', '--env', 'cartpole', '--set', 'env.feeRate=1', '--out', dir], /--env cartpole takes agent/],
      [
        ['train', '--env', 'pong', '--algo', 'ppo', '--out', dir],
        /--env must be cartpole, bandit, pendulum or synthetic/,
      ],
      [['train', '--algo', 'dqn', '--out', dir], /algo: unknown algorithm 'dqn'/],
      [
        ['train', '--set', 'learningRate=0.1', '--out', dir],
        /--set path 'learningRate' is not a key of the experiment config — did you mean agent\.learningRate\?/,
      ],
      [
        ['train', '--set', 'env.feeRat=0.1', '--out', dir],
        /--set path 'env\.feeRat' is not a key .*keys under env: .*feeRate/,
      ],
      [
        ['train', '--set', 'agent.learningRate=fast', '--out', dir],
        /--set agent\.learningRate=fast: must be a number/,
      ],
      [['train', '--window', '0', '--out', dir], /features\.window/],
      [['train', '--splits', 'sometimes', '--out', dir], /--splits: expected auto, qtmrl, ratio/],
      [
        ['train', '--config', path.join(dir, 'nope.json'), '--out', dir],
        /nope\.json: cannot read \(no such file\)/,
      ],
      [['train', '--steps', '100'], /missing required option --out/],
      [['evaluate', '--checkpoint', path.join(dir, 'nope'), '--out', dir], /no checkpoint in/],
    ];
    for (const [argv, message] of cases) {
      io.stderr = '';
      expect(await main(argv), argv.join(' ')).toBe(2);
      expect(io.stderr, argv.join(' ')).toMatch(message);
      expect(io.stderr.trim().split('\n'), argv.join(' ')).toHaveLength(1);
    }
  });
});
