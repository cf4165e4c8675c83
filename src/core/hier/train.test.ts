/** The training loop: one row per cycle keyed by the global env step, the population cadence, pause and stop. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../agents/backend.ts';
import { generateSynthetic } from '../data/synthetic.ts';
import { prepareExperiment } from '../experiment/run.ts';
import { unflatten } from '../experiment/vocabulary.ts';
import { RunControl } from '../run/control.ts';
import { getWorkflow } from '../workflows/registry.ts';
import { trainHierarchy } from './train.ts';

const start = unflatten(getWorkflow('hierarchical').start) as { data: { config: Record<string, unknown> } };
const data = { kind: 'synthetic', config: { ...start.data.config, days: 400 } };
const tiny = {
  numEnvs: 2,
  routerEvery: 2,
  expertEvery: 1,
  populationEvery: 8,
  episodeLength: 30,
  batchSize: 16,
  lookback: 20,
};

beforeAll(async () => {
  await initBackend('wasm');
});

describe('trainHierarchy', () => {
  it('rows by global step with the flat schema; population every 8 decisions = every 2nd cycle; pause holds, stop ends', async () => {
    const prep = await prepareExperiment({ ...start, data }, generateSynthetic(data.config).panel);
    const control = new RunControl();
    let population = 0;
    const res = await trainHierarchy(prep, tiny, {
      seed: 3,
      steps: 4 * 40, // 4 cycles × (2 phases × 2 decisions × 2 envs × 5 days)
      control,
      onPopulation: () => void population++,
      onCycle: async (h) => {
        if (h.cycles !== 2) return;
        control.pause();
        setTimeout(() => control.resume(), 50);
      },
    });
    expect(res.status).toBe('completed');
    expect(res.rows.map((r) => r.step)).toEqual([40, 80, 120, 160]);
    expect(population).toBe(2);
    for (const k of [
      'charts/mapd',
      'charts/kl_to_mean',
      'charts/router_entropy',
      'losses/router_policy',
      'losses/qf',
      'perf/sps',
    ])
      expect(Number.isFinite(res.rows[3].values[k]), k).toBe(true);
    const stopped = await trainHierarchy(res.hierarchy, tiny, {
      steps: 1000,
      onCycle: () => control.stop(),
      control,
    });
    expect(stopped.status).toBe('stopped');
    expect(stopped.rows.length).toBe(1);
    res.hierarchy.dispose();
  }, 60_000);
});
