/**
 * The catalogue (metricKeys.ts) against what learners really emit: a short run of every registered
 * algorithm through runTraining, every emitted key looked up. Fails when a learner emits a key the
 * catalogue lacks (or lists for other algorithms), or stops emitting one the catalogue promises.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../agents/backend.ts';
import { trainOffline } from '../agents/common/testing.ts';
import { collectDataset } from '../agents/offline/collect.ts';
import { provideBaseline } from '../agents/offline/source.ts';
import { CartPoleEnv } from '../envs/cartpole.ts';
import { ContextualBanditEnv } from '../envs/bandit.ts';
import { algorithmNames } from './algorithms.ts';
import { ALL_ALGOS, CHART_GROUPS, METRIC_KEYS, chartOf, metricInfo, type AlgoName } from './metricKeys.ts';
import type { MetricRow } from './metrics.ts';
import { runTraining } from './trainer.ts';

const bandit = new ContextualBanditEnv({ numContexts: 4, numActions: 3 });
const box = new ContextualBanditEnv({ mode: 'box', numContexts: 4, numHeads: 2 });

/** A short run of each algorithm, every row kept. */
const runs: Record<AlgoName, () => Promise<MetricRow[]>> = {
  a2c: () => onPolicy('a2c', { totalSteps: 200, numEnvs: 2, numSteps: 5 }),
  ppo: () =>
    onPolicy('ppo', { totalSteps: 64, numEnvs: 2, numSteps: 16, numMinibatches: 2, updateEpochs: 1 }),
  sac: () =>
    onPolicy('sac', {
      totalSteps: 120,
      learningStarts: 40,
      logInterval: 40,
      hidden: [16, 16],
      batchSize: 16,
    }),
  diayn: () =>
    onPolicy('diayn', {
      totalSteps: 120,
      learningStarts: 40,
      logInterval: 40,
      hidden: [16, 16],
      discriminatorHidden: [16],
      batchSize: 16,
      numSkills: 3,
    }),
  bc: () =>
    offline('bc', collectDataset(bandit, () => 1, { steps: 200, randomMix: 0.5, seed: 1 }).dataset, {
      epochs: 2,
    }),
  iql: () =>
    offline('iql', collectDataset(bandit, () => 1, { steps: 200, randomMix: 0.5, seed: 1 }).dataset, {
      totalSteps: 20,
      logInterval: 10,
    }),
  'iql-residual': () => {
    const baseline = () => Float32Array.from([0.3, -0.3]);
    provideBaseline('metric-keys', baseline);
    const ds = collectDataset(box, () => Float32Array.from([0.2, -0.4]), {
      steps: 200,
      seed: 1,
      baseline,
    }).dataset;
    return offline('iql-residual', ds, { totalSteps: 20, logInterval: 10, baseline: 'metric-keys' });
  },
};

async function onPolicy(algo: string, config: Record<string, unknown>): Promise<MetricRow[]> {
  const res = await runTraining({
    algo,
    config,
    makeEnv: () => new CartPoleEnv(),
    makeEvalEnv: () => new CartPoleEnv(),
    evalEpisodes: 1,
    keepRows: true,
  });
  res.learner?.dispose();
  expect(res.status, res.error).toBe('completed');
  return res.rows!;
}

async function offline(
  algo: string,
  ds: Parameters<typeof trainOffline>[1],
  config: Record<string, unknown>,
): Promise<MetricRow[]> {
  const res = await trainOffline(algo, ds, { hidden: [16, 16], batchSize: 32, ...config });
  res.learner?.dispose();
  expect(res.status, res.error).toBe('completed');
  return res.rows;
}

beforeAll(async () => {
  expect((await initBackend('cpu')).backend).toBe('cpu');
});

describe('metric key catalogue', () => {
  it('covers every registered algorithm, once per key, with known chart groups', () => {
    expect([...algorithmNames()].sort()).toEqual([...ALL_ALGOS].sort());
    const keys = METRIC_KEYS.map((m) => m.key);
    expect(new Set(keys).size).toBe(keys.length);
    const groups = CHART_GROUPS.map((g) => g.id as string);
    for (const m of METRIC_KEYS) if (m.chart !== null) expect(groups, m.key).toContain(m.chart);
    expect(metricInfo('eval/val_recall_c2')?.key).toBe('eval/val_recall_c*');
    expect(metricInfo('perf/env_ms')?.key).toBe('perf/*_ms');
    expect(metricInfo('losses/value_loss')).toBeUndefined();
    expect(chartOf('losses/q_values')).toBe('q-values');
  });

  for (const algo of ALL_ALGOS) {
    it(`${algo}: emits only catalogued keys, and every key the catalogue promises for it`, async () => {
      const emitted = new Set((await runs[algo]()).flatMap((r) => Object.keys(r.values)));
      const unlisted = [...emitted].filter((k) => !metricInfo(k)?.algos.includes(algo));
      expect(unlisted, 'keys missing from metricKeys.ts (or not listed for this algorithm)').toEqual([]);
      const promised = METRIC_KEYS.filter((m) => m.algos.includes(algo) && !m.when);
      const absent = promised.filter((m) => ![...emitted].some((k) => metricInfo(k) === m)).map((m) => m.key);
      expect(absent, 'catalogued for this algorithm but never emitted').toEqual([]);
    }, 60_000);
  }
});
