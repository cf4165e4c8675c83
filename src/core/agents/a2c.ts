/**
 * Advantage actor-critic (A2C; Mnih et al. 2016, synchronous), in CleanRL's order: config and
 * presets, then the update (networks and acting are shared with PPO: common/policy.ts,
 * common/rollout.ts).
 *
 *   A_t = GAE(λ) (λ = 1: G_t − V(s_t), G_t = r_t + γ G_{t+1}, bootstrapped from V(s_T) unless terminal)
 *   L = −mean(log π(a_t|s_t) · A_t) + c_v · mean((V(s_t) − G_t)²) − c_e · mean(H(π(·|s_t)))
 * with log π and H summed over the factorized heads (seed 003 §5). One gradient step per rollout,
 * gradients clipped to a global norm. Losses are means over the batch (the seed writes sums over t;
 * with Adam/RMSprop the scale barely matters, and means keep learning rates comparable with SB3).
 */
import * as tf from '@tensorflow/tfjs';
import type { Env } from '../envs/types.ts';
import { OnPolicyAgent, type OnPolicyOptions, type UpdateStats } from './common/onPolicy.ts';
import { defaultNetwork, type NetworkSpec } from './common/networks.ts';
import type { OptimizerName } from './common/optim.ts';
import { normalizeAdvantages } from './common/advantages.ts';

export interface A2CConfig {
  /** Seeds the weights, the action sampling and the envs (env i gets seed + i). */
  seed: number;
  /** Env steps to train for, all envs together. */
  totalSteps: number;
  /** Synchronous envs stepped together (one batched forward pass per step). */
  numEnvs: number;
  /** Steps per env per rollout (n-step horizon; QTMRL's "rollout"). */
  numSteps: number;
  /** Discount factor γ. */
  gamma: number;
  /** GAE λ; 1 = plain n-step discounted returns (SB3's A2C default and QTMRL's G_t). */
  gaeLambda: number;
  /** Optimizer learning rate. */
  learningRate: number;
  /** Decay the learning rate linearly to 0 over training. */
  annealLr: boolean;
  /** 'rmsprop' (SB3's A2C) or 'adam' (QTMRL preset). */
  optimizer: OptimizerName;
  /** PyTorch-style optimizer epsilon (SB3's A2C: RMSprop eps 1e-5). */
  optimizerEps: number;
  /** Global gradient-norm clip; ≤ 0 disables. */
  maxGradNorm: number;
  /** Entropy bonus coefficient c_e. */
  entCoef: number;
  /** Value loss coefficient c_v. */
  vfCoef: number;
  /** Normalise advantages per batch (off in SB3's A2C). */
  normAdv: boolean;
  /** Actor-critic network (nets/actorCritic.ts config minus what the env decides): encoder, widths, Box squash, log σ init. */
  network: NetworkSpec;
  /** Apply the env's action masks (info.actionMask / env.actionMask()) as maskable PPO does. */
  useMasks: boolean;
  /** Multiply rewards by this before learning (market rewards are ~1e-3 per step); reported returns stay unscaled. */
  rewardScale: number;
}

/** SB3's A2C defaults (the "standard" preset) with 8 envs and CleanRL's 64×64 tanh MLP. */
export const defaultA2CConfig: A2CConfig = {
  seed: 1,
  totalSteps: 500_000,
  numEnvs: 8,
  numSteps: 5,
  gamma: 0.99,
  gaeLambda: 1.0,
  learningRate: 7e-4,
  annealLr: false,
  optimizer: 'rmsprop',
  optimizerEps: 1e-5,
  maxGradNorm: 0.5,
  entCoef: 0.0,
  vfCoef: 0.5,
  normAdv: false,
  network: defaultNetwork,
  useMasks: true,
  rewardScale: 1,
};

/**
 * Presets. 'qtmrl' is seed 003's A2C (γ 0.96, entropy 0.05, value coef 1.0, grad clip 1.0, rollout 50,
 * lr 1e-5, 1e6 env steps) with Adam (the paper does not name its optimizer; Adam is the PyTorch
 * default of its lineage). The seed is silent on parallel actors: 8 synchronous envs as in A2C.
 */
export const a2cPresets: Record<'standard' | 'qtmrl', Partial<A2CConfig>> = {
  standard: {},
  qtmrl: {
    totalSteps: 1_000_000,
    numEnvs: 8,
    numSteps: 50,
    gamma: 0.96,
    gaeLambda: 1.0,
    learningRate: 1e-5,
    optimizer: 'adam',
    optimizerEps: 1e-8,
    maxGradNorm: 1.0,
    entCoef: 0.05,
    vfCoef: 1.0,
  },
};

export function a2cConfig(
  preset: keyof typeof a2cPresets = 'standard',
  overrides: Partial<A2CConfig> = {},
): A2CConfig {
  const base = a2cPresets[preset];
  if (!base)
    throw new Error(`unknown A2C preset '${String(preset)}' (${Object.keys(a2cPresets).join(', ')})`);
  return { ...defaultA2CConfig, ...base, ...overrides };
}

export class A2C extends OnPolicyAgent<A2CConfig> {
  readonly algo = 'a2c';

  constructor(config: Partial<A2CConfig>, makeEnv: (index: number) => Env, options: OnPolicyOptions = {}) {
    super({ ...defaultA2CConfig, ...config }, makeEnv, options);
  }

  protected async update(): Promise<UpdateStats> {
    const { vfCoef, entCoef, normAdv } = this.config;
    const advantages = normAdv ? normalizeAdvantages(this.buffer.advantages) : this.buffer.advantages;
    const b = this.batchTensors(advantages);
    try {
      return await this.gradientStep(
        () =>
          tf.tidy(() => {
            const { logProb, entropy, value } = this.policy.evaluateActions(b.obs, b.actions, b.mask, b.days);
            const policyLoss = tf.neg(tf.mean(tf.mul(b.advantages, logProb))) as tf.Scalar;
            const valueLoss = tf.mean(tf.square(tf.sub(b.returns, value))) as tf.Scalar;
            const entropyMean = tf.mean(entropy) as tf.Scalar;
            const loss = tf.sub(
              tf.add(policyLoss, tf.mul(vfCoef, valueLoss)),
              tf.mul(entCoef, entropyMean),
            ) as tf.Scalar;
            return { loss, stats: tf.stack([policyLoss, valueLoss, entropyMean]) as tf.Tensor1D };
          }),
        ['losses/policy', 'losses/value', 'losses/entropy'],
        `update ${this.iteration + 1}`,
      );
    } finally {
      tf.dispose([b.obs, b.actions, b.advantages, b.returns, b.oldLogprobs, b.oldValues]);
      b.mask?.dispose();
    }
  }
}
