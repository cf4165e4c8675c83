/**
 * Seed 002's low-level experts: K discrete SAC agents (the networks of common/sacNetworks.ts, the
 * update of sac.ts's Discrete branch) trained with a DIAYN skill reward (diayn.ts's) where the skill
 * is the expert's own id, all learning from one shared replay (hier/sharedReplay.ts) with V-trace.
 *
 *   r_k     = r_ext + β·(log q_φ(k|s') − log p(k)),  p uniform over K (q_φ: one discriminator, trained
 *             by cross-entropy to tell which expert acted from s'; with skillInput 'action', q_φ(k|s, a)
 *             on the market part of s and the action instead: seed 002's I(a; z))
 *   V_k(x)  = Σ_a π_k(a|x)·(min(Q̄₁, Q̄₂)_k(x, a) − α_k·log π_k(a|x))      (soft state value, target critics)
 *   v_s     = V-trace of a sampled segment x_s … x_{s+n−1} (common/vtrace.ts) with μ = the expert that
 *             acted (stored with its μ(a|x)), π = π_k, ρ̄ = c̄ = 1 by default, bootstrapped from V_k(x_{s+n})
 *   y_t     = r_k,t + γ·(1 − terminated_t)·v_{t+1}                        (v after the segment: V_k(x_{s+n}))
 *   L_Q     = mean((Q₁(x_t, a_t) − y_t)² + (Q₂(x_t, a_t) − y_t)²), actor and α as discrete SAC.
 *
 * Why this use of V-trace: a Q target needs no correction for a_t itself (Q is conditioned on it),
 * but the value of the states after it is the value of the behaviour expert's next actions, not of
 * π_k's. V-trace's v_{t+1} corrects that tail with clipped importance weights (IMPALA §4.1), so one
 * expert can learn from another's segments without the off-policy drift the seed warns about;
 * on its own data (π_k = μ) it is the n-step return. A one-step target (n = 1) needs no correction
 * at all, which is why the segments are n > 1 long. The entropy bonus of the intermediate steps
 * is left out of the V-trace rewards (their values V_k include it), a small bias at the trace's length.
 *
 * Acting is on the host: after each update burst the actors' weights are read back once and the
 * two-layer ReLU MLPs evaluated in plain JS (experts are frozen while the router learns, so no
 * step-by-step tensor round trip is needed to act).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, type RngState } from '../../rng.ts';
import { computeVTrace } from '../common/vtrace.ts';
import { makeOptimizer, setLearningRate } from '../common/optim.ts';
import { SacNetworks } from '../common/sacNetworks.ts';
import { MLP } from '../nets/mlp.ts';
import { countParams, type Module, type NamedVariable } from '../nets/module.ts';
import {
  loadCheckpoint,
  readCheckpointMeta,
  saveCheckpoint,
  type CheckpointArtifacts,
} from '../checkpoint.ts';
import type { Segments, SharedReplay } from '../../hier/sharedReplay.ts';

export interface HierExpertsConfig {
  seed: number;
  experts: number;
  obsDim: number;
  /** Discrete actions of the market env. */
  actions: number;
  hidden: number;
  learningRate: number;
  gamma: number;
  tau: number;
  /** β of the skill reward. */
  miRewardWeight: number;
  /** Transitions per update (segments × vtraceSteps). */
  batchSize: number;
  vtraceSteps: number;
  clipRho: number;
  clipC: number;
  /** Share of each expert's segments drawn from its own days (0 = one uniform batch for all). */
  ownShare?: number;
  /**
   * What the discriminator tells the experts apart by: 'next-state' (DIAYN's q(k|s′), default) or
   * 'action' (seed 002's I(a; z): q(k|s, a) on the state without its last `portfolioDims` values,
   * the book's own position and cash, so holding a different position alone is not a skill).
   */
  skillInput?: 'next-state' | 'action';
  /** Trailing observation values that describe the book (positions, cash); zeroed for 'action'. */
  portfolioDims?: number;
}

interface Batch {
  segs: Segments;
  M: number;
  J: number;
  obs: Float32Array;
  next: Float32Array;
  lastNext: Float32Array;
  actions: Int32Array;
  labels: Int32Array;
  /** The discriminator's input rows (skillInput). */
  skill: Float32Array;
}

interface HostLayer {
  w: Float32Array;
  b: Float32Array;
  inputs: number;
  outputs: number;
}

const STAT_NAMES = [
  'losses/qf',
  'losses/actor',
  'losses/alpha',
  'losses/entropy',
  'charts/alpha',
  'charts/vtrace_rho',
  'charts/skill_reward',
] as const;

export class HierExperts implements Module {
  readonly config: HierExpertsConfig;
  readonly nets: SacNetworks[];
  readonly discriminator: MLP;
  readonly optimizers: { actor: tf.Optimizer; q: tf.Optimizer; alpha: tf.Optimizer }[];
  readonly discOptimizer: tf.Optimizer;
  readonly targetEntropy: number;
  /** β, settable between updates (PBT explores it). */
  miRewardWeight: number;
  updates = 0;
  private host: HostLayer[][] = [];
  private readonly batchRng: Rng;
  private sums = new Float64Array(STAT_NAMES.length);
  private discSums = new Float64Array(2);
  private count = 0;

  constructor(config: HierExpertsConfig) {
    const c = (this.config = { ...config });
    if (!Number.isInteger(c.experts) || c.experts < 2)
      throw new Error(`hierarchical.experts must be a whole number ≥ 2, got ${c.experts}`);
    this.miRewardWeight = c.miRewardWeight;
    const root = new Rng(c.seed).fork('hier/experts');
    const squash = { logStdMin: -5, logStdMax: 2, scale: new Float32Array(0), bias: new Float32Array(0) };
    this.nets = Array.from(
      { length: c.experts },
      () =>
        new SacNetworks(
          { obsDim: c.obsDim, actionDim: c.actions, discrete: true },
          { hidden: [c.hidden, c.hidden], activation: 'relu' },
          root.nextUint32(),
          0.2,
          squash,
        ),
    );
    this.discriminator = new MLP({
      inputSize: this.skillSize,
      hidden: [c.hidden, c.hidden],
      outputSize: c.experts,
      activation: 'relu',
      init: 'orthogonal',
      seed: root.nextUint32(),
      skipInputGrad: true,
    });
    const adam = () => makeOptimizer({ name: 'adam', learningRate: c.learningRate });
    this.optimizers = this.nets.map(() => ({ actor: adam(), q: adam(), alpha: adam() }));
    this.discOptimizer = adam();
    // sac.ts's rule for small discrete spaces: 0.7·log|A| (0.89·log|A| makes α diverge at |A| ≤ 3).
    this.targetEntropy = (c.actions <= 3 ? 0.7 : 0.89) * Math.log(c.actions);
    this.batchRng = root.fork('batch');
    this.refreshHost();
  }

  get experts(): number {
    return this.config.experts;
  }

  /** Every expert's and the discriminator's Adam learning rate (PBT explores it). */
  setLearningRate(lr: number): void {
    this.config.learningRate = lr;
    for (const o of this.optimizers) for (const x of Object.values(o)) setLearningRate(x, lr);
    setLearningRate(this.discOptimizer, lr);
  }

  /** Reads the actors' weights back for host-side acting (after every update burst and restore). */
  refreshHost(): void {
    this.host = this.nets.map((n) =>
      n.actor.layers.map((l) => ({
        w: l.kernel.dataSync() as Float32Array,
        b: l.bias ? (l.bias.dataSync() as Float32Array) : new Float32Array(l.outputSize),
        inputs: l.inputSize,
        outputs: l.outputSize,
      })),
    );
  }

  /** π_k(·|obs) for one observation, written into `out` [A] (softmax of the ReLU MLP's logits). */
  probs(k: number, obs: ArrayLike<number>, out: Float64Array): Float64Array {
    let h: ArrayLike<number> = obs;
    const layers = this.host[k];
    for (let li = 0; li < layers.length; li++) {
      const { w, b, inputs, outputs } = layers[li];
      const y = li === layers.length - 1 ? out : new Float64Array(outputs);
      for (let o = 0; o < outputs; o++) {
        let s = b[o];
        for (let i = 0; i < inputs; i++) s += h[i] * w[i * outputs + o];
        y[o] = li === layers.length - 1 ? s : Math.max(0, s);
      }
      h = y;
    }
    let max = -Infinity;
    for (let a = 0; a < out.length; a++) max = Math.max(max, out[a]);
    let z = 0;
    for (let a = 0; a < out.length; a++) z += out[a] = Math.exp(out[a] - max);
    for (let a = 0; a < out.length; a++) out[a] /= z;
    return out;
  }

  /** Width of the discriminator's input: s′, or the state without the book's values plus one-hot a. */
  private get skillSize(): number {
    const c = this.config;
    return c.skillInput === 'action' ? c.obsDim + c.actions : c.obsDim;
  }

  /** The discriminator's input rows for a batch (see skillInput). */
  private skillRows(obs: Float32Array, next: Float32Array, actions: Int32Array, M: number): Float32Array {
    const c = this.config;
    if (c.skillInput !== 'action') return next;
    const d = c.obsDim;
    const w = this.skillSize;
    const keep = d - (c.portfolioDims ?? 0);
    const out = new Float32Array(M * w);
    for (let m = 0; m < M; m++) {
      out.set(obs.subarray(m * d, m * d + keep), m * w);
      out[m * w + d + actions[m]] = 1;
    }
    return out;
  }

  /** Observations, actions and behaviour labels of sampled segments, row-major. */
  private gather(replay: SharedReplay, segs: Segments): Batch {
    const d = this.config.obsDim;
    const M = segs.rows.length;
    const J = segs.offsets.length - 1;
    const b: Batch = {
      segs,
      M,
      J,
      obs: new Float32Array(M * d),
      next: new Float32Array(M * d),
      lastNext: new Float32Array(J * d),
      actions: new Int32Array(M),
      labels: new Int32Array(M),
      skill: new Float32Array(0),
    };
    for (let m = 0; m < M; m++) {
      const r = segs.rows[m];
      b.obs.set(replay.obs.subarray(r * d, (r + 1) * d), m * d);
      b.next.set(replay.nextObs.subarray(r * d, (r + 1) * d), m * d);
      b.actions[m] = replay.actions[r];
      b.labels[m] = replay.experts[r];
    }
    for (let j = 0; j < J; j++) {
      const r = segs.rows[segs.offsets[j + 1] - 1];
      b.lastNext.set(replay.nextObs.subarray(r * d, (r + 1) * d), j * d);
    }
    b.skill = this.skillRows(b.obs, b.next, b.actions, M);
    return b;
  }

  /**
   * One gradient step for every expert (V-trace targets on replayed segments), then the
   * discriminator. ownShare 0: one batch of uniform segments for all; > 0: each expert draws that
   * share of its segments from its own days (the rest uniform), the discriminator a uniform batch.
   */
  update(replay: SharedReplay): void {
    const c = this.config;
    const count = Math.max(1, Math.round(c.batchSize / c.vtraceSteps));
    const own = c.ownShare ?? 0;
    const uniform = () => this.gather(replay, replay.sampleSegments(count, c.vtraceSteps, this.batchRng));
    const shared = own > 0 ? null : uniform();
    const A = c.actions;
    const d = c.obsDim;
    const logK = Math.log(c.experts);
    let rhoSum = 0;
    let skillSum = 0;
    let rows = 0;
    for (let k = 0; k < c.experts; k++) {
      const net = this.nets[k];
      const { segs, M, J, obs, skill, lastNext, actions } =
        shared ??
        this.gather(
          replay,
          replay.sampleSegments(count, c.vtraceSteps, this.batchRng, { expert: k, share: own }),
        );
      const y = new Float32Array(M);
      rows += M;
      // Pass A: what the host needs for V-trace (one readback per expert).
      const packed = tf.tidy(() => {
        const sv = (s: tf.Tensor2D) => {
          const { probs, logProbs } = net.categorical(s);
          const minQ = tf.minimum(net.q(net.q1Target, s), net.q(net.q2Target, s));
          return {
            v: tf.sum(tf.mul(probs, tf.sub(minQ, tf.mul(tf.exp(net.logAlpha), logProbs))), 1),
            logProbs,
          };
        };
        const s = tf.tensor2d(obs, [M, d]);
        const a = tf.oneHot(tf.tensor1d(actions, 'int32'), A).toFloat();
        const cur = sv(s);
        const boot = sv(tf.tensor2d(lastNext, [J, d]));
        const logQ = tf.sum(
          tf.mul(
            tf.logSoftmax(this.discriminator.apply(tf.tensor2d(skill, [M, this.skillSize]))),
            tf.oneHot(tf.fill([M], k, 'int32'), c.experts),
          ),
          1,
        );
        return tf.concat([tf.sum(tf.mul(cur.logProbs, a), 1), cur.v, logQ, boot.v]);
      });
      const v = packed.dataSync() as Float32Array;
      packed.dispose();
      const logPi = v.subarray(0, M);
      const values = v.subarray(M, 2 * M);
      const logQ = v.subarray(2 * M, 3 * M);
      const boot = v.subarray(3 * M, 3 * M + J);
      const rewards = new Float32Array(M);
      for (let m = 0; m < M; m++) {
        const skill = Math.max(-10, logQ[m]) + logK;
        rewards[m] = replay.rewards[segs.rows[m]] + this.miRewardWeight * skill;
        skillSum += skill;
      }
      for (let j = 0; j < J; j++) {
        const lo = segs.offsets[j];
        const hi = segs.offsets[j + 1];
        const rows = segs.rows.subarray(lo, hi);
        const dones = Float32Array.from(rows, (r) => replay.terminated[r]);
        const vt = computeVTrace(
          {
            numSteps: hi - lo,
            numEnvs: 1,
            gamma: c.gamma,
            behaviourLogProbs: Float32Array.from(rows, (r) => replay.logProbs[r]),
            targetLogProbs: logPi.subarray(lo, hi),
            rewards: rewards.subarray(lo, hi),
            values: values.subarray(lo, hi),
            dones,
            bootstrapValues: [boot[j]],
          },
          { clipRho: c.clipRho, clipC: c.clipC },
        );
        for (let t = 0; t < hi - lo; t++) {
          const vNext = t + 1 < hi - lo ? vt.vs[t + 1] : boot[j];
          y[lo + t] = rewards[lo + t] + c.gamma * (1 - dones[t]) * vNext;
          rhoSum += vt.rhos[t];
        }
      }
      this.step(k, obs, actions, y, M);
    }
    const db = shared ?? uniform();
    this.trainDiscriminator(db.skill, db.labels, db.M);
    this.sums[5] += rhoSum / rows;
    this.sums[6] += skillSum / rows;
    this.count++;
    this.updates++;
    for (const n of this.nets) n.polyak(c.tau);
  }

  /** Discrete SAC's critic, actor and α steps for expert k on (s, a, y). */
  private step(k: number, obs: Float32Array, actions: Int32Array, y: Float32Array, M: number): void {
    const net = this.nets[k];
    const opt = this.optimizers[k];
    const { obsDim: d, actions: A } = this.config;
    const stats = tf.tidy(() => {
      const s = tf.tensor2d(obs, [M, d]);
      const a = tf.oneHot(tf.tensor1d(actions, 'int32'), A).toFloat();
      const target = tf.tensor1d(y);
      const qLoss = opt.q.minimize(
        () => {
          const q1 = tf.sum(tf.mul(net.q(net.q1, s), a), 1);
          const q2 = tf.sum(tf.mul(net.q(net.q2, s), a), 1);
          return tf.add(
            tf.mean(tf.square(tf.sub(q1, target))),
            tf.mean(tf.square(tf.sub(q2, target))),
          ) as tf.Scalar;
        },
        true,
        net.criticVariables(),
      )!;
      const alpha = tf.exp(net.logAlpha);
      let entropy: tf.Tensor = tf.scalar(0);
      let probsD: tf.Tensor = tf.scalar(0);
      let logPiD: tf.Tensor = tf.scalar(0);
      const actorLoss = opt.actor.minimize(
        () => {
          const { probs, logProbs } = net.categorical(s);
          const minQ = tf.minimum(net.q(net.q1, s), net.q(net.q2, s));
          entropy = tf.keep(tf.neg(tf.mean(tf.sum(tf.mul(probs, logProbs), 1))));
          probsD = tf.keep(probs);
          logPiD = tf.keep(logProbs);
          return tf.mean(tf.sum(tf.mul(probs, tf.sub(tf.mul(alpha, logProbs), minQ)), 1)) as tf.Scalar;
        },
        true,
        net.actor.variables(),
      )!;
      const alphaLoss = opt.alpha.minimize(
        () =>
          tf.mean(
            tf.mul(
              tf.neg(tf.exp(net.logAlpha)),
              tf.sum(tf.mul(probsD, tf.add(logPiD, this.targetEntropy)), 1),
            ),
          ) as tf.Scalar,
        true,
        [net.logAlpha],
      )!;
      const out = tf.stack([qLoss, actorLoss, alphaLoss, entropy, tf.exp(net.logAlpha)]);
      tf.dispose([entropy, probsD, logPiD]);
      return out;
    });
    const v = stats.dataSync();
    stats.dispose();
    for (let i = 0; i < 5; i++) this.sums[i] += v[i] / this.config.experts;
  }

  private trainDiscriminator(skill: Float32Array, labels: Int32Array, M: number): void {
    const K = this.config.experts;
    const out = tf.tidy(() => {
      const s = tf.tensor2d(skill, [M, this.skillSize]);
      const z = tf.oneHot(tf.tensor1d(labels, 'int32'), K).toFloat();
      let acc: tf.Tensor = tf.scalar(0);
      const loss = this.discOptimizer.minimize(
        () => {
          const logits = this.discriminator.apply(s);
          acc = tf.keep(tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(z, 1)), 'float32')));
          return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), z), 1))) as tf.Scalar;
        },
        true,
        this.discriminator.variables(),
      )!;
      const r = tf.stack([loss, acc]);
      acc.dispose();
      return r;
    });
    const v = out.dataSync();
    out.dispose();
    this.discSums[0] += v[0];
    this.discSums[1] += v[1];
  }

  /** Means of the update stats since the last call (empty when no update ran). */
  readStats(): Record<string, number> {
    if (this.count === 0) return {};
    const out: Record<string, number> = {};
    STAT_NAMES.forEach((k, i) => (out[k] = this.sums[i] / this.count));
    out['losses/discriminator'] = this.discSums[0] / this.count;
    out['charts/discriminator_accuracy'] = this.discSums[1] / this.count;
    this.sums = new Float64Array(STAT_NAMES.length);
    this.discSums = new Float64Array(2);
    this.count = 0;
    return out;
  }

  namedVariables(): NamedVariable[] {
    return [
      ...this.nets.flatMap((n, k) =>
        n.namedVariables().map((v) => ({ name: `expert${k}/${v.name}`, variable: v.variable })),
      ),
      ...this.discriminator
        .namedVariables()
        .map((v) => ({ name: `discriminator/${v.name}`, variable: v.variable })),
    ];
  }

  variables(): tf.Variable[] {
    return this.namedVariables().map((v) => v.variable);
  }

  get paramCount(): number {
    return countParams(this.variables());
  }

  private namedOptimizers(): Record<string, tf.Optimizer> {
    const o: Record<string, tf.Optimizer> = { discriminator: this.discOptimizer };
    this.optimizers.forEach((x, k) => {
      o[`actor${k}`] = x.actor;
      o[`q${k}`] = x.q;
      o[`alpha${k}`] = x.alpha;
    });
    return o;
  }

  /** Every expert, the discriminator, the Adam states, β and the batch Rng. */
  save(extra: Record<string, unknown> = {}): Promise<CheckpointArtifacts> {
    return saveCheckpoint(
      this,
      {
        netConfig: { ...this.config },
        algo: 'hier-experts',
        extra: {
          ...extra,
          updates: this.updates,
          miRewardWeight: this.miRewardWeight,
          batchRng: this.batchRng.getState(),
        },
      },
      this.namedOptimizers(),
    );
  }

  async load(artifacts: CheckpointArtifacts): Promise<Record<string, unknown>> {
    const meta = readCheckpointMeta(artifacts);
    if (meta.algo !== 'hier-experts')
      throw new Error(`checkpoint is for '${String(meta.algo)}', not the hierarchy's experts`);
    await loadCheckpoint(artifacts, this, this.namedOptimizers());
    const extra = (meta.extra ?? {}) as { updates?: number; miRewardWeight?: number; batchRng?: RngState };
    this.updates = extra.updates ?? 0;
    if (typeof extra.miRewardWeight === 'number') this.miRewardWeight = extra.miRewardWeight;
    if (extra.batchRng) this.batchRng.setState(extra.batchRng);
    this.refreshHost();
    return meta.extra ?? {};
  }

  dispose(): void {
    for (const n of this.nets) n.dispose();
    this.discriminator.dispose();
    for (const o of this.optimizers) for (const x of Object.values(o)) x.dispose();
    this.discOptimizer.dispose();
  }
}
