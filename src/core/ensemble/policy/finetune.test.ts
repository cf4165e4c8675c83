/**
 * PPO fine-tuning from the BC checkpoint: the warm start loads BC's weights exactly (its first
 * greedy evaluation is BC's, decision by decision and in return), PPO from scratch does not, the
 * hybrid policy's log-probabilities agree between acting and learning, and training runs.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../agents/backend.ts';
import type { BcLearner } from '../../agents/bc.ts';
import { HybridPolicy, makeHybridNet, warmStartFromBc } from '../../agents/common/hybridPolicy.ts';
import { splitSpecOf } from '../../experiment/config.ts';
import { Rng } from '../../rng.ts';
import { policyBacktest } from '../env.ts';
import { analyseEnsemble, backtestEnsemble, buildEnsembleDataset, toOfflineDataset } from '../index.ts';
import { randomPanel } from '../testing.ts';
import {
  bcDecision,
  evaluateAgent,
  makeFinetuneAgent,
  trainFinetune,
  type FinetuneSetup,
} from './finetune.ts';
import { trainEnsemblePolicy } from './train.ts';

const panel = randomPanel(420, 1, 5);
const analysis = analyseEnsemble(
  panel,
  splitSpecOf({ fractions: { train: 0.6, valid: 0.2 } }, panel.dates),
  null,
);
let bc: BcLearner;
let setup: FinetuneSetup;

beforeAll(async () => {
  await initBackend('wasm');
  const runs = backtestEnsemble(analysis);
  const ds = buildEnsembleDataset(analysis, runs);
  const count = (s: string) => ds.split.filter((x) => x === s).length;
  const trained = await trainEnsemblePolicy(
    toOfflineDataset(ds, 'test'),
    { train: count('train'), valid: count('valid'), test: count('test') },
    { epochs: 6, patience: 0 },
  );
  bc = trained.learner;
  setup = { analysis, range: analysis.splitRows.train, normalizer: bc.obsNormalizer, bc };
}, 60_000);

describe('PPO fine-tuned from BC', () => {
  it('before any update its greedy evaluation is BC’s: the same decisions and return, on every split; PPO from scratch differs', async () => {
    const warm = makeFinetuneAgent(setup, { totalSteps: 1024, numEnvs: 2, numSteps: 128 });
    const cold = makeFinetuneAgent({ ...setup, bc: null }, { totalSteps: 1024, numEnvs: 2, numSteps: 128 });
    try {
      for (const split of ['train', 'valid', 'test'] as const) {
        const range = analysis.splitRows[split];
        const ref = await policyBacktest(analysis, range, bcDecision(bc));
        const got = await evaluateAgent(setup, warm, range);
        // BC is not a constant policy here, so matching it decision by decision is not luck.
        expect(new Set(ref.action).size).toBeGreaterThan(1);
        expect(Array.from(got.action)).toEqual(Array.from(ref.action));
        for (let k = 0; k < ref.strength.length; k++)
          expect(Math.abs(got.strength[k] - ref.strength[k])).toBeLessThan(1e-5);
        expect(got.logReturn).toBeCloseTo(ref.logReturn, 5);
        const scratch = await evaluateAgent(setup, cold, range);
        const same = scratch.action.filter((a, k) => a === ref.action[k]).length;
        expect(same).toBeLessThan(ref.action.length);
      }
    } finally {
      warm.dispose();
      cold.dispose();
    }
  }, 60_000);

  it('the warm start refuses an actor of another shape instead of loading nothing', () => {
    const net = makeHybridNet({ obsSize: 34, hidden: [64, 64], activation: 'relu', logStdInit: 0, seed: 1 });
    try {
      expect(() => warmStartFromBc(net, bc.net.mlp.getWeights())).toThrow(/shape/);
      expect(() => warmStartFromBc(net, bc.net.mlp.getWeights().slice(0, 4))).toThrow(/weight tensors/);
    } finally {
      net.dispose();
    }
  });

  it('hybrid policy: the log-probability of a sampled (action, strength logit) is the one the update recomputes', async () => {
    const net = makeHybridNet({
      obsSize: 34,
      hidden: [128, 128],
      activation: 'relu',
      logStdInit: -0.5,
      seed: 2,
    });
    warmStartFromBc(net, bc.net.mlp.getWeights());
    const policy = new HybridPolicy(net);
    try {
      const rows = 64;
      const rng = new Rng(9);
      const obs = Float32Array.from({ length: rows * 34 }, () => rng.normal());
      const out = {
        actions: new Float32Array(rows * 2),
        logprobs: new Float32Array(rows),
        values: new Float32Array(rows),
      };
      await policy.act(obs, rows, null, rng, false, out);
      const actions = Array.from({ length: rows }, (_, r) => out.actions[r * 2]);
      expect(new Set(actions).size).toBeGreaterThan(1);
      const { logProb, entropy, value } = policy.evaluateActions(
        tf.tensor2d(obs, [rows, 34]),
        tf.tensor2d(out.actions, [rows, 2]),
      );
      const lp = await logProb.data();
      const v = await value.data();
      for (let r = 0; r < rows; r++) {
        expect(lp[r]).toBeCloseTo(out.logprobs[r], 4);
        expect(v[r]).toBeCloseTo(out.values[r], 4);
      }
      expect((await entropy.data()).every((h) => Number.isFinite(h))).toBe(true);
      tf.dispose([logProb, entropy, value]);
      // HOLD ignores the strength: the env gets [action, sigmoid(u)].
      const env = policy.envActions(Float32Array.of(0, 0, 1, 2), new Float32Array(4));
      expect(Array.from(env)).toEqual([0, 0.5, 1, Math.fround(1 / (1 + Math.exp(-2)))]);
    } finally {
      policy.dispose();
    }
  });

  it('trains without leaking tensors: iterations report the PPO losses and episodic returns, and stop when asked', async () => {
    const agent = makeFinetuneAgent(setup, {
      totalSteps: 2048,
      numEnvs: 4,
      numSteps: 128,
      episodeLength: 64,
    });
    try {
      await agent.iterate(); // burn-in: optimizer slots
      const before = tf.memory().numTensors;
      const run = await trainFinetune(agent);
      expect(tf.memory().numTensors).toBe(before); // no tensor leaks per update
      expect(run.status).toBe('completed');
      expect(run.rows.length).toBe(3);
      for (const r of run.rows) {
        expect(Number.isFinite(r.values['losses/policy'])).toBe(true);
        expect(Number.isFinite(r.values['losses/value'])).toBe(true);
      }
      expect(run.rows.some((r) => Number.isFinite(r.values['charts/episodic_return']))).toBe(true);
    } finally {
      agent.dispose();
    }
    const stopped = makeFinetuneAgent(setup, { totalSteps: 2048, numEnvs: 4, numSteps: 128 });
    try {
      const run = await trainFinetune(stopped, { shouldStop: () => stopped.iteration >= 1 });
      expect(run.status).toBe('stopped');
      expect(run.rows.length).toBe(1);
    } finally {
      stopped.dispose();
    }
  }, 60_000);
});
