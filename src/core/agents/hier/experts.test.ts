/**
 * The hierarchy's experts: host-side acting matches the tf actor, a discrete task with a known
 * optimum is learned from shared (uniform-behaviour) data through the V-trace targets, the DIAYN
 * skill reward alone makes the experts distinguishable, checkpoints round-trip, tf.memory() flat.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { Rng } from '../../rng.ts';
import { mapdDiscrete } from '../../metrics/diversity.ts';
import { SharedReplay } from '../../hier/sharedReplay.ts';
import { sampleIndex } from '../../hier/routerEnv.ts';
import { HierExperts, type HierExpertsConfig } from './experts.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const base: HierExpertsConfig = {
  seed: 3,
  experts: 2,
  obsDim: 3,
  actions: 3,
  hidden: 32,
  learningRate: 3e-3,
  gamma: 0.9,
  tau: 0.05,
  miRewardWeight: 0,
  batchSize: 32,
  vtraceSteps: 4,
  clipRho: 1,
  clipC: 1,
};

/** Obs [x, 1, 0] with x = ±1; action 1 earns x, action 2 earns −x, action 0 nothing: best = 1 if x > 0 else 2. */
function banditReplay(n: number, seed: number): SharedReplay {
  const rb = new SharedReplay({ capacity: n, obsDim: 3, streams: 1 });
  const rng = new Rng(seed);
  for (let i = 0; i < n; i++) {
    const x = rng.float() < 0.5 ? 1 : -1;
    const a = rng.int(3);
    rb.add(0, {
      obs: [x, 1, 0],
      nextObs: [0, 0, 1],
      action: a,
      reward: a === 1 ? x : a === 2 ? -x : 0,
      terminated: true,
      truncated: false,
      expert: i % 2,
      logProb: Math.log(1 / 3),
    });
  }
  return rb;
}

describe('HierExperts', () => {
  it('host probabilities equal the tf actor’s softmax', () => {
    const ex = new HierExperts(base);
    const obs = Float32Array.of(0.3, -1.2, 2);
    const tfp = tf.tidy(() => ex.nets[1].categorical(tf.tensor2d(obs, [1, 3])).probs.dataSync());
    const host = ex.probs(1, obs, new Float64Array(3));
    for (let a = 0; a < 3; a++) expect(host[a]).toBeCloseTo(tfp[a], 5);
    ex.dispose();
  });

  it('learns a known optimum from uniform behaviour data (every expert), with tf.memory() flat', () => {
    const ex = new HierExperts(base);
    const rb = banditReplay(2000, 5);
    ex.update(rb);
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 300; i++) ex.update(rb);
    expect(tf.memory().numTensors).toBe(n0);
    ex.refreshHost();
    const p = new Float64Array(3);
    for (let k = 0; k < 2; k++) {
      expect(ex.probs(k, [1, 1, 0], p)[1]).toBeGreaterThan(0.6);
      expect(ex.probs(k, [-1, 1, 0], p)[2]).toBeGreaterThan(0.6);
    }
    const stats = ex.readStats();
    expect(stats['charts/vtrace_rho']).toBeGreaterThan(0);
    expect(stats['charts/vtrace_rho']).toBeLessThanOrEqual(1);
    ex.dispose();
  }, 120_000);

  /**
   * The skill reward alone (no market reward): K experts act on obsOf(k), their next states are
   * nextOf(a), 120 rounds of 8 days each and 4 updates; returns the experts' MAPD on obsOf(k) and
   * the discriminator's last accuracy.
   */
  function skillsOnly(
    config: Partial<HierExpertsConfig>,
    obsOf: (k: number) => number[],
    nextOf: (a: number) => number[],
  ): { mapd: number; accuracy: number } {
    const K = 3;
    const ex = new HierExperts({ ...base, experts: K, miRewardWeight: 1, seed: 11, ...config });
    const rb = new SharedReplay({ capacity: 3000, obsDim: 3, streams: K });
    const rng = new Rng(2);
    const p = new Float64Array(3);
    let accuracy = 0;
    for (let it = 0; it < 120; it++) {
      for (let k = 0; k < K; k++)
        for (let j = 0; j < 8; j++) {
          const obs = obsOf(k);
          const a = sampleIndex(ex.probs(k, obs, p), rng);
          rb.add(k, {
            obs,
            nextObs: nextOf(a),
            action: a,
            reward: 0,
            terminated: true,
            truncated: false,
            expert: k,
            logProb: Math.log(p[a]),
          });
        }
      for (let u = 0; u < 4; u++) ex.update(rb);
      ex.refreshHost();
      accuracy = ex.readStats()['charts/discriminator_accuracy'];
    }
    const probs = Array.from({ length: K }, (_, k) => Float64Array.from(ex.probs(k, obsOf(k), p)));
    ex.dispose();
    return { mapd: mapdDiscrete(probs, 3), accuracy };
  }

  it('the skill reward alone (no market reward) makes the experts act differently and the discriminator beat chance', () => {
    // s' = one-hot of the action taken: the discriminator can only tell experts apart by what they do.
    const r = skillsOnly(
      {},
      () => [0, 0, 0],
      (a) => [0, 1, 2].map((i) => (i === a ? 1 : 0)),
    );
    expect(r.mapd).toBeGreaterThan(0.4);
    expect(r.accuracy).toBeGreaterThan(0.6); // chance: 1/3
  }, 120_000);

  it("skillInput 'action': with s′ telling nothing and the book's value hidden, the experts still become distinguishable by their actions", () => {
    // s′ is constant, so DIAYN's q(k|s′) cannot work; the last obs value (the "position", which
    // differs per expert here) is zeroed for the discriminator, so only the action can tell.
    const r = skillsOnly(
      { skillInput: 'action', portfolioDims: 1 },
      (k) => [0, 1, k],
      () => [0, 0, 0],
    );
    expect(r.mapd).toBeGreaterThan(0.4);
    expect(r.accuracy).toBeGreaterThan(0.6); // chance: 1/3
  }, 120_000);

  it('a checkpoint restores every expert, the discriminator and β', async () => {
    const a = new HierExperts(base);
    const rb = banditReplay(200, 1);
    for (let i = 0; i < 5; i++) a.update(rb);
    a.miRewardWeight = 0.3;
    const ckpt = await a.save();
    const b = new HierExperts({ ...base, seed: 99 });
    await b.load(ckpt);
    a.refreshHost();
    const p = new Float64Array(3);
    const q = new Float64Array(3);
    for (let k = 0; k < 2; k++)
      expect(Array.from(b.probs(k, [1, 1, 0], q))).toEqual(Array.from(a.probs(k, [1, 1, 0], p)));
    expect(b.miRewardWeight).toBe(0.3);
    a.dispose();
    b.dispose();
  });
});
