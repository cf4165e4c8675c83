/**
 * Proximal policy optimisation (Schulman et al. 2017), following CleanRL's ppo.py: config and
 * presets, then the update (networks, acting and rollouts are shared: common/policy.ts,
 * common/rollout.ts).
 *
 * Per iteration: collect numSteps × numEnvs transitions, GAE(λ), then updateEpochs passes over the
 * batch in numMinibatches shuffled minibatches with the clipped surrogate
 *   L = mean(max(−A·r, −A·clip(r, 1 ± ε))) + c_v·½·mean(max((V − R)², (V_clip − R)²)) − c_e·mean(H)
 * (r = π/π_old, V_clip = V_old + clip(V − V_old, ±ε) when clipVloss), advantages normalised per
 * minibatch, gradients clipped to a global norm, optional early stop when the approximate KL of an
 * epoch's last minibatch exceeds targetKl. Action masks from the env are stored with each step and
 * re-applied in the update, as sb3-contrib's MaskablePPO does.
 */
import * as tf from '@tensorflow/tfjs';
import type { Env } from '../envs/types.ts';
import { OnPolicyAgent, type OnPolicyOptions, type UpdateStats } from './common/onPolicy.ts';
import { defaultNetwork, type NetworkSpec } from './common/networks.ts';
import type { OptimizerName } from './common/optim.ts';

export interface PPOConfig {
  /** Seeds the weights, the action sampling, the minibatch shuffles and the envs (env i gets seed + i). */
  seed: number;
  /** Env steps to train for, all envs together. */
  totalSteps: number;
  /** Synchronous envs stepped together (one batched forward pass per step). */
  numEnvs: number;
  /** Steps per env per rollout. */
  numSteps: number;
  /** Discount factor γ. */
  gamma: number;
  /** GAE λ. */
  gaeLambda: number;
  /** Optimizer learning rate. */
  learningRate: number;
  /** Decay the learning rate linearly to 0 over training (CleanRL's anneal_lr). */
  annealLr: boolean;
  /** Optimizer; CleanRL uses Adam. */
  optimizer: OptimizerName;
  /** PyTorch-style optimizer epsilon (CleanRL: Adam eps 1e-5). */
  optimizerEps: number;
  /** Minibatches per epoch; minibatch size = numEnvs·numSteps / numMinibatches. */
  numMinibatches: number;
  /** Passes over each rollout. */
  updateEpochs: number;
  /** Normalise advantages per minibatch. */
  normAdv: boolean;
  /** Surrogate clipping ε. */
  clipCoef: number;
  /** Clip the value loss around the old values (same ε). */
  clipVloss: boolean;
  /** Entropy bonus coefficient. */
  entCoef: number;
  /** Value loss coefficient (on ½·MSE, as CleanRL). */
  vfCoef: number;
  /** Global gradient-norm clip; ≤ 0 disables. */
  maxGradNorm: number;
  /** Stop an update's epochs early when approx KL exceeds this; null = never. */
  targetKl: number | null;
  /** Actor-critic network (nets/actorCritic.ts config minus what the env decides): encoder, widths, Box squash, log σ init. */
  network: NetworkSpec;
  /** Apply the env's action masks (info.actionMask / env.actionMask()) as MaskablePPO does. */
  useMasks: boolean;
  /** Multiply rewards by this before learning (market rewards are ~1e-3 per step); reported returns stay unscaled. */
  rewardScale: number;
}

/** CleanRL ppo.py's defaults (the "standard" preset), 64×64 tanh actor and critic. */
export const defaultPPOConfig: PPOConfig = {
  seed: 1,
  totalSteps: 500_000,
  numEnvs: 4,
  numSteps: 128,
  gamma: 0.99,
  gaeLambda: 0.95,
  learningRate: 2.5e-4,
  annealLr: true,
  optimizer: 'adam',
  optimizerEps: 1e-5,
  numMinibatches: 4,
  updateEpochs: 4,
  normAdv: true,
  clipCoef: 0.2,
  clipVloss: true,
  entCoef: 0.01,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
  targetKl: null,
  network: defaultNetwork,
  useMasks: true,
  rewardScale: 1,
};

/**
 * Presets. 'sb3' is SB3's PPO defaults (lr 3e-4, 2048 steps, minibatch 64, 10 epochs, no entropy).
 * 'qtmrl' carries seed 003's task choices (γ 0.96, entropy 0.05, grad clip 1.0, rollout 50, 1e6
 * steps, 8 envs) over to PPO and keeps PPO's own optimisation settings (Adam 2.5e-4, 4×4 minibatch
 * epochs): the seed's lr 1e-5 is an A2C number.
 */
export const ppoPresets: Record<'standard' | 'sb3' | 'qtmrl', Partial<PPOConfig>> = {
  standard: {},
  sb3: {
    numEnvs: 1,
    numSteps: 2048,
    learningRate: 3e-4,
    annealLr: false,
    numMinibatches: 32,
    updateEpochs: 10,
    entCoef: 0,
    clipVloss: false,
    optimizerEps: 1e-5,
  },
  qtmrl: {
    totalSteps: 1_000_000,
    numEnvs: 8,
    numSteps: 50,
    gamma: 0.96,
    entCoef: 0.05,
    maxGradNorm: 1.0,
  },
};

export function ppoConfig(
  preset: keyof typeof ppoPresets = 'standard',
  overrides: Partial<PPOConfig> = {},
): PPOConfig {
  const base = ppoPresets[preset];
  if (!base)
    throw new Error(`unknown PPO preset '${String(preset)}' (${Object.keys(ppoPresets).join(', ')})`);
  return { ...defaultPPOConfig, ...base, ...overrides };
}

const STAT_NAMES = [
  'losses/policy',
  'losses/value',
  'losses/entropy',
  'losses/old_approx_kl',
  'losses/approx_kl',
  'losses/clipfrac',
];

export class PPO extends OnPolicyAgent<PPOConfig> {
  readonly algo = 'ppo';
  private readonly indices: Int32Array;

  constructor(config: Partial<PPOConfig>, makeEnv: (index: number) => Env, options: OnPolicyOptions = {}) {
    const c = { ...defaultPPOConfig, ...config };
    const batch = c.numEnvs * c.numSteps;
    if (!Number.isInteger(c.numMinibatches) || c.numMinibatches < 1 || batch % c.numMinibatches !== 0)
      throw new Error(`config.numMinibatches (${c.numMinibatches}) must divide numEnvs·numSteps (${batch})`);
    if (!(c.updateEpochs >= 1) || !Number.isInteger(c.updateEpochs))
      throw new Error(`config.updateEpochs must be a positive integer, got ${c.updateEpochs}`);
    if (!(c.clipCoef > 0)) throw new Error(`config.clipCoef must be > 0, got ${c.clipCoef}`);
    super(c, makeEnv, options);
    this.indices = Int32Array.from({ length: batch }, (_, i) => i);
  }

  protected async update(): Promise<UpdateStats> {
    const { updateEpochs, numMinibatches, clipCoef, clipVloss, entCoef, vfCoef, normAdv, targetKl } =
      this.config;
    const B = this.batchSize;
    const mbSize = B / numMinibatches;
    const b = this.batchTensors(this.buffer.advantages);
    const sums: Record<string, number> = {};
    let count = 0;
    let epochsRun = 0;
    try {
      for (let epoch = 0; epoch < updateEpochs; epoch++) {
        this.minibatchRng.shuffle(this.indices);
        let lastKl = 0;
        for (let start = 0; start < B; start += mbSize) {
          const rowsIdx = this.indices.subarray(start, start + mbSize);
          const idx = tf.tensor1d(rowsIdx, 'int32');
          const mbDays = b.days ? Int32Array.from(rowsIdx, (r) => b.days![r]) : null;
          const mb = tf.tidy(() => ({
            obs: tf.gather(b.obs, idx) as tf.Tensor2D,
            actions: tf.gather(b.actions, idx) as tf.Tensor2D,
            advantages: tf.gather(b.advantages, idx) as tf.Tensor1D,
            returns: tf.gather(b.returns, idx) as tf.Tensor1D,
            oldLogprobs: tf.gather(b.oldLogprobs, idx) as tf.Tensor1D,
            oldValues: tf.gather(b.oldValues, idx) as tf.Tensor1D,
          }));
          const mbMask = b.mask ? tf.gather(b.mask, idx) : null;
          idx.dispose();
          try {
            const stats = await this.gradientStep(
              () =>
                tf.tidy(() => {
                  const { logProb, entropy, value } = this.policy.evaluateActions(
                    mb.obs,
                    mb.actions,
                    mbMask,
                    mbDays,
                  );
                  const logratio = tf.sub(logProb, mb.oldLogprobs);
                  const ratio = tf.exp(logratio);
                  const oldApproxKl = tf.mean(tf.neg(logratio));
                  const approxKl = tf.mean(tf.sub(tf.sub(ratio, 1), logratio));
                  const clipfrac = tf.mean(
                    tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), clipCoef), 'float32'),
                  );
                  let adv: tf.Tensor1D = mb.advantages;
                  if (normAdv) {
                    const mean = tf.mean(adv);
                    const centered = tf.sub(adv, mean);
                    const std = tf.sqrt(tf.div(tf.sum(tf.square(centered)), Math.max(1, mbSize - 1)));
                    adv = tf.div(centered, tf.add(std, 1e-8));
                  }
                  const pg1 = tf.mul(tf.neg(adv), ratio);
                  const pg2 = tf.mul(tf.neg(adv), tf.clipByValue(ratio, 1 - clipCoef, 1 + clipCoef));
                  const policyLoss = tf.mean(tf.maximum(pg1, pg2));
                  let valueLoss: tf.Tensor;
                  if (clipVloss) {
                    const unclipped = tf.square(tf.sub(value, mb.returns));
                    const vClipped = tf.add(
                      mb.oldValues,
                      tf.clipByValue(tf.sub(value, mb.oldValues), -clipCoef, clipCoef),
                    );
                    const clipped = tf.square(tf.sub(vClipped, mb.returns));
                    valueLoss = tf.mul(0.5, tf.mean(tf.maximum(unclipped, clipped)));
                  } else {
                    valueLoss = tf.mul(0.5, tf.mean(tf.square(tf.sub(value, mb.returns))));
                  }
                  const entropyMean = tf.mean(entropy);
                  const loss = tf.add(
                    tf.sub(policyLoss, tf.mul(entCoef, entropyMean)),
                    tf.mul(vfCoef, valueLoss),
                  ) as tf.Scalar;
                  const stats = tf.stack([
                    policyLoss,
                    valueLoss,
                    entropyMean,
                    oldApproxKl,
                    approxKl,
                    clipfrac,
                  ]) as tf.Tensor1D;
                  return { loss, stats };
                }),
              STAT_NAMES,
              `update ${this.iteration + 1}, epoch ${epoch + 1}, minibatch ${start / mbSize + 1}`,
            );
            for (const [k, v] of Object.entries(stats)) sums[k] = (sums[k] ?? 0) + v;
            count++;
            lastKl = stats['losses/approx_kl'];
          } finally {
            tf.dispose(Object.values(mb));
            mbMask?.dispose();
          }
        }
        epochsRun++;
        if (targetKl !== null && lastKl > targetKl) break;
      }
    } finally {
      tf.dispose([b.obs, b.actions, b.advantages, b.returns, b.oldLogprobs, b.oldValues]);
      b.mask?.dispose();
    }
    const out: UpdateStats = {};
    for (const [k, v] of Object.entries(sums)) out[k] = v / count;
    out['losses/epochs'] = epochsRun;
    return out;
  }
}
