/**
 * The residual policy's settings (seed 000) and their defaults, apart from the training code so the
 * lab's page can read them (workflow.ts) without the trainer.
 */
import type { KolRewardKind } from './replay.ts';
import { checkResidualScale } from './residual.ts';

/** The residual's own settings (the book's come from the prepared data). */
export interface KolResidualConfig {
  /** λ of the fidelity penalty λ·(π − b)² on the policy's action. Seed default 0.3. */
  fidelityLambda: number;
  /** π = b·(1 + scale·tanh δ). Seed default 0.2. */
  residualScale: number;
  /** Epochs of the BC warm start (residual 0). Seed default 1. */
  bcEpochs: number;
  /** IQL updates. */
  steps: number;
  /** Seed of the buffer's perturbations, the nets and the batches. */
  seed: number;
  /** Perturbed copies of each ticker-day (counterfactual actions with their exact reward). */
  explore: number;
  /** What the reward measures (replay.ts KolRewardKind). */
  reward: KolRewardKind;
  /** Dimension of the hashed text embedding. */
  textDim: number;
  /** IQL's reward multiplier; 0 = 1 / the buffer's reward standard deviation. */
  rewardScale: number;
  /** IQL's inverse temperature β of exp(β·A) (in standard deviations of A with advantageNorm). */
  beta: number;
  /** Standardised, self-normalised advantage weights (iqlResidual.ts). */
  advantageNorm: boolean;
  /** The critic sees u = (a/b − 1)/scale (iqlResidual.ts). */
  relativeActions: boolean;
  /** Adam learning rate of the actor, the twin Q and V. */
  learningRate: number;
  hidden: number[];
  batchSize: number;
}

/**
 * Defaults: the seed's λ 0.3, scale 0.2 and 1 BC epoch; the rest measured on the synthetic proof
 * (README): 600 updates of 32×32 nets at rate 1e-3 (cosine for the actor) learn the per-ticker
 * reliability in seconds.
 */
export const DEFAULT_KOL_RESIDUAL: Readonly<KolResidualConfig> = Object.freeze({
  fidelityLambda: 0.3,
  residualScale: 0.2,
  bcEpochs: 1,
  steps: 600,
  seed: 0,
  explore: 2,
  reward: 'book' as KolRewardKind,
  textDim: 16,
  rewardScale: 0,
  beta: 3,
  advantageNorm: true,
  relativeActions: true,
  learningRate: 1e-3,
  hidden: [32, 32],
  batchSize: 256,
});

/** Throws an Error naming the field when a setting is out of range. */
export function checkKolResidualConfig(c: KolResidualConfig): void {
  checkResidualScale(c.residualScale);
  if (!(c.fidelityLambda >= 0)) throw new Error(`fidelity_lambda must be ≥ 0, got ${c.fidelityLambda}`);
  if (!(Number.isInteger(c.bcEpochs) && c.bcEpochs >= 0))
    throw new Error(`bc_epochs must be a whole number ≥ 0, got ${c.bcEpochs}`);
  if (!(Number.isInteger(c.steps) && c.steps >= 1))
    throw new Error(`steps must be a whole number ≥ 1, got ${c.steps}`);
  if (!(c.rewardScale >= 0)) throw new Error(`reward_scale must be ≥ 0 (0 = auto), got ${c.rewardScale}`);
  if (!(c.beta >= 0)) throw new Error(`beta must be ≥ 0, got ${c.beta}`);
  if (!(c.learningRate > 0)) throw new Error(`learning_rate must be > 0, got ${c.learningRate}`);
}
