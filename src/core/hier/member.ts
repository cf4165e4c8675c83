/**
 * One member of the hierarchical workflow's MF-PBT population (population.ts drives many): a whole
 * hierarchy (experts + router) that trains for a number of env steps, scores itself on the
 * validation split, and can be snapshotted into / restored from a checkpoint so that a weak member
 * copies a strong one (exploit) and perturbs its hyperparameters (explore).
 */
import type { CheckpointArtifacts } from '../agents/checkpoint.ts';
import type { RunControl } from '../run/control.ts';

export interface PbtMember {
  /** Train this many more env steps (alternate freezing continues where it stopped); honours pause/stop. */
  train(steps: number, control?: RunControl): Promise<void>;
  /** The hierarchy's annualised Sharpe ratio on the validation split (deterministic book, after costs). */
  score(): Promise<number>;
  /** Weights + optimiser states + Rng states + counters of every expert, the discriminator and the router. */
  snapshot(): Promise<CheckpointArtifacts>;
  restore(s: CheckpointArtifacts): Promise<void>;
  /** The searched hyperparameters by dotted path (`hierarchical.miRewardWeight`, …). */
  hyperparameters(): Record<string, number>;
  setHyperparameters(h: Record<string, number>): void;
  dispose(): void;
}
