/**
 * L3/L4's learner:
 * - the tfjs forward passes equal the plain-TS ones the agent acts with (L3 μ, L4 logits and
 *   attention over padded threads, the centralised critic, one value per half-step);
 * - supervised residuals beat the zero residual on held-out answers; tf.memory() stays flat;
 * - MAPPO: tf.memory() flat across iterations; resuming from a checkpoint (weights, Adam states,
 *   Rng, pool snapshots) gives the same weights and metrics as the uninterrupted run;
 * - a bandit with a known optimum: reward −|Δq − 0.5| per thread drives L3's mean Δq to 0.5.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { heuristicGoal } from '../scml/hrl/agent.ts';
import {
  criticValue,
  GLOBAL_FEATURES,
  initMicroParams,
  L3_FEATURES,
  l3Mean,
  l4Logits,
  MicroController,
  type MicroParams,
  type MicroStep,
} from '../scml/hrl/l3.ts';
import { collectL3Dataset } from '../scml/hrl/l3data.ts';
import { fromFiles, toFiles } from './checkpoint.ts';
import { criticTf, l3MeanTf, l4Tf, MicroNet, MicroTrainer, trainL3Bc } from './scmlL3.ts';

function noisy(seed: number): MicroParams {
  const p = initMicroParams(seed);
  const r = new Rng(seed).fork('noise');
  for (const a of Object.values(p)) for (let i = 0; i < a.length; i++) a[i] += r.normal(0, 0.3);
  return p;
}

describe('L3/L4 learner', () => {
  it('tfjs forward passes equal the plain-TS ones', () => {
    const p = noisy(2);
    const net = new MicroNet(p);
    const rng = new Rng(7);
    const ns = [3, 1, 5];
    const M = 5;
    const B = ns.length;
    const x = new Float32Array(B * M * L3_FEATURES);
    const mask = new Float32Array(B * M);
    const g = Float32Array.from({ length: B * GLOBAL_FEATURES }, () => rng.normal());
    ns.forEach((n, b) => {
      for (let k = 0; k < n; k++) {
        mask[b * M + k] = 1;
        for (let f = 0; f < L3_FEATURES; f++) x[(b * M + k) * L3_FEATURES + f] = rng.normal();
      }
    });
    const before = tf.memory().numTensors;
    const { z, attn, v, mu } = tf.tidy(() => {
      const xt = tf.tensor3d(x, [B, M, L3_FEATURES]);
      const mt = tf.tensor2d(mask, [B, M]);
      const r = l4Tf(net, xt, mt);
      const x3 = tf.concat([tf.reshape(xt, [B * M, L3_FEATURES]), tf.ones([B * M, 1])], 1) as tf.Tensor2D;
      expect(criticTf(net, xt, mt, tf.tensor2d(g, [B, GLOBAL_FEATURES])).shape).toEqual([B]);
      return {
        z: r.z.arraySync(),
        attn: r.attn.arraySync(),
        v: criticTf(net, xt, mt, tf.tensor2d(g, [B, GLOBAL_FEATURES])).arraySync(),
        mu: l3MeanTf(net, x3).arraySync(),
      };
    });
    expect(tf.memory().numTensors).toBe(before);
    ns.forEach((n, b) => {
      const xb = x.subarray(b * M * L3_FEATURES, (b * M + n) * L3_FEATURES);
      const at = new Float32Array(n * n);
      const zt = l4Logits(p, xb, n, at);
      for (let k = 0; k < n; k++) {
        expect(z[b][k]).toBeCloseTo(zt[k], 4);
        for (let j = 0; j < n; j++) expect(attn[b][k][j]).toBeCloseTo(at[k * n + j], 5);
        // Padded threads get no attention.
        for (let j = n; j < M; j++) expect(attn[b][k][j]).toBe(0);
      }
      expect(v[b]).toBeCloseTo(
        criticValue(p, xb, n, g.subarray(b * GLOBAL_FEATURES, (b + 1) * GLOBAL_FEATURES)),
        4,
      );
      const x3 = new Float32Array(n * (L3_FEATURES + 1));
      for (let k = 0; k < n; k++) {
        x3.set(xb.subarray(k * L3_FEATURES, (k + 1) * L3_FEATURES), k * (L3_FEATURES + 1));
        x3[k * (L3_FEATURES + 1) + L3_FEATURES] = 1;
      }
      const mt = l3Mean(p, x3, n);
      for (let k = 0; k < n; k++)
        for (let d = 0; d < 3; d++) expect(mu[b * M + k][d]).toBeCloseTo(mt[k * 3 + d], 4);
    });
    net.dispose();
  });

  it('supervised residuals beat the zero residual held out', () => {
    const ds = collectL3Dataset({
      agents: ['penguin', 'greedy', 'syncrandom'],
      expert: 'penguin',
      configs: 1,
      seed: 3,
      nSteps: 30,
    });
    const net = new MicroNet(initMicroParams(1));
    const before = tf.memory().numTensors;
    const r = trainL3Bc(net, ds, { epochs: 4, valFraction: 0.2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.valLoss).toBeLessThan(0.8 * r.valLossZero);
    net.dispose();
  }, 60_000);

  it('MAPPO: memory flat; resume equals the uninterrupted run', async () => {
    const cfg = { seed: 5, worldsPerIter: 1, nSteps: 10, snapshotEvery: 1, epochs: 2 };
    const a = new MicroTrainer(initMicroParams(9), cfg);
    a.iterate(heuristicGoal);
    const mem = tf.memory().numTensors;
    const s2 = a.iterate(heuristicGoal);
    expect(tf.memory().numTensors).toBe(mem);
    const s3 = a.iterate(heuristicGoal);
    expect(Number.isFinite(s3.values['losses/value'])).toBe(true);

    const b = new MicroTrainer(initMicroParams(9), cfg);
    b.iterate(heuristicGoal);
    const files = toFiles(await b.save());
    b.dispose();
    const c = await MicroTrainer.load(fromFiles(files.json, files.weights));
    expect(c.iteration).toBe(1);
    expect(c.snapshots.length).toBe(1);
    // Everything but the timings.
    const det = (s: typeof s2) => ({
      ...s,
      values: Object.entries(s.values).filter(([k]) => !k.startsWith('perf/')),
    });
    expect(det(c.iterate(heuristicGoal))).toEqual(det(s2));
    expect(det(c.iterate(heuristicGoal))).toEqual(det(s3));
    const pa = a.net.toParams();
    const pc = c.net.toParams();
    for (const k of Object.keys(pa)) expect(Array.from(pc[k]), k).toEqual(Array.from(pa[k]));
    a.dispose();
    c.dispose();
  }, 60_000);

  it('learns a known optimum: Δq → 0.5 when the reward is −|Δq − 0.5|', () => {
    const t = new MicroTrainer(initMicroParams(3), {
      seed: 3,
      epochs: 4,
      minibatches: 4,
      lr: { l3: 3e-3, l4: 5e-4, critic: 3e-3 },
    });
    const ctl = new MicroController(t.net.toParams());
    ctl.rng = new Rng(11);
    const tokens = Float32Array.from({ length: 4 * L3_FEATURES }, (_, i) => (i % 5) / 5);
    const glob = new Float32Array(GLOBAL_FEATURES);
    const out = new Float32Array(12);
    const meanDq = () => {
      const c = new MicroController(t.net.toParams());
      c.decide(tokens, 4, glob, out);
      return (out[0] + out[3] + out[6] + out[9]) / 4 / 0.5;
    };
    const start = meanDq();
    for (let it = 0; it < 40; it++) {
      ctl.params = t.net.toParams();
      ctl.steps = [];
      for (let s = 0; s < 128; s++) {
        ctl.decide(tokens, 4, glob, out);
        const st = ctl.steps[ctl.steps.length - 1] as MicroStep;
        let r = 0;
        for (let k = 0; k < 4; k++)
          r -= Math.abs(Math.max(-1, Math.min(1, st.a3[k * 3])) * st.alpha[k] - 0.5);
        st.reward = r;
        st.done = true;
      }
      t.update(ctl.steps);
    }
    const end = meanDq();
    expect(Math.abs(start)).toBeLessThan(0.1);
    expect(Math.abs(end - 0.5)).toBeLessThan(0.15);
    t.dispose();
  }, 60_000);
});
