/**
 * LitaAgent-HRL's L3 and L4 learner (seed 001 §4): the networks of scml/hrl/l3.ts as tf.Variables
 * under the same names, so acting stays in plain TypeScript and training here.
 *   1. Supervised residuals: L3's mean μ regressed on the expert − L1 labels (weighted MSE).
 *   2. MAPPO (CTDE): the threads of a half-step are the agents. L3 (shared weights over threads)
 *      and L4 (one coordinator over the half-step's tokens) are PPO-clip policies; one centralised
 *      critic over all threads and the day's macro features gives the advantage (GAE within the
 *      day, the L3/L4 episode) of the shared reward. Per-layer learning rates as the seed says:
 *      L3 below L2 (3e-4, scmlL2Ppo.ts), L4 a little above.
 * Checkpoints: weights, the three Adam states, the trainer's Rng, iterations, worlds played and
 * the opponent pool's past selves, through checkpoint.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, type RngState } from '../rng.ts';
import type { GoalPolicy } from '../scml/hrl/agent.ts';
import {
  GLOBAL_FEATURES,
  L3_ACT,
  L3_FEATURES,
  L4_EMBED,
  MICRO_SHAPES,
  type MicroParams,
  type MicroStep,
} from '../scml/hrl/l3.ts';
import type { L3Dataset, PoolEntry } from '../scml/hrl/l3data.ts';
import { DEFAULT_MICRO_POOL, playMicroWorld } from '../scml/hrl/l3data.ts';
import {
  loadCheckpoint,
  readCheckpointMeta,
  saveCheckpoint,
  type CheckpointArtifacts,
} from './checkpoint.ts';
import { countParams, type Module, type NamedVariable } from './nets/module.ts';

const LOG_2PI = Math.log(2 * Math.PI);

/** The L3/L4/critic parameters as tf.Variables (names: MICRO_SHAPES). */
export class MicroNet implements Module {
  private readonly named: NamedVariable[];
  readonly paramCount: number;
  constructor(params: MicroParams) {
    this.named = MICRO_SHAPES.map(([name, shape]) => ({
      name,
      variable: tf.tidy(() => tf.variable(tf.tensor(params[name], [...shape], 'float32'), true)),
    }));
    this.paramCount = countParams(this.variables());
  }
  namedVariables(): NamedVariable[] {
    return this.named;
  }
  variables(): tf.Variable[] {
    return this.named.map((n) => n.variable);
  }
  /** Variables of one layer: 'l3', 'l4' or 'critic'. */
  group(prefix: string): tf.Variable[] {
    return this.named.filter((n) => n.name.startsWith(prefix + '/')).map((n) => n.variable);
  }
  v(name: string): tf.Variable {
    const f = this.named.find((n) => n.name === name);
    if (!f) throw new Error(`MicroNet: no parameter '${name}'`);
    return f.variable;
  }
  toParams(): MicroParams {
    const p: MicroParams = {};
    for (const { name, variable } of this.named) p[name] = Float32Array.from(variable.dataSync());
    return p;
  }
  dispose(): void {
    for (const n of this.named) n.variable.dispose();
  }
}

/** L3's μ [N, 3] from inputs [N, F+1]. */
export function l3MeanTf(net: MicroNet, x3: tf.Tensor2D): tf.Tensor2D {
  const h0 = tf.tanh(tf.add(tf.matMul(x3, net.v('l3/w0')), net.v('l3/b0')));
  const h1 = tf.tanh(tf.add(tf.matMul(h0, net.v('l3/w1')), net.v('l3/b1')));
  return tf.tanh(tf.add(tf.matMul(h1, net.v('l3/w2')), net.v('l3/b2'))) as tf.Tensor2D;
}

/** L4's logits [B, M] and attention [B, M, M] over padded tokens x [B, M, F] (mask [B, M]). */
export function l4Tf(
  net: MicroNet,
  x: tf.Tensor3D,
  mask: tf.Tensor2D,
): { z: tf.Tensor2D; attn: tf.Tensor3D } {
  const [B, M] = [x.shape[0], x.shape[1]];
  const E = L4_EMBED;
  const flat = tf.reshape(x, [B * M, L3_FEATURES]);
  const e2 = tf.tanh(tf.add(tf.matMul(flat, net.v('l4/we')), net.v('l4/be')));
  const proj = (w: string) => tf.reshape(tf.matMul(e2, net.v(w)), [B, M, E]) as tf.Tensor3D;
  const q = proj('l4/wq');
  const k = proj('l4/wk');
  const val = proj('l4/wv');
  const scores = tf.add(
    tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(E)),
    tf.mul(tf.sub(tf.expandDims(mask, 1), 1), 1e9),
  );
  const attn = tf.softmax(scores) as tf.Tensor3D;
  const h = tf.add(tf.reshape(e2, [B, M, E]), tf.matMul(attn, val));
  const z = tf.add(tf.reshape(tf.matMul(tf.reshape(h, [B * M, E]), net.v('l4/wz')), [B, M]), net.v('l4/bz'));
  return { z: z as tf.Tensor2D, attn };
}

/** The centralised critic's V [B] from padded tokens, their mask and the macro features g [B, G]. */
export function criticTf(net: MicroNet, x: tf.Tensor3D, mask: tf.Tensor2D, g: tf.Tensor2D): tf.Tensor1D {
  const [B, M] = [x.shape[0], x.shape[1]];
  const C = net.v('critic/bc').shape[0];
  const c = tf.reshape(
    tf.tanh(tf.add(tf.matMul(tf.reshape(x, [B * M, L3_FEATURES]), net.v('critic/wc')), net.v('critic/bc'))),
    [B, M, C],
  );
  const m3 = tf.expandDims(mask, 2);
  const mean = tf.div(tf.sum(tf.mul(c, m3), 1), tf.maximum(tf.sum(m3, 1), 1));
  const max = tf.max(tf.add(c, tf.mul(tf.sub(m3, 1), 1e9)), 1);
  const h = tf.tanh(tf.add(tf.matMul(tf.concat([mean, max, g], 1), net.v('critic/w1')), net.v('critic/b1')));
  return tf.reshape(tf.add(tf.matMul(h, net.v('critic/w2')), net.v('critic/b2')), [B]) as tf.Tensor1D;
}

/** Σ over the last axis of log N(a | μ, e^logStd). */
function gaussLogpTf(a: tf.Tensor, mu: tf.Tensor, logStd: tf.Tensor): tf.Tensor {
  const z = tf.div(tf.sub(a, mu), tf.exp(logStd));
  return tf.sum(tf.sub(tf.mul(-0.5, tf.square(z)), tf.add(logStd, 0.5 * LOG_2PI)), -1);
}

export interface L3BcConfig {
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  valFraction: number;
}

export const defaultL3BcConfig: L3BcConfig = {
  seed: 1,
  epochs: 10,
  batchSize: 256,
  learningRate: 1e-3,
  valFraction: 0.1,
};

export interface L3BcResult {
  trainLoss: number;
  valLoss: number;
  /** Validation loss of a zero residual (L1's own offer): what pretraining must beat. */
  valLossZero: number;
}

/** Supervised residuals: L3's μ (α = 1) regressed on the expert − L1 labels. */
export function trainL3Bc(net: MicroNet, ds: L3Dataset, config: Partial<L3BcConfig> = {}): L3BcResult {
  const c = { ...defaultL3BcConfig, ...config };
  if (ds.n < 2) throw new Error(`trainL3Bc: ${ds.n} samples; collect more worlds`);
  const F1 = L3_FEATURES + 1;
  const nVal = Math.min(ds.n - 1, Math.floor(c.valFraction * ds.n));
  const nTrain = ds.n - nVal;
  const rows = (from: number, to: number) => Int32Array.from({ length: to - from }, (_, i) => from + i);
  const train = rows(0, nTrain);
  const val = rows(nTrain, ds.n);
  const gather = (idx: Int32Array) => {
    const x = new Float32Array(idx.length * F1);
    const y = new Float32Array(idx.length * L3_ACT);
    const w = new Float32Array(idx.length * L3_ACT);
    idx.forEach((r, i) => {
      x.set(ds.x.subarray(r * F1, (r + 1) * F1), i * F1);
      y.set(ds.y.subarray(r * L3_ACT, (r + 1) * L3_ACT), i * L3_ACT);
      w.set(ds.w.subarray(r * L3_ACT, (r + 1) * L3_ACT), i * L3_ACT);
    });
    return {
      x: tf.tensor2d(x, [idx.length, F1]),
      y: tf.tensor2d(y, [idx.length, L3_ACT]),
      w: tf.tensor2d(w, [idx.length, L3_ACT]),
    };
  };
  const loss = (x: tf.Tensor2D, y: tf.Tensor2D, w: tf.Tensor2D, zero = false): tf.Scalar =>
    tf.div(
      tf.sum(tf.mul(w, tf.square(tf.sub(zero ? tf.zerosLike(y) : l3MeanTf(net, x), y)))),
      tf.add(tf.sum(w), 1e-8),
    ) as tf.Scalar;
  const rng = new Rng(c.seed).fork('l3bc');
  const opt = tf.train.adam(c.learningRate);
  const vars = net.group('l3').filter((v) => v !== net.v('l3/logStd'));
  let trainLoss = NaN;
  try {
    for (let epoch = 0; epoch < c.epochs; epoch++) {
      rng.shuffle(train);
      let sum = 0;
      let nb = 0;
      for (let s = 0; s < nTrain; s += c.batchSize) {
        const l = tf.tidy(() => {
          const b = gather(train.subarray(s, Math.min(nTrain, s + c.batchSize)));
          return opt.minimize(() => loss(b.x, b.y, b.w), true, vars) ?? tf.scalar(NaN);
        });
        sum += l.dataSync()[0];
        l.dispose();
        nb++;
      }
      trainLoss = sum / nb;
      if (!Number.isFinite(trainLoss)) throw new Error(`trainL3Bc: non-finite loss at epoch ${epoch + 1}`);
    }
  } finally {
    opt.dispose();
  }
  const [valLoss, valLossZero] = tf.tidy(() => {
    if (val.length === 0) return [NaN, NaN];
    const b = gather(val);
    return [loss(b.x, b.y, b.w).dataSync()[0], loss(b.x, b.y, b.w, true).dataSync()[0]];
  });
  return { trainLoss, valLoss, valLossZero };
}

export interface MicroTrainConfig {
  seed: number;
  worldsPerIter: number;
  /** Days per training world. */
  nSteps: number;
  gamma: number;
  gaeLambda: number;
  clip: number;
  epochs: number;
  minibatches: number;
  /** Per layer; the seed: lr(L3) < lr(L2) = 3e-4 < lr(L4). */
  lr: { l3: number; l4: number; critic: number };
  /** A past self joins the opponent pool every this many iterations (at most maxSnapshots kept). */
  snapshotEvery: number;
  maxSnapshots: number;
  useL4: boolean;
  pool: readonly PoolEntry[];
}

export const defaultMicroTrainConfig: MicroTrainConfig = {
  seed: 1,
  worldsPerIter: 2,
  nSteps: 40,
  gamma: 0.99,
  gaeLambda: 0.95,
  clip: 0.2,
  epochs: 4,
  minibatches: 4,
  lr: { l3: 1e-4, l4: 5e-4, critic: 5e-4 },
  snapshotEvery: 5,
  maxSnapshots: 4,
  useL4: true,
  pool: DEFAULT_MICRO_POOL,
};

export interface MicroIterStats {
  iteration: number;
  /** Half-steps recorded so far (the metrics' global step). */
  globalStep: number;
  values: Record<string, number>;
}

/** GAE over steps in order (each `done` ends an episode); returns advantages and returns. */
export function microGae(
  steps: readonly MicroStep[],
  gamma: number,
  lambda: number,
): { adv: Float32Array; ret: Float32Array } {
  const n = steps.length;
  const adv = new Float32Array(n);
  let last = 0;
  for (let i = n - 1; i >= 0; i--) {
    const s = steps[i];
    const next = s.done || i === n - 1 ? 0 : steps[i + 1].value;
    const delta = s.reward + gamma * next - s.value;
    last = delta + (s.done || i === n - 1 ? 0 : gamma * lambda * last);
    adv[i] = last;
  }
  const ret = Float32Array.from(adv, (a, i) => a + steps[i].value);
  return { adv, ret };
}

export class MicroTrainer {
  readonly net: MicroNet;
  readonly cfg: MicroTrainConfig;
  private readonly opt: { l3: tf.Optimizer; l4: tf.Optimizer; critic: tf.Optimizer };
  rng: Rng;
  iteration = 0;
  worldsDone = 0;
  globalStep = 0;
  snapshots: MicroParams[] = [];

  constructor(params: MicroParams, config: Partial<MicroTrainConfig> = {}) {
    this.cfg = { ...defaultMicroTrainConfig, ...config, lr: { ...defaultMicroTrainConfig.lr, ...config.lr } };
    this.net = new MicroNet(params);
    this.opt = {
      l3: tf.train.adam(this.cfg.lr.l3),
      l4: tf.train.adam(this.cfg.lr.l4),
      critic: tf.train.adam(this.cfg.lr.critic),
    };
    this.rng = new Rng(this.cfg.seed).fork('mappo');
  }

  /** One iteration: play worldsPerIter worlds with the sampled policy, then the MAPPO update. */
  iterate(goal: GoalPolicy): MicroIterStats {
    const t0 = performance.now();
    const params = this.net.toParams();
    const steps: MicroStep[] = [];
    let gain = 0;
    let score = 0;
    let bankrupt = 0;
    for (let i = 0; i < this.cfg.worldsPerIter; i++) {
      const res = playMicroWorld({
        params,
        goal,
        pool: this.cfg.pool,
        snapshots: this.snapshots,
        nSteps: this.cfg.nSteps,
        useL4: this.cfg.useL4,
        seed: this.rng.nextUint32(),
      });
      steps.push(...res.steps);
      gain += res.score - res.penguinScore;
      score += res.score;
      bankrupt += res.bankrupt ? 1 : 0;
    }
    const nW = this.cfg.worldsPerIter;
    this.worldsDone += nW;
    this.globalStep += steps.length;
    const tPlay = performance.now();
    const losses = steps.length > 1 ? this.update(steps) : { l3: NaN, l4: NaN, value: NaN };
    this.iteration++;
    if (this.iteration % this.cfg.snapshotEvery === 0) {
      this.snapshots.push(this.net.toParams());
      if (this.snapshots.length > this.cfg.maxSnapshots) this.snapshots.shift();
    }
    let days = 0;
    let ret = 0;
    for (const s of steps) {
      ret += s.reward;
      if (s.done) days++;
    }
    const t1 = performance.now();
    return {
      iteration: this.iteration,
      globalStep: this.globalStep,
      values: {
        'charts/paired_gain': gain / nW,
        'charts/score': score / nW,
        'charts/bankrupt_rate': bankrupt / nW,
        'charts/day_return': ret / Math.max(1, days),
        'losses/l3_policy': losses.l3,
        'losses/l4_policy': losses.l4,
        'losses/value': losses.value,
        'charts/l3_std': Math.exp(this.net.v('l3/logStd').dataSync()[0]),
        'perf/play_s': (tPlay - t0) / 1000,
        'perf/update_s': (t1 - tPlay) / 1000,
      },
    };
  }

  /** MAPPO update on one iteration's half-steps; mean losses of the last epoch. */
  update(steps: readonly MicroStep[]): { l3: number; l4: number; value: number } {
    const c = this.cfg;
    const { adv, ret } = microGae(steps, c.gamma, c.gaeLambda);
    let mu = 0;
    for (const a of adv) mu += a;
    mu /= adv.length;
    let sd = 0;
    for (const a of adv) sd += (a - mu) ** 2;
    sd = Math.sqrt(sd / adv.length) + 1e-8;
    const B = steps.length;
    const idx = Int32Array.from({ length: B }, (_, i) => i);
    const mbSize = Math.max(1, Math.ceil(B / c.minibatches));
    const out = { l3: 0, l4: 0, value: 0 };
    for (let epoch = 0; epoch < c.epochs; epoch++) {
      this.rng.shuffle(idx);
      let n = 0;
      const sums = { l3: 0, l4: 0, value: 0 };
      for (let s = 0; s < B; s += mbSize) {
        const rows = idx.subarray(s, Math.min(B, s + mbSize));
        const l = this.minibatch(steps, rows, adv, ret, mu, sd);
        sums.l3 += l.l3;
        sums.l4 += l.l4;
        sums.value += l.value;
        n++;
      }
      out.l3 = sums.l3 / n;
      out.l4 = sums.l4 / n;
      out.value = sums.value / n;
    }
    return out;
  }

  private minibatch(
    steps: readonly MicroStep[],
    rows: Int32Array,
    adv: Float32Array,
    ret: Float32Array,
    mu: number,
    sd: number,
  ): { l3: number; l4: number; value: number } {
    const c = this.cfg;
    const B = rows.length;
    let M = 1;
    for (const r of rows) M = Math.max(M, steps[r].n);
    const F = L3_FEATURES;
    const X = new Float32Array(B * M * F);
    const X3 = new Float32Array(B * M * (F + 1));
    const mask = new Float32Array(B * M);
    const A3 = new Float32Array(B * M * L3_ACT);
    const U4 = new Float32Array(B * M);
    const old3 = new Float32Array(B * M);
    const old4 = new Float32Array(B);
    const multi = new Float32Array(B);
    const G = new Float32Array(B * GLOBAL_FEATURES);
    const A = new Float32Array(B);
    const R = new Float32Array(B);
    rows.forEach((r, b) => {
      const s = steps[r];
      X.set(s.tokens, b * M * F);
      for (let k = 0; k < s.n; k++) {
        const o = (b * M + k) * (F + 1);
        X3.set(s.tokens.subarray(k * F, (k + 1) * F), o);
        X3[o + F] = s.alpha[k];
        mask[b * M + k] = 1;
        old3[b * M + k] = s.logp3[k];
        U4[b * M + k] = s.u4[k];
      }
      A3.set(s.a3, b * M * L3_ACT);
      old4[b] = s.logp4;
      multi[b] = s.n >= 2 ? 1 : 0;
      G.set(s.global, b * GLOBAL_FEATURES);
      A[b] = (adv[r] - mu) / sd;
      R[b] = ret[r];
    });
    const clipped = (ratio: tf.Tensor, a: tf.Tensor) =>
      tf.minimum(tf.mul(ratio, a), tf.mul(tf.clipByValue(ratio, 1 - c.clip, 1 + c.clip), a));
    return tf.tidy(() => {
      const x = tf.tensor3d(X, [B, M, F]);
      const m = tf.tensor2d(mask, [B, M]);
      const a = tf.tensor1d(A);
      const aTok = tf.reshape(tf.tile(tf.expandDims(a, 1), [1, M]), [B * M]);
      const mFlat = tf.reshape(m, [B * M]);
      const x3 = tf.tensor2d(X3, [B * M, F + 1]);
      const a3 = tf.tensor2d(A3, [B * M, L3_ACT]);
      const o3 = tf.tensor1d(old3);
      const l3 = this.opt.l3.minimize(
        () => {
          const logp = gaussLogpTf(a3, l3MeanTf(this.net, x3), this.net.v('l3/logStd'));
          const surr = clipped(tf.exp(tf.sub(logp, o3)), aTok);
          return tf.neg(tf.div(tf.sum(tf.mul(surr, mFlat)), tf.sum(mFlat))) as tf.Scalar;
        },
        true,
        this.net.group('l3'),
      );
      const u4 = tf.tensor2d(U4, [B, M]);
      const o4 = tf.tensor1d(old4);
      const mul = tf.tensor1d(multi);
      const l4 = c.useL4
        ? this.opt.l4.minimize(
            () => {
              const { z } = l4Tf(this.net, x, m);
              const ls = this.net.v('l4/logStd');
              const per = tf.sub(
                tf.mul(-0.5, tf.square(tf.div(tf.sub(u4, z), tf.exp(ls)))),
                tf.add(ls, 0.5 * LOG_2PI),
              );
              const logp = tf.sum(tf.mul(per, m), 1);
              const surr = clipped(tf.exp(tf.sub(logp, o4)), a);
              // With one thread α = 1 whatever u is: those half-steps teach L4 nothing.
              return tf.neg(tf.div(tf.sum(tf.mul(surr, mul)), tf.maximum(tf.sum(mul), 1))) as tf.Scalar;
            },
            true,
            this.net.group('l4'),
          )
        : null;
      const g = tf.tensor2d(G, [B, GLOBAL_FEATURES]);
      const r = tf.tensor1d(R);
      const v = this.opt.critic.minimize(
        () => tf.mean(tf.square(tf.sub(criticTf(this.net, x, m, g), r))) as tf.Scalar,
        true,
        this.net.group('critic'),
      );
      return {
        l3: l3 ? l3.dataSync()[0] : NaN,
        l4: l4 ? l4.dataSync()[0] : NaN,
        value: v ? v.dataSync()[0] : NaN,
      };
    });
  }

  /** Weights, the three Adam states, Rng, counters and the pool's past selves. */
  async save(extra: Record<string, unknown> = {}): Promise<CheckpointArtifacts> {
    return saveCheckpoint(
      this.net,
      {
        netConfig: { shapes: MICRO_SHAPES },
        algo: 'mappo-l3l4',
        algoConfig: this.cfg,
        optimizerStep: this.iteration,
        globalStep: this.globalStep,
        rngState: this.rng.getState(),
        extra: {
          ...extra,
          iteration: this.iteration,
          worldsDone: this.worldsDone,
          snapshots: this.snapshots.map((s) =>
            Object.fromEntries(Object.entries(s).map(([k, a]) => [k, Array.from(a)])),
          ),
        },
      },
      this.opt,
    );
  }

  /** A trainer resumed from a checkpoint: the same numbers as if it had never stopped. */
  static async load(
    artifacts: CheckpointArtifacts,
    config: Partial<MicroTrainConfig> = {},
  ): Promise<MicroTrainer> {
    const meta = readCheckpointMeta(artifacts);
    const placeholder: MicroParams = {};
    for (const [name, shape] of MICRO_SHAPES)
      placeholder[name] = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const t = new MicroTrainer(placeholder, { ...(meta.algoConfig as Partial<MicroTrainConfig>), ...config });
    await loadCheckpoint(artifacts, t.net, t.opt);
    if (meta.rngState) t.rng.setState(meta.rngState as RngState);
    const extra = meta.extra ?? {};
    t.iteration = Number(extra.iteration ?? 0);
    t.worldsDone = Number(extra.worldsDone ?? 0);
    t.globalStep = meta.globalStep ?? 0;
    t.snapshots = ((extra.snapshots as Record<string, number[]>[] | undefined) ?? []).map((s) =>
      Object.fromEntries(Object.entries(s).map(([k, a]) => [k, Float32Array.from(a)])),
    );
    return t;
  }

  dispose(): void {
    this.net.dispose();
    this.opt.l3.dispose();
    this.opt.l4.dispose();
    this.opt.critic.dispose();
  }
}
