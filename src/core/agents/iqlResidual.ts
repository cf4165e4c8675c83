/**
 * Residual IQL (seed 000): IQL whose actor only rescales a baseline policy b(s) (portfolio weights
 * from a rule):
 *
 *   π(s) = b(s) ⊙ (1 + scale·tanh(δ(s)))        (never flips the baseline's sign)
 *
 * with the δ head initialised to zero (π = baseline exactly before training), a BC warm start
 * (unweighted ‖π(s) − b(s)‖² on the actor, `bcWarmStartEpochs` passes), and the actor loss
 *
 *   E[w·‖π(s) − a‖²] + λ_fid·E[‖π(s) − b(s)‖²]     w = min(exp(β·A), maxWeight)
 *
 * (or, with `advantageNorm`, standardised self-normalised weights; with `relativeActions` the
 * critic reads the action as the residual u = (a/b − 1)/scale — both what seed 000's tiny
 * counterfactual differences need: src/core/kol/residualTrain.ts, README)
 * — the advantage-weighted Gaussian log-likelihood with a fixed σ, plus seed 000's fidelity
 * penalty −λ_fid·(policy − baseline)² of the shaped reward, charged on the policy's *own*
 * residual (its deviation from the baseline). Seed 000's data logs the baseline as the action, so
 * a penalty on the logged action would always be 0; on the policy it is what keeps π near b: a
 * large λ holds the policy at the baseline, λ = 0 lets advantage weighting move it. The critic and
 * V learn from the logged actions and raw rewards, as in plain IQL.
 *
 * At acting time the learner needs b(s) for new observations: the rule is provided by name
 * (offline/source.ts provideBaseline) and named in the config (`baseline`).
 */
import * as tf from '@tensorflow/tfjs';
import { NonFiniteLossError } from './common/onPolicy.ts';
import { IqlLearner, type IqlBatch, type IqlLearnerConfig } from './iql.ts';
import type { OfflineDataset } from './offline/dataset.ts';
import { providedBaseline } from './offline/source.ts';

export interface IqlResidualOptions {
  /** Residual amplitude: π = b·(1 + scale·tanh δ). Default 0.2 (seed 000's example run). */
  scale: number;
  /** λ_fid of the fidelity penalty λ·‖π(s) − b(s)‖². Default 0.3 (seed 000's example run). */
  fidelityLambda: number;
  /** Passes of plain BC (unweighted ‖π − a‖²) on the actor before IQL starts. Default 1 (seed 000). */
  bcWarmStartEpochs: number;
  /** Name of the provided baseline rule (provideBaseline). Default 'baseline'. */
  baseline: string;
  /**
   * Standardised, self-normalised advantage weights: w = B·softmax_batch(β·A/σ_A) (V-MPO's E-step
   * on advantages standardised over the batch), capped at maxWeight. Plain IQL's exp(β·A) needs A
   * of order 1/β to prefer one action over another; seed 000's one-day rewards differ by ~1e-4
   * between nearby weights, so without this the actor never leaves the BC target (README).
   * With it β reads in standard deviations of the critic's advantages, and the AWR term keeps a
   * mean weight of 1 — so λ_fid means the same at every reward scale (λ = 1: halfway between the
   * advantage-weighted target and the baseline). Default false (CORL's weights).
   */
  advantageNorm: boolean;
  /**
   * The critic sees the action in the residual's own coordinates u = (a/b − 1)/scale ∈ [−1, 1]
   * (0 where b = 0) instead of the raw weight a: Q(s, u). Seed 000's weights are ~0.1 and their
   * perturbations ~0.02, so Q(s, a) must resolve tiny input differences multiplied by a state
   * function; in u the same effect spans [−1, 1]. Default false (the raw action, plain IQL).
   */
  relativeActions: boolean;
}

export const defaultIqlResidualOptions: IqlResidualOptions = {
  scale: 0.2,
  fidelityLambda: 0.3,
  bcWarmStartEpochs: 1,
  baseline: 'baseline',
  advantageNorm: false,
  relativeActions: false,
};

export type IqlResidualLearnerConfig = IqlLearnerConfig & IqlResidualOptions;

export class IqlResidualLearner extends IqlLearner {
  override readonly algo = 'iql-residual';
  declare readonly config: IqlResidualLearnerConfig;

  constructor(config: IqlResidualLearnerConfig, dataset: OfflineDataset, behaviourReturn = NaN) {
    const bad = (m: string) => new Error(`residual IQL config: ${m}`);
    if (dataset.meta.actionSpace.kind !== 'box')
      throw bad('the residual policy needs a Box action space (portfolio weights)');
    if (!dataset.baseline)
      throw bad(
        'the residual policy needs dataset.baseline (collect with a baseline rule, or a CSV with baseline columns)',
      );
    if (!(config.scale > 0)) throw bad(`scale must be > 0, got ${config.scale}`);
    if (!(config.fidelityLambda >= 0)) throw bad(`fidelityLambda must be ≥ 0, got ${config.fidelityLambda}`);
    providedBaseline(config.baseline); // fail now, not at the first evaluation, when the rule is missing
    // δ starts at exactly 0 (output gain 0), so π = baseline before any training; no log-std.
    super(config, dataset, behaviourReturn, { gain: 0, gaussian: false });
    this.statNames.push('losses/fidelity');
  }

  protected override actorOut(obs: tf.Tensor2D, baseline: tf.Tensor2D | null): tf.Tensor2D {
    if (!baseline) throw new Error('residual IQL: the actor needs the baseline actions');
    return tf.tidy(() =>
      tf.mul(baseline, tf.add(1, tf.mul(this.config.scale, tf.tanh(this.nets.actor.apply(obs))))),
    );
  }

  protected override sampleBatch(): ReturnType<IqlLearner['sampleBatch']> {
    const b = super.sampleBatch();
    if (!this.config.relativeActions) return b;
    const enc = tf.tidy(() =>
      tf.divNoNan(tf.sub(b.actions, b.baseline!), tf.mul(this.config.scale, b.baseline!)),
    ) as tf.Tensor2D;
    b.enc.dispose();
    return { ...b, enc };
  }

  protected override advantageWeights(adv: tf.Tensor1D): tf.Tensor1D {
    if (!this.config.advantageNorm) return super.advantageWeights(adv);
    const { beta, maxWeight } = this.config;
    return tf.tidy(() => {
      const { variance } = tf.moments(adv);
      const z = tf.div(adv, tf.add(tf.sqrt(variance), 1e-8));
      const w = tf.mul(tf.softmax(tf.mul(beta, z)), adv.shape[0]);
      return tf.minimum(w, maxWeight) as tf.Tensor1D;
    });
  }

  protected override actorRowLoss(out: tf.Tensor2D, b: IqlBatch): tf.Tensor1D {
    return tf.tidy(() => tf.sum(tf.square(tf.sub(out, b.actions)), 1) as tf.Tensor1D);
  }

  protected override actorExtra(out: tf.Tensor2D, b: IqlBatch): { loss: tf.Scalar; stats: tf.Scalar[] } {
    const fidelity = tf.mean(tf.sum(tf.square(tf.sub(out, b.baseline!)), 1)) as tf.Scalar;
    return { loss: tf.mul(this.config.fidelityLambda, fidelity), stats: [fidelity] };
  }

  /** Seed 000's BC warm start ("residual 0, actions close to the baseline"): unweighted ‖π(s) − b(s)‖² on the actor. */
  protected override beforeTraining(): Record<string, number> {
    const steps = Math.ceil((this.config.bcWarmStartEpochs * this.ds.size) / this.config.batchSize);
    if (steps === 0) return {};
    let total = 0;
    for (let t = 0; t < steps; t++) {
      const loss = tf.tidy(() => {
        const b = this.sampleBatch();
        // Towards b(s), not the logged action: the seed's buffer logs the baseline, and a buffer
        // with perturbed copies (kol's explore) would otherwise teach the warm start their noise.
        const f = () =>
          tf.mean(tf.sum(tf.square(tf.sub(this.actorOut(b.s, b.baseline), b.baseline!)), 1)) as tf.Scalar;
        return this.optimizers.actor.minimize(f, true, this.nets.actorVariables())!;
      });
      total += loss.dataSync()[0];
      loss.dispose();
    }
    const mean = total / steps;
    if (!Number.isFinite(mean))
      throw new NonFiniteLossError(
        `residual IQL: non-finite BC warm-start loss (${mean}); training stopped.`,
        0,
        {
          'losses/bc_warm_start': mean,
        },
      );
    return { 'losses/bc_warm_start': mean };
  }

  /** Actions for `rows` observations: the provided baseline rule's b(s), rescaled by the actor. */
  override act(
    obs: Float32Array,
    opts: { greedy?: boolean; masks?: Uint8Array | null; baseline?: Float32Array } = {},
  ): Float32Array {
    const d = this.ds.obsDim;
    const rows = obs.length / d;
    let baseline = opts.baseline;
    if (!baseline) {
      const rule = providedBaseline(this.config.baseline);
      baseline = new Float32Array(rows * this.actionDim);
      for (let r = 0; r < rows; r++) {
        const out = rule(obs.subarray(r * d, (r + 1) * d), { envIndex: r, info: {} });
        const a = typeof out === 'object' && !ArrayBuffer.isView(out) ? out.action : out;
        baseline.set(typeof a === 'number' ? [a] : a, r * this.actionDim);
      }
    }
    return super.act(obs, { ...opts, baseline }) as Float32Array;
  }
}
