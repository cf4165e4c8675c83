import type { BackendInfo } from '../../workers/protocol.ts';
import type { FieldValue } from '../core/experiment/fields.ts';
import type { AlgoId } from '../core/experiment/vocabulary.ts';
import type { Experiment } from './experiment.ts';

export type SplitName = 'train' | 'valid' | 'test';

/** One row of the metrics table (src/core/metrics names, snake_case like the CLI's metrics.json). */
export interface MetricsRow {
  total_return: number;
  cagr: number;
  annual_volatility: number;
  sharpe: number;
  sortino: number;
  calmar: number;
  max_drawdown: number;
  turnover: number;
  [extra: string]: number;
}

/** What the store keeps about a saved run; curves and checkpoint stay in IndexedDB. */
export interface RunSummary {
  id: string;
  name: string;
  createdAt: number;
  status: 'complete' | 'stopped' | 'failed';
  /** Why a failed/stopped run ended (NaN stop, worker crash, user stop). */
  endReason?: string;
  algo: AlgoId;
  dataLabel: string;
  backend: string;
  steps: number;
  seed: number;
  experiment: Experiment;
  /** The URL hash that reproduces this run. */
  hash: string;
  /** Agent metrics per split (absent when the split has no rows). */
  metrics: Partial<Record<SplitName, MetricsRow>>;
  hasCheckpoint: boolean;
  durationMs: number;
}

export interface DatasetMeta {
  id: string;
  label: string;
  assets: string[];
  start: string;
  end: string;
  rows: number;
}

/** A file the user loaded, with its import outcome. */
export interface LoadedFile {
  name: string;
  size: number;
  status: 'ok' | 'warning' | 'error';
  /** Readable problems, each naming the file, line and column where known. */
  messages: { level: 'error' | 'warning' | 'info'; text: string; line?: number; column?: string | number }[];
  assets: string[];
  rows: number;
}

export interface DataLoadState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  /** 0..1 while loading. */
  progress: number;
  phase: string;
  error: string | null;
  meta: DatasetMeta | null;
}

export interface SeriesPoint {
  step: number;
  value: number;
}

export type TrainStatus =
  'idle' | 'starting' | 'running' | 'paused' | 'stopping' | 'evaluating' | 'done' | 'failed';

export interface TrainProgress {
  step: number;
  total: number;
  sps: number;
  etaS: number | null;
  startedAt: number;
}

export interface TrainFailure {
  kind: 'nan' | 'crash' | 'error';
  message: string;
  step: number;
  /** Whether a last good checkpoint was kept. */
  checkpointKept: boolean;
}

export type { BackendInfo, FieldValue };
