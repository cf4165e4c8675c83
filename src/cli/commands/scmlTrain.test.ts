/**
 * lab scml train at a tiny budget: the run folder holds the clone, the PPO checkpoint and a
 * held-out evaluation with the ablations; `hrl:RUN` then plays in lab scml tournament, and
 * --resume continues PPO from the checkpoint.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { captureCliOutput, testDir } from '../testing.ts';

const io = captureCliOutput();
const dir = testDir('lab-scml-train-');

describe('lab scml train', () => {
  it('trains, evaluates, plays as hrl:RUN and resumes', async () => {
    const run = path.join(dir, 'run');
    const small = ['--worlds', '1', '--bc-epochs', '2', '--ppo-steps', '512', '--ppo-days', '12'];
    expect(await main(['scml', 'train', ...small, '--eval-worlds', '1', '--out', run])).toBe(0);
    for (const f of [
      'hrl.json',
      'l2_bc.json',
      'ppo/model.json',
      'ppo/weights.bin',
      'learning.csv',
      'eval/summary.json',
    ])
      expect(existsSync(path.join(run, f)), f).toBe(true);
    const summary = JSON.parse(readFileSync(path.join(run, 'eval', 'summary.json'), 'utf8')) as {
      byType: { agentType: string; n: number }[];
    };
    expect(summary.byType.map((e) => e.agentType).sort()).toEqual(
      ['greedy', 'hrl', 'hrl#bc', 'hrl#l1', 'penguin', 'random', 'syncrandom'].sort(),
    );
    const t = path.join(dir, 't');
    expect(
      await main([
        'scml',
        'tournament',
        '--agents',
        `hrl:${run},penguin`,
        '--worlds',
        '1',
        '--steps',
        '10',
        '--out',
        t,
      ]),
    ).toBe(0);
    expect(readFileSync(path.join(t, 'scores.csv'), 'utf8')).toContain(`hrl:${run}`);
    const step = (f: string) =>
      (
        JSON.parse(readFileSync(path.join(run, 'ppo', f), 'utf8')) as {
          modelTopology: { globalStep?: number };
        }
      ).modelTopology;
    const before = JSON.stringify(step('model.json'));
    expect(await main(['scml', 'train', ...small, '--eval-worlds', '0', '--resume', '--out', run])).toBe(0);
    expect(io.stderr).toMatch(/resumed L2 clone/);
    expect(JSON.stringify(step('model.json'))).not.toBe(before);
    await expect(main(['scml', 'tournament', '--agents', 'hrl:/nonexistent', '--out', t])).resolves.toBe(2);
  }, 240_000);
});
