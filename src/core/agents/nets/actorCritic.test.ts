import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MarketObsLayout } from '../../features/types.ts';
import { initBackend } from '../backend.ts';
import { makeActorCritic, type ActorCriticConfig } from './actorCritic.ts';

const layout: MarketObsLayout = { window: 6, nAssets: 4, nFeatures: 3, perAssetExtras: 1, globalExtras: 1 };
const obsSize = 6 * 4 * 3 + 4 + 1;
const market = { obsSpace: { shape: [obsSize] }, layout, dModel: 8, seed: 3 };

describe('makeActorCritic', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('CartPole-like: separate MLP actor and critic (CleanRL), categorical logits and value [B]', () => {
    const ac = makeActorCritic({
      obsSpace: { shape: [4] },
      actionSpace: { kind: 'discrete', n: 2 },
      seed: 1,
    });
    expect(ac.policyKind).toBe('categorical');
    // CleanRL ppo.py Agent: 2×(4·64+64 + 64·64+64) + 64·2+2 + 64·1+1
    expect(ac.paramCount).toBe(2 * (4 * 64 + 64 + 64 * 64 + 64) + 64 * 2 + 2 + 64 + 1);
    const out = tf.tidy(() => ac.forward(tf.ones([5, 4]) as tf.Tensor2D));
    expect(out.logits!.shape).toEqual([5, 2]);
    expect(out.value.shape).toEqual([5]);
    // Policy head gain 0.01 → near-uniform initial policy.
    expect(Math.max(...Array.from(out.logits!.dataSync()).map(Math.abs))).toBeLessThan(0.1);
    tf.dispose([out.logits!, out.value]);
    expect(ac.summary()).toMatch(/ActorCritic\(mlp, categorical, obs 4, action 2\): 9,155 params/);
    ac.dispose();
  });

  it('QTMRL: TimeCNN with a factorized N×3 actor; each asset head sees only its own z_i after the cross-asset layer', () => {
    const ac = makeActorCritic({
      ...market,
      encoder: 'timecnn',
      actionSpace: { kind: 'multi-discrete', nvec: [3, 3, 3, 3] },
      crossAsset: 'none',
    });
    expect(ac.factorized).toBe(true);
    const obs = tf.randomNormal([2, obsSize], 0, 1, 'float32', 1) as tf.Tensor2D;
    const out = tf.tidy(() => ac.forward(obs));
    expect(out.logits!.shape).toEqual([2, 12]);
    // Changing asset 3's position weight only changes asset 3's logits when there is no cross-asset mixing.
    const bumped = tf.tidy(
      () => tf.add(obs, tf.oneHot([obsSize - 2, obsSize - 2], obsSize).mul(5)) as tf.Tensor2D,
    );
    const out2 = tf.tidy(() => ac.forward(bumped));
    const d = tf.tidy(() => tf.abs(tf.sub(out.logits!, out2.logits!)).max(0)).dataSync();
    for (let i = 0; i < 9; i++) expect(d[i]).toBe(0);
    expect(Math.max(d[9], d[10], d[11])).toBeGreaterThan(0);
    tf.dispose([obs, bumped, out.logits!, out.value, out2.logits!, out2.value]);
    ac.dispose();
  });

  it('PortfolioEnv weights: factorized Gaussian with a cash dim, parameter log-std', () => {
    const ac = makeActorCritic({
      ...market,
      encoder: 'transformer',
      nHeads: 2,
      actionSpace: { kind: 'box', shape: [5], low: 0, high: 1 },
      squash: 'softmax',
    });
    expect(ac.policyKind).toBe('gaussian');
    expect(ac.squash).toBe('softmax');
    const out = tf.tidy(() => ac.forward(tf.zeros([3, obsSize]) as tf.Tensor2D));
    expect(out.mean!.shape).toEqual([3, 5]);
    expect(out.logStd!.shape).toEqual([3, 5]);
    expect(Array.from(out.logStd!.dataSync()).every((v) => v === 0)).toBe(true);
    tf.dispose([out.mean!, out.logStd!, out.value]);
    ac.dispose();
  });

  it('state-dependent log-std is bounded to [-5, 2]; generic Box head on an MLP', () => {
    const ac = makeActorCritic({
      obsSpace: { shape: [3] },
      actionSpace: { kind: 'box', shape: [2], low: -1, high: 1 },
      logStdMode: 'state',
      actorGain: 100,
      seed: 2,
    });
    const out = tf.tidy(() => ac.forward(tf.tensor2d([[100, -100, 50]])));
    const ls = Array.from(out.logStd!.dataSync());
    expect(ls.every((v) => v >= -5 && v <= 2)).toBe(true);
    tf.dispose([out.mean!, out.logStd!, out.value]);
    ac.dispose();
  });

  it('actor and critic variables: shared encoder appears in both; all variables get gradients', () => {
    const ac = makeActorCritic({
      ...market,
      encoder: 'timecnn',
      actionSpace: { kind: 'multi-discrete', nvec: [3, 3, 3, 3] },
    });
    const shared = ac.actorVariables().filter((v) => ac.criticVariables().includes(v));
    expect(shared.length).toBeGreaterThan(0);
    expect(new Set([...ac.actorVariables(), ...ac.criticVariables()]).size).toBe(ac.variables().length);
    const obs = tf.randomNormal([4, obsSize], 0, 1, 'float32', 2) as tf.Tensor2D;
    const norms = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const o = ac.forward(obs);
        return tf.add(tf.sum(tf.square(o.value)), tf.sum(tf.sin(o.logits!))) as tf.Scalar;
      }, ac.variables());
      value.dispose();
      return Object.values(grads).map((g) => tf.sum(tf.abs(g)));
    });
    expect(norms.length).toBe(ac.variables().length);
    norms.forEach((n) => expect(n.dataSync()[0]).toBeGreaterThan(0));
    tf.dispose([obs, ...norms]);
    ac.dispose();
  });

  it('memory flat across forward + Adam updates', () => {
    const ac = makeActorCritic({
      ...market,
      encoder: 'timecnn',
      actionSpace: { kind: 'multi-discrete', nvec: [3, 3, 3, 3] },
    });
    const opt: tf.Optimizer = tf.train.adam(1e-3);
    const obs = tf.randomNormal([4, obsSize], 0, 1, 'float32', 2) as tf.Tensor2D;
    const update = () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const o = ac.forward(obs);
          return tf.add(tf.mean(tf.square(o.value)), tf.mean(o.logits!)) as tf.Scalar;
        }, ac.variables());
        opt.applyGradients(grads);
        value.dispose();
      });
    update();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) update();
    expect(tf.memory().numTensors).toBe(before);
    obs.dispose();
    ac.dispose();
    opt.dispose();
  });

  it('building and disposing any network leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    const configs: ActorCriticConfig[] = [
      { obsSpace: { shape: [4] }, actionSpace: { kind: 'discrete', n: 2 }, seed: 1 },
      { ...market, encoder: 'timecnn', actionSpace: { kind: 'multi-discrete', nvec: [3, 3, 3, 3] } },
      {
        ...market,
        encoder: 'transformer',
        nHeads: 2,
        actionSpace: { kind: 'box', shape: [5] },
        squash: 'softmax',
      },
      {
        ...market,
        encoder: 'timecnn',
        crossAsset: 'mlp',
        shareEncoder: false,
        actionSpace: { kind: 'box', shape: [4] },
        logStdMode: 'state',
      },
    ];
    for (const cfg of configs) makeActorCritic(cfg).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('same seed → same weights; clear config errors', () => {
    const cfg: ActorCriticConfig = {
      ...market,
      encoder: 'timecnn',
      actionSpace: { kind: 'multi-discrete', nvec: [3, 3, 3, 3] },
    };
    const a = makeActorCritic(cfg);
    const b = makeActorCritic(cfg);
    expect(b.getWeights()).toEqual(a.getWeights());
    a.dispose();
    b.dispose();
    expect(() => makeActorCritic({ ...cfg, actionSpace: { kind: 'discrete', n: 1 } })).toThrow(
      /Discrete n must be an integer ≥ 2/,
    );
    expect(() => makeActorCritic({ ...cfg, actionSpace: { kind: 'box', shape: [2, 2] } })).toThrow(
      /Box action spaces must be 1-D/,
    );
    expect(() => makeActorCritic({ ...cfg, layout: undefined })).toThrow(/needs the observation layout/);
    expect(() => makeActorCritic({ ...cfg, encoder: 'lstm' as never })).toThrow(/unknown encoder 'lstm'/);
    const c = makeActorCritic(cfg);
    expect(() => tf.tidy(() => c.forward(tf.zeros([1, 10]) as tf.Tensor2D))).toThrow(
      /ActorCritic.forward: expected input width 77/,
    );
    c.dispose();
  });
});
