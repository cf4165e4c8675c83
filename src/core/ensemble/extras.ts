/**
 * The `ensemble` workflow's result-section data (RunEvaluation.extras, keyed by section id), as
 * the runner (core/workflows/ensembleRunner.ts) writes it and src/ui/results/ensemble reads it.
 * Types only.
 */
import type { SplitName } from '../data/types.ts';

/** 'ensemble-votes': every analyst's vote and the decisions per day, for the first asset. */
export interface VotesExtra {
  asset: string;
  dates: string[];
  /** [T] close of the asset. */
  close: Float64Array;
  /** [T] HOLD 0 / BUY 1 / SELL 2, ABSTAIN −1. */
  technical: Int8Array;
  news: Int8Array;
  /** The BC policy's vote (null when it was not used). */
  rl: Int8Array | null;
  /** [T] risk regime 0/1/2, −1 unknown, and the exposure cap. */
  regime: Int8Array;
  cap: Float64Array;
  /** [T] the 3-analyst decision and the decision with the RL analyst. */
  ensemble: Int8Array;
  ensembleRl: Int8Array | null;
  actions: readonly string[];
  regimes: readonly string[];
  splits: { split: SplitName; start: number; end: number }[];
}

/** 'ensemble-actions': the dataset's action distribution. */
export interface ActionsExtra {
  classes: readonly string[];
  all: { total: number; counts: Record<string, number>; percent: Record<string, number> };
  /** Per split, counts in class order. */
  perSplit: Record<string, number[]>;
}

export interface BcEpochView {
  epoch: number;
  train_loss: number;
  val_loss: number;
  train_accuracy: number;
  val_accuracy: number;
}

/** 'ensemble-bc': BC's training report. */
export interface BcExtra {
  classes: readonly string[];
  epochs: BcEpochView[];
  bestEpoch: number;
  earlyStopped: boolean;
  best: {
    val_accuracy: number;
    train_accuracy: number;
    loss_gap: number;
    val_loss: number;
    train_loss: number;
  };
  validation: {
    precision: Record<string, number>;
    recall: Record<string, number>;
    support: Record<string, number>;
    /** Rows = true class, columns = predicted. */
    confusion: number[][];
  };
  dataset: { train_rows: number; val_rows: number; held_out_test_rows: number };
}

export interface ChecklistItemView {
  value: number | boolean | null;
  threshold: number | string | null;
  pass: boolean | 'pending';
  note?: string;
}

/** 'ensemble-checklist': the production checklist, the RL analyst's status and PPO's summary. */
export interface ChecklistExtra {
  items: Record<string, ChecklistItemView>;
  pass: boolean;
  pending: string[];
  rl: {
    status: string;
    reason?: string;
    agreement_with_ensemble?: number | null;
    /** BC policies voting as one analyst (a seed ensemble when > 1). */
    seeds?: number;
    decisions_changed?: number;
  };
  ppo: {
    status: string;
    reason?: string;
    asset?: string;
    total_steps?: number;
    initial?: Record<string, { bc_log_return: number; ppo_bc_log_return: number }>;
    train_ms?: { ppo_bc: number; ppo_scratch: number };
    inference_ms?: number;
  };
}
