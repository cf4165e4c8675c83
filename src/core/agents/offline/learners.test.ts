import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { ContextualBanditEnv, type BanditConfig } from '../../envs/bandit.ts';
import { getAlgorithm } from '../../run/algorithms.ts';
import { runTraining, type TrainingStatus } from '../../run/trainer.ts';
import type { MetricRow } from '../../run/metrics.ts';
import { provideDatasetFile } from './learners.ts';
import { collectDataset } from './collect.ts';
import { encodeDatasetBinary } from './binary.ts';
import { datasetToCsv } from './csv.ts';

const banditCfg: Partial<BanditConfig> = { numContexts: 4, numActions: 3, episodeLength: 1, noiseStd: 0.1 };

beforeAll(async () => {
  expect((await initBackend('cpu')).backend).toBe('cpu');
});

describe('bc and iql in the run loop', () => {
  it('are registered with JSON defaults that include the step budget and the data source', async () => {
    for (const algo of ['bc', 'iql', 'iql-residual']) {
      const d = await getAlgorithm(algo).defaults();
      expect(d).toHaveProperty('totalSteps');
      expect(d).toHaveProperty('seed');
      expect(d.dataset).toMatchObject({ file: null, behaviour: 'random' });
      expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    }
    await expect(
      getAlgorithm('iql').create({
        config: { learningRate: 1 },
        makeEnv: () => new ContextualBanditEnv(banditCfg),
      }),
    ).rejects.toThrow(/unknown iql config key 'learningRate'/);
  });

  it('iql: collects a random-behaviour dataset in the env (reporting progress), trains, evaluates', async () => {
    const rows: MetricRow[] = [];
    const statuses: TrainingStatus[] = [];
    const res = await runTraining({
      algo: 'iql',
      config: {
        seed: 1,
        totalSteps: 800,
        hidden: [32, 32],
        batchSize: 64,
        logInterval: 200,
        dataset: { steps: 2000 },
      },
      makeEnv: () => new ContextualBanditEnv(banditCfg),
      makeEvalEnv: () => new ContextualBanditEnv({ ...banditCfg, noiseStd: 0 }),
      evalEpisodes: 100,
      keepRows: true,
      callbacks: { onMetrics: (b) => rows.push(...b), onStatus: (s) => statuses.push(s) },
    });
    try {
      expect(res.error).toBeUndefined();
      expect(res.status).toBe('completed');
      expect(res.globalStep).toBe(800);
      expect(res.iterations).toBe(4);
      // Collection progress comes first, every 500 transitions, then training starts at step 0.
      const collecting = statuses.filter((s) => s.state === 'collecting');
      expect(collecting.map((s) => s.step)).toEqual([500, 1000, 1500, 2000]);
      expect(collecting.every((s) => s.totalSteps === 2000)).toBe(true);
      expect(statuses[collecting.length]).toMatchObject({ state: 'running', step: 0, totalSteps: 800 });
      const env = new ContextualBanditEnv(banditCfg);
      expect(res.finalEval!.meanReturn).toBeGreaterThan(env.randomMeanReward + 0.1);
      expect(rows.some((r) => 'losses/q' in r.values && 'losses/value' in r.values)).toBe(true);
      expect(
        rows.find((r) => 'charts/behaviour_return' in r.values)!.values['charts/behaviour_return'],
      ).toBeCloseTo(env.randomMeanReward, 1);
      const ckpt = await res.learner!.saveCheckpoint({ reason: 'test' });
      expect(ckpt.modelTopology.meta.algo).toBe('iql');
    } finally {
      res.learner?.dispose();
    }
  }, 120_000);

  it('bc: trains on a provided dataset file (binary or CSV) and reports validation metrics', async () => {
    const env = new ContextualBanditEnv(banditCfg);
    const best = (obs: Float32Array) => {
      const c = obs.indexOf(1);
      let b = 0;
      for (let a = 1; a < 3; a++) if (env.mean(c, 0, a) > env.mean(c, 0, b)) b = a;
      return b;
    };
    const { dataset } = collectDataset(env, best, { steps: 1000, seed: 2 });
    provideDatasetFile('rule.bin', encodeDatasetBinary(dataset));
    provideDatasetFile('rule.csv', datasetToCsv(dataset));
    for (const file of ['rule.bin', 'rule.csv']) {
      const rows: MetricRow[] = [];
      const res = await runTraining({
        algo: 'bc',
        config: { seed: 3, epochs: 3, hidden: [32, 32], dataset: { file } },
        makeEnv: () => new ContextualBanditEnv(banditCfg),
        makeEvalEnv: () => new ContextualBanditEnv({ ...banditCfg, noiseStd: 0 }),
        evalEpisodes: 50,
        keepRows: true,
        callbacks: { onMetrics: (b) => rows.push(...b) },
      });
      try {
        expect(res.status, res.error).toBe('completed');
        expect(res.iterations).toBe(3);
        expect(rows.filter((r) => 'eval/val_accuracy' in r.values)).toHaveLength(3);
        expect(rows.findLast((r) => 'eval/val_accuracy' in r.values)!.values['eval/val_accuracy']).toBe(1);
        expect(res.finalEval!.meanReturn).toBeCloseTo(env.optimalMeanReward, 1);
      } finally {
        res.learner?.dispose();
      }
    }
    const missing = await runTraining({
      algo: 'bc',
      config: { dataset: { file: 'nope.csv' } },
      makeEnv: () => new ContextualBanditEnv(banditCfg),
    });
    expect(missing.status).toBe('failed');
    expect(missing.error).toMatch(/dataset 'nope\.csv' was not provided/);
  }, 120_000);
});
