import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { captureCliOutput, testDir } from '../testing.ts';

const io = captureCliOutput();
const dir = testDir('lab-scml-');

const lines = (f: string) => readFileSync(f, 'utf8').trimEnd().split('\n');

describe('lab scml tournament', () => {
  it('writes scores, negotiations and daily CSVs; two shards in this thread give what two worker threads gave', async () => {
    const base = [
      'scml',
      'tournament',
      '--agents',
      'penguin,greedy',
      '--worlds',
      '2',
      '--steps',
      '12',
      '--seed',
      '4',
    ];
    const whole = path.join(dir, 'whole');
    expect(await main([...base, '--workers', '2', '--out', whole])).toBe(0);
    const scores = lines(path.join(whole, 'scores.csv'));
    expect(scores[0]).toBe(
      'world,config,rotation,agent,agent_type,level,initial_balance,final_balance,score,shortfall,bankrupt',
    );
    expect(lines(path.join(whole, 'negotiations.csv'))[0]).toBe(
      'world,day,thread,round,proposer,responder,quantity,delivery,price,response',
    );
    const daily = lines(path.join(whole, 'daily.csv'));
    expect(daily.length - 1).toBe((scores.length - 1) * 12);
    expect(io.stderr).toMatch(/penguin\s+\d+\s+[\d.-]+/);
    const parts = [0, 1].map((i) => {
      const out = path.join(dir, `s${i}`);
      return main([...base, '--shard', `${i}/2`, '--workers', '1', '--out', out]).then(() =>
        lines(path.join(out, 'scores.csv')).slice(1),
      );
    });
    const [a, b] = await Promise.all(parts);
    expect([...a, ...b].sort()).toEqual(scores.slice(1).sort());
  });

  it('refuses an unknown agent with a usage error', async () => {
    expect(await main(['scml', 'tournament', '--agents', 'penguin,nope', '--out', dir])).toBe(2);
    expect(io.stderr).toMatch(/unknown agent 'nope'/);
  });
});
