/** A PBT member: trains, scores on the validation split, copies another member exactly, exposes live hyperparameters. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../agents/backend.ts';
import { generateSynthetic } from '../data/synthetic.ts';
import { unflatten } from '../experiment/vocabulary.ts';
import { getWorkflow } from '../workflows/registry.ts';
import { createHierMember, HIER_PBT_HYPERPARAMETERS } from './member.ts';

const start = unflatten(getWorkflow('hierarchical').start) as { data: { config: Record<string, unknown> } };
const data = { kind: 'synthetic', config: { ...start.data.config, days: 500 } };
const config = {
  ...start,
  data,
  workflow: 'hierarchical',
  hierarchical: {
    numEnvs: 2,
    routerEvery: 2,
    expertEvery: 1,
    episodeLength: 40,
    batchSize: 16,
    lookback: 20,
  },
};
const panel = generateSynthetic(data.config).panel;

beforeAll(async () => {
  await initBackend('wasm');
});

describe('createHierMember', () => {
  it('train → score → snapshot; another member restored from it scores the same; tf.memory() flat', async () => {
    const n0 = tf.memory().numTensors;
    const a = createHierMember(panel, config, 1);
    const b = createHierMember(panel, config, 2);
    await a.train(80);
    await b.train(40);
    const sa = await a.score();
    expect(Number.isFinite(sa)).toBe(true);
    a.setHyperparameters({ 'hierarchical.klLambda': 0.37 });
    await b.restore(await a.snapshot());
    expect(await b.score()).toBe(sa);
    expect(b.hyperparameters()['hierarchical.klLambda']).toBe(0.37);
    // Training goes on after a restore.
    await b.train(40);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(n0);
  }, 60_000);

  it('hyperparameters: the searched paths with the workflow defaults; unknown ones are refused by name', () => {
    const m = createHierMember(panel, config, 1);
    expect(Object.keys(m.hyperparameters())).toEqual([...HIER_PBT_HYPERPARAMETERS]);
    expect(m.hyperparameters()['hierarchical.miRewardWeight']).toBe(0.5);
    m.setHyperparameters({ 'hierarchical.miRewardWeight': 0.8 });
    expect(m.hyperparameters()['hierarchical.miRewardWeight']).toBe(0.8);
    m.dispose();
  });
});
