/**
 * lab scml train at a tiny budget: the run folder holds the clone, the PPO checkpoint, L3/L4's
 * checkpoint and a held-out evaluation with the ablations (a layer removed each); `hrl:RUN` then
 * plays in lab scml tournament, and --resume continues PPO and MAPPO from their checkpoints.
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
    const small = [
      ...['--worlds', '1', '--bc-epochs', '2', '--ppo-steps', '512', '--ppo-days', '12'],
      ...['--l3-epochs', '1', '--micro-iters', '2', '--micro-worlds', '1', '--micro-days', '10'],
    ];
    expect(await main(['scml', 'train', ...small, '--eval-worlds', '1', '--out', run])).toBe(0);
    for (const f of [
      'hrl.json',
      'l2_bc.json',
      'ppo/model.json',
      'ppo/weights.bin',
      'learning.csv',
      'micro/model.json',
      'micro/weights.bin',
      'micro/params.json',
      'micro/bc.json',
      'learning_micro.csv',
      'eval/summary.json',
    ])
      expect(existsSync(path.join(run, f)), f).toBe(true);
    const summary = JSON.parse(readFileSync(path.join(run, 'eval', 'summary.json'), 'utf8')) as {
      byType: { agentType: string; n: number }[];
    };
    expect(summary.byType.map((e) => e.agentType).sort()).toEqual(
      ['greedy', 'hrl', 'hrl#nol2', 'hrl#nol3', 'hrl#nol4', 'penguin', 'random', 'syncrandom'].sort(),
    );
    const t = path.join(dir, 't');
    expect(
      await main([
        'scml',
        'tournament',
        '--agents',
        `hrl:${run},hrl:${run}#nol4,hrl:${run}#l1,penguin`,
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
    const more = small.map((x, i) => (small[i - 1] === '--micro-iters' ? '3' : x));
    expect(await main(['scml', 'train', ...more, '--eval-worlds', '0', '--resume', '--out', run])).toBe(0);
    expect(io.stderr).toMatch(/resumed L2 clone/);
    expect(io.stderr).toMatch(/resumed L3\/L4 at iteration 2/);
    expect(io.stderr).toMatch(/L3\/L4 3 iterations/);
    expect(JSON.stringify(step('model.json'))).not.toBe(before);
    await expect(main(['scml', 'tournament', '--agents', 'hrl:/nonexistent', '--out', t])).resolves.toBe(2);
    await expect(main(['scml', 'train', '--layers', 'l2,l4', '--out', run])).resolves.toBe(2);
  }, 240_000);
});
