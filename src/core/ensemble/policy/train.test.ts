import { describe, expect, it } from 'vitest';
import { DatasetBuilder } from '../../agents/offline/dataset.ts';
import { EnsembleError } from '../types.ts';
import { headRows, productionChecklist, trainEnsemblePolicy } from './train.ts';

const ok = {
  valAccuracy: 0.86,
  lossGap: 0.1,
  inferenceMs: 0.05,
  inferenceSamples: 200,
  reloadedValAccuracy: 0.86,
  metricsSaved: true,
  savedAt: '2026-12-05T00:00:00Z',
};

function tinyDataset(n: number) {
  const b = new DatasetBuilder({ obsDim: 34, actionDim: 1, discrete: true, strength: true, capacity: n });
  const obs = new Float32Array(34);
  for (let i = 0; i < n; i++) {
    obs[0] = i;
    b.push({
      obs,
      action: new Int32Array([i % 3]),
      reward: i,
      nextObs: obs,
      terminal: false,
      timeout: i === n - 1,
      strength: (i % 10) / 10,
    });
  }
  return b.finish({
    observationSpace: { kind: 'box', shape: [34], low: -Infinity, high: Infinity },
    actionSpace: { kind: 'discrete', n: 3 },
    source: 'test',
    seed: null,
    randomMix: 0,
  });
}

describe('ensemble policy: production checklist', () => {
  it('passes only when every decided item passes; the Sharpe item is pending with its reason', () => {
    const c = productionChecklist(ok);
    expect(c.pass).toBe(true);
    expect(c.pending).toEqual(['backtested']);
    expect(c.items.backtested.note).toMatch(/pending/);
    expect(c.items.model_validated).toMatchObject({ value: 0.86, threshold: 0.7, pass: true });
  });

  it.each([
    ['model_validated', { valAccuracy: 0.7, reloadedValAccuracy: 0.7 }],
    ['no_overfitting', { lossGap: 0.2 }],
    ['inference_speed', { inferenceMs: 10 }],
    ['model_versioned', { reloadedValAccuracy: 0.85 }],
    ['model_versioned', { metricsSaved: false }],
  ] as const)('%s fails at its threshold (%j)', (item, change) => {
    const c = productionChecklist({ ...ok, ...change });
    expect(c.items[item].pass).toBe(false);
    expect(c.pass).toBe(false);
  });
});

describe('ensemble policy: data', () => {
  it('headRows keeps the first rows of every column', () => {
    const ds = tinyDataset(10);
    const h = headRows(ds, 4);
    expect(h.size).toBe(4);
    expect(h.obs.length).toBe(4 * 34);
    expect(Array.from(h.actions)).toEqual([0, 1, 2, 0]);
    expect(Array.from(h.rewards)).toEqual([0, 1, 2, 3]);
    expect(h.strength!.length).toBe(4);
  });

  it('refuses split counts that do not add up, and a valid split without rows', async () => {
    const ds = tinyDataset(10);
    await expect(trainEnsemblePolicy(ds, { train: 5, valid: 3, test: 1 })).rejects.toThrow(
      /do not add up to the dataset's 10 rows/,
    );
    await expect(trainEnsemblePolicy(ds, { train: 10, valid: 0, test: 0 })).rejects.toThrow(EnsembleError);
  });
});
