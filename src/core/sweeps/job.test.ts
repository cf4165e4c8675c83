import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../agents/backend.ts';
import type { DataSourceConfig } from '../experiment/config.ts';
import { loadExperimentPanel } from '../experiment/data.ts';
import { cachedPanelProvider, runSweepJob, thin, type SweepJobProgress } from './job.ts';
import { summarizeSweep } from './results.ts';
import { expandSweep, parseSweepSpec } from './spec.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const spec = parseSweepSpec({
  name: 'tiny',
  base: {
    data: { kind: 'synthetic', config: { assets: 2, days: 300, seed: 5 } },
    features: { preset: 'ohlcv', window: 5 },
    env: { episodeLength: 32 },
    agent: { numEnvs: 2, numSteps: 8, network: { hidden: [8] } },
    totalSteps: 128,
    eval: { baselines: ['buy-and-hold'] },
  },
  params: [{ key: 'agent.learningRate', values: { kind: 'list', values: [1e-3, 1e-2] } }],
  seedsPerPoint: 2,
});

describe('runSweepJob', () => {
  it('flattens split metrics, keeps a validation equity overlay, is deterministic, and loads the panel once', async () => {
    let loads = 0;
    const provider = cachedPanelProvider(async (d: DataSourceConfig) => {
      loads++;
      return loadExperimentPanel(d);
    });
    const runs = expandSweep(spec);
    const progress: SweepJobProgress[] = [];
    const a = await runSweepJob(runs[0], provider, { onProgress: (p) => progress.push(p), backend: 'wasm' });
    const again = await runSweepJob(runs[0], provider);
    const other = await runSweepJob(runs[1], provider);
    expect(loads).toBe(1);
    expect(a.error).toBeUndefined();
    expect(a.status).toBe('completed');
    expect(a.backend).toBe('wasm');
    expect(a.metrics).toEqual(again.metrics);
    expect(other.metrics).not.toEqual(a.metrics);
    for (const k of [
      'train/sharpe',
      'valid/sharpe',
      'test/sharpe',
      'valid/total_return',
      'valid/max_drawdown',
      'valid/bh_total_return',
      'valid/excess_return',
    ]) {
      expect(Number.isFinite(a.metrics[k]), k).toBe(true);
    }
    expect(a.metrics['valid/periods']).toBeUndefined();
    expect(a.equity!.split).toBe('valid');
    expect(a.equity!.agent[0]).toBe(1);
    expect(a.equity!.dates.length).toBe(a.equity!.agent.length);
    expect(a.equity!.benchmark!.length).toBe(a.equity!.agent.length);
    expect(progress[0].phase).toBe('loading data');
    expect(progress.at(-1)).toMatchObject({ phase: 'done', step: 128, total: 128, runIndex: 0 });

    const summary = summarizeSweep([a, other], 'valid/sharpe');
    expect(summary.points).toHaveLength(1);
    expect(summary.best!.test['test/sharpe'].mean).toBeCloseTo(
      (a.metrics['test/sharpe'] + other.metrics['test/sharpe']) / 2,
      12,
    );
    expect(Object.keys(summary.best!.valid).every((k) => k.startsWith('valid/'))).toBe(true);
    expect(() => summarizeSweep([a], 'test/sharpe')).toThrow(/validation split/);
  });

  it('turns a bad config into a failed result naming the field, never a throw', async () => {
    const [run] = expandSweep(
      parseSweepSpec({ base: { data: { kind: 'synthetic' }, features: { window: 0 } } }),
    );
    const r = await runSweepJob(run, cachedPanelProvider(loadExperimentPanel));
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/features\.window/);
  });
});

describe('thin', () => {
  it('keeps both ends and at most max points', () => {
    expect(thin([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4)).toEqual([0, 3, 6, 9]);
    expect(thin([1, 2], 4)).toEqual([1, 2]);
  });
});
