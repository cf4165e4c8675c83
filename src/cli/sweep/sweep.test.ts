/** `lab sweep` and `lab merge` end to end: a 2×2 grid × 2 seeds on 2 worker threads, then as two shards merged. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main.ts';
import { writeOhlcvFiles } from '../testing.ts';
import type { SweepResultsFile, SummaryFile } from './files.ts';

let stderr = '';
beforeEach(() => {
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-sweep-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]) => path.join(dir, ...p);
const write = (name: string, value: unknown) => {
  writeFileSync(at(name), typeof value === 'string' ? value : JSON.stringify(value));
  return at(name);
};
const read = <T>(...p: string[]) => JSON.parse(readFileSync(at(...p), 'utf8')) as T;

const grid = {
  name: 'tiny-grid',
  base: {
    data: { kind: 'synthetic', config: { assets: 2, days: 250, seed: 5 } },
    features: { preset: 'ohlcv', window: 5 },
    env: { episodeLength: 24 },
    agent: { numEnvs: 2, numSteps: 8, network: { hidden: [8] } },
    totalSteps: 64,
    eval: { baselines: ['buy-and-hold'] },
  },
  params: [
    { key: 'agent.learningRate', values: { kind: 'list', values: [0.001, 0.01] } },
    { key: 'agent.entCoef', values: { kind: 'list', values: [0, 0.05] } },
  ],
  seedsPerPoint: 2,
};

describe('lab sweep / lab merge', () => {
  it('bad specs and flags → exit 2 and one line naming the field', async () => {
    const cases: [string[], RegExp][] = [
      [[write('bad.json', '{ "params": [ }')], /bad\.json: invalid JSON/],
      [
        [write('badkind.json', { params: [{ key: 'agent.entCoef', values: { kind: 'lst', values: [1] } }] })],
        /badkind\.json: invalid sweep spec at params\.0\.values/,
      ],
      [
        [write('typo.json', { params: [{ key: 'agent.entCoeff', values: { kind: 'list', values: [0] } }] })],
        /typo\.json: .*'agent\.entCoeff' is not a key/,
      ],
      [
        [write('badbase.json', { base: { env: { buyPtc: 1 } } })],
        /badbase\.json: invalid sweep spec at base: env\.buyPtc/,
      ],
      [[write('ok.json', grid), '--shard', '2/2'], /--shard: .*need 0 ≤ i < n/],
      [[at('ok.json'), '--select', 'test/sharpe'], /--select must be a validation metric/],
      // --data A.csv B.csv: both files load (the error names the assets they hold).
      [
        [
          write('assets.json', { base: { assets: ['AAA', 'ZZZ'] } }),
          '--data',
          ...writeOhlcvFiles(dir, ['AAA', 'BBB']),
        ],
        /point 0 \(base\): assets: 'ZZZ' is not in the data \(assets: AAA, BBB\)/,
      ],
    ];
    for (const [args, re] of cases) {
      stderr = '';
      expect(await main(['sweep', ...args, '--out', at('never')]), args.join(' ')).toBe(2);
      expect(stderr).toMatch(re);
      expect(stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('runs a 2×2 grid × 2 seeds on 2 workers; two shards merged give identical results', async () => {
    const spec = write('grid.json', grid);
    expect(await main(['sweep', spec, '--workers', '2', '--out', at('full')])).toBe(0);
    const full = read<SweepResultsFile>('full', 'results.json');
    expect(full.runs.map((r) => r.id)).toEqual([
      'p0-s1',
      'p0-s2',
      'p1-s1',
      'p1-s2',
      'p2-s1',
      'p2-s2',
      'p3-s1',
      'p3-s2',
    ]);
    expect(
      full.runs.every(
        (r) => !r.error && r.backend === 'wasm' && Number.isFinite(r.metrics['valid/sharpe'] ?? 0),
      ),
    ).toBe(true);
    expect(full.versions.tfjs).toMatch(/^\d+\.\d+/);
    expect(full.dataFingerprint).toMatch(/^sha256:/);
    const csv = readFileSync(at('full', 'results.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(9);
    expect(csv[0]).toContain('agent.learningRate');
    const summary = read<SummaryFile>('full', 'summary.json');
    expect(summary.points).toHaveLength(4);
    expect(summary.selection.metric).toBe('valid/sharpe');
    expect(Object.keys(summary.best!.test).every((k) => k.startsWith('test/'))).toBe(true);

    // Two shards concurrently (one worker each), then merged.
    const codes = await Promise.all(
      [0, 1].map((i) =>
        main(['sweep', spec, '--workers', '1', '--shard', `${i}/2`, '--quiet', '--out', at(`shard${i}`)]),
      ),
    );
    expect(codes).toEqual([0, 0]);
    expect(read<SweepResultsFile>('shard1', 'results.json').runs.map((r) => r.index)).toEqual([1, 3, 5, 7]);
    expect(await main(['merge', at('shard0'), at('shard1'), '--out', at('merged')])).toBe(0);
    const merged = read<SweepResultsFile>('merged', 'results.json');
    expect(merged.runs.map((r) => [r.id, r.metrics])).toEqual(full.runs.map((r) => [r.id, r.metrics]));
    expect(read<SummaryFile>('merged', 'summary.json').best).toEqual(summary.best);

    // A missing shard is reported and fails; a duplicated one is reported.
    stderr = '';
    expect(await main(['merge', at('shard0'), '--out', at('partial')])).toBe(1);
    expect(stderr).toMatch(/MISSING 4 runs: p0-s2, p1-s2, p2-s2, p3-s2/);
    stderr = '';
    expect(await main(['merge', at('shard0'), at('shard1'), at('shard1'), '--out', at('dup')])).toBe(0);
    expect(stderr).toMatch(/duplicated runs \(first kept\): p0-s2/);
    // Folders of another spec are refused, and so is a folder that is not a sweep's.
    const other = read<SweepResultsFile>('shard1', 'results.json');
    other.spec = { ...other.spec, name: 'other' };
    write('other-results.json', other);
    stderr = '';
    expect(await main(['merge', at('shard0'), at('other-results.json'), '--out', at('x')])).toBe(2);
    expect(stderr).toMatch(/different sweep spec/);
    expect(await main(['merge', at('shard0'), at('nope'), '--out', at('x')])).toBe(2);
  }, 120_000);
});
