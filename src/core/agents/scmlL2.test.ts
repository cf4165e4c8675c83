/**
 * L2 behaviour cloning on goals recovered from a small in-process tournament: the clone beats
 * predicting the mean goal on held-out worlds, its goals stay inside the bounds, and the saved
 * weights restore the same policy.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { generateConfig, nAgentsOf } from '../scml/config.ts';
import { GOAL_HIGH, GOAL_SIZE } from '../scml/hrl/agent.ts';
import { collectL2Dataset } from '../scml/hrl/goals.ts';
import { World } from '../scml/world.ts';
import { makeAgent } from '../scml/agents/index.ts';
import { bcGoalPolicy, exportMlp, importMlp, trainL2Bc } from './scmlL2.ts';

describe('L2 behaviour cloning', () => {
  it('beats the mean goal on held-out worlds; saved weights restore the policy', () => {
    const ds = collectL2Dataset({
      agents: ['penguin', 'greedy', 'syncrandom'],
      expert: 'penguin',
      configs: 2,
      seed: 9,
      nSteps: 40,
    });
    const before = tf.memory().numTensors;
    const bc = trainL2Bc(ds, { epochs: 20, batchSize: 128, valFraction: 0.25, seed: 3 });
    expect(bc.valLoss).toBeLessThan(0.8 * bc.valLossMean);
    const copy = importMlp(JSON.parse(JSON.stringify(exportMlp(bc.mlp))) as ReturnType<typeof exportMlp>);
    const cfg = generateConfig(1, { nSteps: 10 });
    const w = new World(
      cfg,
      Array.from({ length: nAgentsOf(cfg) }, () => makeAgent('penguin')),
    );
    const g1 = new Float32Array(GOAL_SIZE);
    const g2 = new Float32Array(GOAL_SIZE);
    for (let i = 0; i < 20; i++) {
      const f = ds.x.subarray(i * 16, i * 16 + 16);
      bcGoalPolicy(bc.mlp)(f, w, 0, g1);
      bcGoalPolicy(copy)(f, w, 0, g2);
      expect(Array.from(g2)).toEqual(Array.from(g1));
      for (let j = 0; j < GOAL_SIZE; j++) {
        expect(g1[j]).toBeGreaterThanOrEqual(0);
        expect(g1[j]).toBeLessThanOrEqual(GOAL_HIGH[j]);
      }
    }
    bc.mlp.dispose();
    copy.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});
