/**
 * `lab hier pbt`, in-process on the quadratic check member: the report files, the same numbers in
 * one thread, on worker threads and as two shards over one folder, the barrier's timeout, and
 * --merge rebuilding the report from the score files.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { QUADRATIC_OPTIMA } from '../../core/hier/quadraticMember.ts';
import type { PopulationRecord } from '../hier/report.ts';
import { main } from '../main.ts';
import { captureCliOutput, testDir } from '../testing.ts';

const io = captureCliOutput();
const dir = testDir('lab-hier-pbt-test-');
const args = (out: string, more: Record<string, string> = {}) => [
  'hier',
  'pbt',
  ...Object.entries({
    env: 'quadratic',
    members: '16',
    frequencies: '1,4',
    rounds: '12',
    't-ready': '10',
    seed: '3',
    out,
    ...more,
  }).flatMap(([k, v]) => [`--${k}`, v]),
];
const record = (out: string) =>
  JSON.parse(readFileSync(path.join(out, 'population.json'), 'utf8')) as PopulationRecord;
const lineage = (r: PopulationRecord) => JSON.stringify([r.rounds, r.best, r.members]);

describe('lab hier pbt (quadratic member)', () => {
  it('writes population.json, population.csv and the best member; moves toward the known rates', async () => {
    const out = path.join(dir, 'one');
    expect(await main(args(out, { rounds: '30' }))).toBe(0);
    const r = record(out);
    expect(r.hyperparameters).toEqual(['quadratic.lrA', 'quadratic.lrB']);
    expect(r.rounds).toHaveLength(30 * 16);
    expect(r.status).toBe('completed');
    expect(r.roundSeconds).toHaveLength(30);
    const best = r.best.hps;
    for (const k of ['quadratic.lrA', 'quadratic.lrB'] as const)
      expect(Math.abs(Math.log(best[k] / QUADRATIC_OPTIMA[k]))).toBeLessThan(Math.log(1.6));
    const csv = readFileSync(path.join(out, 'population.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(
      'round,member,sub_population,frequency,score,parent_network,parent_hps,quadratic.lrA,quadratic.lrB',
    );
    expect(csv).toHaveLength(1 + 30 * 16);
    expect(csv[1].split(',').slice(0, 4)).toEqual(['0', '0', '0', '1']);
    expect(csv[16].split(',').slice(0, 4)).toEqual(['0', '15', '1', '4']);
    const hp = JSON.parse(readFileSync(path.join(out, 'best/hyperparameters.json'), 'utf8'));
    expect(hp.member).toBe(r.best.member);
    expect(readFileSync(path.join(out, 'best/checkpoint/weights.bin')).byteLength).toBe(16);
    expect(io.stderr).toMatch(/30 rounds in .* s\/round\); best member/);
  });

  it('gives the same population in one thread, on 2 worker threads and as 2 shards (one on threads)', async () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    const c = path.join(dir, 'c');
    expect(await main(args(a))).toBe(0);
    expect(await main(args(b, { workers: '2' }))).toBe(0);
    const codes = await Promise.all([
      main(args(c, { shard: '1/2', workers: '2' })),
      main(args(c, { shard: '0/2' })),
    ]);
    expect(codes).toEqual([0, 0]);
    expect(lineage(record(b))).toBe(lineage(record(a)));
    expect(lineage(record(c))).toBe(lineage(record(a)));
    expect(record(c).shards).toBe(2);
    // Only the last round's snapshots of the best (and its parents) remain; older ones were dropped.
    expect(existsSync(path.join(c, 'rounds/5/snap-0.json'))).toBe(false);
    // --merge replays the genetics over the score files: the same report.
    rmSync(path.join(c, 'population.json'));
    expect(await main(['hier', 'pbt', '--merge', c])).toBe(0);
    expect(lineage(record(c))).toBe(lineage(record(a)));
    rmSync(path.join(c, 'population.json'));
    expect(await main(['merge', c])).toBe(0);
    expect(lineage(record(c))).toBe(lineage(record(a)));
  });

  it('a shard whose partner never comes stops at the barrier naming the missing members', async () => {
    const out = path.join(dir, 'alone');
    expect(await main(args(out, { shard: '0/2', wait: '0.3' }))).toBe(1);
    expect(io.stderr).toMatch(
      /shard 0\/2 waited 0\.3 s for round 0's scores of members 1, 3, 5, 7, 9, 11, 13, 15 \(owed by shard 1\/2/,
    );
    // The same folder refuses another population, and a second start of the same shard.
    expect(await main(args(out, { shard: '1/2', rounds: '5' }))).toBe(2);
    expect(io.stderr).toMatch(/pbt\.json: another population is in this folder \('population' differs/);
    expect(await main(args(out, { shard: '0/2' }))).toBe(2);
    expect(io.stderr).toMatch(/already holds shard 0\/2's results; use a fresh --out/);
  });

  it('--merge of an unfinished folder reports the rounds it has and the missing members', async () => {
    const out = path.join(dir, 'cut');
    expect(await main(args(out))).toBe(0);
    rmSync(path.join(out, 'rounds/7/score-5.json'));
    expect(await main(['hier', 'pbt', '--merge', out])).toBe(1);
    expect(io.stderr).toMatch(/7\/12 rounds .* MISSING round 7: member 5/s);
    const r = record(out);
    expect(r.status).toBe('incomplete');
    expect(r.rounds).toHaveLength(7 * 16);
  });

  it('refuses bad populations and ranges with one line', async () => {
    expect(await main(args(path.join(dir, 'bad'), { members: '12' }))).toBe(2);
    expect(io.stderr).toMatch(/12 members in 2 sub-populations must give a multiple of 4/);
    expect(await main(args(path.join(dir, 'bad'), { hp: 'quadratic.lrA=0:1:log' }))).toBe(2);
    expect(io.stderr).toMatch(/--hp quadratic\.lrA=0:1:log: a log range needs MIN > 0/);
  });

  it('hierarchy members: the same population in one thread and on 2 threads; best/ restored scores what was recorded', async () => {
    const tiny = {
      env: 'synthetic:regimes=2,days=500,seed=2',
      members: '4',
      frequencies: '1',
      rounds: '2',
      't-ready': '80',
      hp: 'hierarchical.expertLearningRate=1e-4:1e-2:log',
    };
    const sets = [
      'hierarchical.numEnvs=2',
      'env.episodeLength=40',
      'hierarchical.routerEvery=4',
      'hierarchical.expertEvery=2',
      'hierarchical.hidden=8',
      'hierarchical.batchSize=16',
    ].flatMap((s) => ['--set', s]);
    const a = path.join(dir, 'hier-a');
    const b = path.join(dir, 'hier-b');
    expect(await main([...args(a, tiny), ...sets])).toBe(0);
    expect(await main([...args(b, { ...tiny, workers: '2' }), ...sets])).toBe(0);
    expect(lineage(record(b))).toBe(lineage(record(a)));
    expect(record(a).hyperparameters).toEqual(['hierarchical.expertLearningRate']);
    const m = JSON.parse(readFileSync(path.join(a, 'best/metrics.json'), 'utf8'));
    expect(m.population_member).toBe(record(a).best.member);
    expect(m.restored_score).toBe(m.population_score);
    expect(m.global_step).toBe(160);
    expect(existsSync(path.join(a, 'best/experts.csv'))).toBe(true);
  }, 120_000);
});
