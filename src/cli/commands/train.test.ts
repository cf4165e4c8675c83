/** `lab train` / `lab evaluate`, in-process: the files they write, the round trip through a checkpoint, bad input. */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { captureCliOutput, testDir } from '../testing.ts';
import { applySets } from './train.ts';

const io = captureCliOutput();

const dir = testDir('lab-train-test-');
const json = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;

describe('lab train', () => {
  it('trains on a sanity env and writes metrics.json, learning.csv, checkpoint/ and run.json; lab evaluate reproduces the evaluation', { timeout: 60_000 }, async () => {
    const out = path.join(dir, 'bandit');
    const code = await main(['train', '--env', 'bandit', '--algo', 'a2c', '--steps', '2000', '--set', 'learningRate=0.003', '--backend', 'cpu', '--out', out]);
    expect(io.stderr).not.toMatch(/error/i);
    expect(code).toBe(0);
    expect(io.stdout).toMatch(/^a2c \(standard\) completed at step 2000 on cpu/);
    for (const f of ['metrics.json', 'learning.csv', 'run.json', 'checkpoint/model.json', 'checkpoint/weights.bin', 'checkpoint/config.json']) expect(existsSync(path.join(out, f)), f).toBe(true);
    const metrics = json(path.join(out, 'metrics.json')) as { eval: { agent: { mean_return: number }; baselines: { random: { mean_return: number } } }; optimal_mean_reward: number };
    expect(metrics.eval.agent.mean_return).toBeGreaterThan(metrics.eval.baselines.random.mean_return);
    expect(readFileSync(path.join(out, 'learning.csv'), 'utf8').split('\n')[0]).toMatch(/^step,losses\/policy,losses\/value,losses\/entropy/);
    const run = json(path.join(out, 'run.json')) as { status: string; global_step: number; config: { learningRate: number } };
    expect([run.status, run.global_step, run.config.learningRate]).toEqual(['completed', 2000, 0.003]);

    const evalOut = path.join(dir, 'bandit-eval');
    expect(await main(['evaluate', '--checkpoint', out, '--backend', 'cpu', '--out', evalOut])).toBe(0);
    expect((json(path.join(evalOut, 'metrics.json')) as typeof metrics).eval.agent).toEqual(metrics.eval.agent);
  });

  it('trains on synthetic market data and backtests every split with the baselines beside the agent', { timeout: 120_000 }, async () => {
    const out = path.join(dir, 'market');
    const code = await main([
      'train',
      '--env',
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
      'numEnvs=4',
      '--set',
      'numSteps=32',
      '--set',
      'network.encoder=mlp',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    const metrics = json(path.join(out, 'metrics.json')) as { split_rule: string; splits: Record<string, { agent: Record<string, number>; baselines: Record<string, Record<string, number>> }> };
    expect(metrics.split_rule).toBe('ratio');
    expect(Object.keys(metrics.splits)).toEqual(['train', 'valid', 'test']);
    for (const s of Object.values(metrics.splits)) {
      expect(typeof s.agent.total_return).toBe('number');
      expect(Object.keys(s.baselines)).toEqual(['buy-and-hold', 'equal-weight', 'random']);
    }
    const equity = readFileSync(path.join(out, 'equity.csv'), 'utf8').trim().split('\n');
    expect(equity[0]).toBe('split,date,strategy,equity,return,drawdown');
    expect(new Set(equity.slice(1).map((l) => l.split(',')[2]))).toEqual(new Set(['agent', 'buy-and-hold', 'equal-weight', 'random']));
    expect(readFileSync(path.join(out, 'positions.csv'), 'utf8').split('\n')[0]).toBe('split,date,asset,shares,weight,close,action');
    const recordPath = path.join(out, 'checkpoint/config.json');
    const record = json(recordPath) as { env: { kind: string; normalization: { featureNames: string[]; mean: number[]; std: number[] } } };
    expect(record.env.kind).toBe('market');
    expect(record.env.normalization.featureNames).toEqual(['open', 'high', 'low', 'close', 'volume']);

    // lab evaluate on other data scales inputs with the training statistics: dropping them from the
    // record (so the new data's own train split is fitted) changes the agent's results.
    const other = ['--data', 'synthetic:assets=2,days=400,seed=9', '--backend', 'cpu'];
    const agentReturns = (d: string) =>
      Object.values((json(path.join(d, 'metrics.json')) as typeof metrics).splits).map((x) => x.agent.total_return);
    expect(await main(['evaluate', '--checkpoint', out, ...other, '--out', path.join(dir, 'eval-saved')])).toBe(0);
    const refitCk = path.join(dir, 'refit-checkpoint');
    cpSync(path.join(out, 'checkpoint'), refitCk, { recursive: true });
    const { normalization: _dropped, ...envWithout } = record.env;
    writeFileSync(path.join(refitCk, 'config.json'), JSON.stringify({ ...record, env: envWithout }));
    expect(await main(['evaluate', '--checkpoint', refitCk, ...other, '--out', path.join(dir, 'eval-refit')])).toBe(0);
    expect(agentReturns(path.join(dir, 'eval-saved'))).not.toEqual(agentReturns(path.join(dir, 'eval-refit')));
  });

  it('rejects bad input with one clear line and exit code 2', async () => {
    expect(await main(['train', '--env', 'cartpole', '--algo', 'dqn', '--out', dir])).toBe(2);
    expect(io.stderr).toMatch(/unknown algorithm 'dqn' \(known: a2c, ppo/);
    expect(await main(['train', '--env', 'cartpole', '--algo', 'ppo', '--set', 'learningrate=1', '--out', dir])).toBe(2);
    expect(io.stderr).toMatch(/unknown ppo config key 'learningrate'/);
    expect(await main(['train', '--env', 'pong', '--algo', 'ppo', '--out', dir])).toBe(2);
    expect(io.stderr).toMatch(/--env must be cartpole, bandit or synthetic/);
    expect(await main(['train', '--algo', 'ppo', '--out', dir])).toBe(2);
    expect(io.stderr).toMatch(/give --data SRC… or --env/);
    expect(await main(['evaluate', '--checkpoint', path.join(dir, 'nope'), '--out', dir])).toBe(2);
    expect(io.stderr).toMatch(/no checkpoint in/);
  });

  it('--set parses JSON values and dotted keys', () => {
    expect(applySets({ network: { encoder: 'timecnn' } }, { 'network.hidden': '[32,32]', gamma: '0.9', optimizer: 'adam', annealLr: 'false' })).toEqual({
      network: { encoder: 'timecnn', hidden: [32, 32] },
      gamma: 0.9,
      optimizer: 'adam',
      annealLr: false,
    });
  });
});
