/** `lab hier train`, in-process on a tiny budget: the files, metrics.json's hierarchy summary, experts.csv, and bad input → exit 2. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { captureCliOutput, testDir } from '../testing.ts';

const io = captureCliOutput();
const dir = testDir('lab-hier-test-');
const tiny = ['numEnvs=2', 'routerEvery=2', 'expertEvery=1', 'batchSize=16', 'lookback=20'].flatMap((s) => [
  '--set',
  `hierarchical.${s}`,
]);
// Episodes are the trading env's (one vocabulary): short ones for the tiny budget.
tiny.push('--set', 'env.episodeLength=40');

describe('lab hier train', () => {
  it('--env synthetic:…: metrics.json (per split: hierarchy, buy-and-hold, experts, router by regime; mapd) and experts.csv', async () => {
    const out = path.join(dir, 'run');
    const code = await main([
      'hier',
      'train',
      '--env',
      'synthetic:days=500,seed=4',
      ...tiny,
      '--steps',
      '80',
      '--out',
      out,
    ]);
    expect(io.stderr).not.toMatch(/error/i);
    expect(code).toBe(0);
    const m = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(m.workflow).toBe('hierarchical');
    expect(m.global_step).toBe(80);
    expect(m.mapd).toBeGreaterThanOrEqual(0);
    for (const split of ['train', 'valid', 'test']) {
      const s = m.per_split[split];
      expect(Object.keys(s.experts)).toEqual(['expert-0', 'expert-1', 'expert-2']);
      for (const k of ['return', 'sharpe', 'max_drawdown']) expect(k in s.hierarchy).toBe(true);
      expect(Object.keys(s.router_by_regime)).toEqual(['trending', 'mean-reverting']);
      expect(s.mutual_information).toBeGreaterThanOrEqual(0);
      expect(s.regime_dependence.best_expert).toHaveLength(2);
    }
    // Pooled over the splits: trained vs untrained router, hit rate vs chance, permutation p-value.
    const r = m.router_by_regime;
    expect(Object.keys(r.counts)).toEqual(['trending', 'mean-reverting']);
    const decisions = Object.values(r.counts as Record<string, Record<string, number>>)
      .flatMap((c) => Object.values(c))
      .reduce((a, b) => a + b, 0);
    expect(r.untrained.counts.flat().reduce((a: number, b: number) => a + b, 0)).toBe(decisions);
    for (const v of [r.hit_rate, r.chance_hit_rate, r.mi_p_value, r.untrained.hit_rate])
      expect(v).toBeGreaterThanOrEqual(0);
    expect(r.mi_p_value).toBeLessThanOrEqual(1);
    const csv = readFileSync(path.join(out, 'experts.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('date,split,expert,regime');
    expect(csv[2]).toMatch(/^\d{4}-\d{2}-\d{2},train,expert-\d,(trending|mean-reverting)$/);
    const run = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(run.config.data.config).toMatchObject({ assets: 1, regimes: 2, days: 500, seed: 4 });
  }, 60_000);

  it('a bad setting is exit 2 naming its path', async () => {
    const code = await main([
      'hier',
      'train',
      '--set',
      'hierarchical.experts=1',
      '--out',
      path.join(dir, 'bad'),
    ]);
    expect(code).toBe(2);
    expect(io.stderr).toMatch(/hierarchical\.experts/);
  });
});
