/**
 * Types shared by the workers and the UI (plus two tiny pure helpers for trades). Nothing here
 * imports tfjs at run time, so the main bundle can use it. Large arrays are typed arrays, transferred (comlink.transfer), never copied.
 */
import type { Panel, SplitName } from '../src/core/data/types.ts';
import type { ExperimentConfigInput } from '../src/core/experiment/config.ts';
import type {
  RunEvaluation as CoreRunEvaluation,
  SplitEvaluation as CoreSplitEvaluation,
  Trade,
} from '../src/core/experiment/types.ts';

export type { BackendInfo, BackendPref } from '../src/core/agents/backend.ts';
export type { MetricsRecordView } from '../src/core/experiment/types.ts';
export type { Panel, SplitName, Trade };

/** A panel on the wire: same as core's Panel (typed arrays are transferred). */
export type PanelMessage = Panel;

/** Flat metric batch keyed by name (`losses/policy`, `charts/episodic_return`, `perf/sps`, …). */
export type MetricBatch = Record<string, { steps: number[]; values: number[] }>;

/** Throttled (≤ 10 per second) messages from a running training. */
export type ProgressMessage =
  | {
      kind: 'progress';
      step: number;
      total: number;
      /** Env steps per second, smoothed. */
      sps: number;
      /** New metric points since the previous message. */
      metrics: MetricBatch;
      /** What the worker is doing ('collecting dataset', 'training', 'evaluating', …). */
      phase?: string;
    }
  | {
      kind: 'eval';
      step: number;
      split: SplitName;
      dates: string[];
      /** Agent portfolio value rebased to 1 at the split start. */
      agent: Float64Array;
      /** Buy-and-hold (equal weight) on the same rows, for reference. */
      benchmark: Float64Array | null;
    }
  | {
      kind: 'checkpoint';
      step: number;
      checkpoint: CheckpointData;
    };

/** A saved agent: tfjs model artefacts plus what is needed to resume or evaluate it. */
export interface CheckpointData {
  format: 'rl-trading-lab/checkpoint@1';
  algo: string;
  step: number;
  /** Configs the agent was built with (agent, env, features), as plain JSON. */
  config: unknown;
  /** tfjs ModelArtifacts-like JSON (topology / weight specs) per network. */
  manifest: unknown;
  /** Concatenated weights of every network, transferred. */
  weights: ArrayBuffer;
  /**
   * The z-score of the features the agent was trained with (per feature, train split only):
   * evaluating the model on other data scales its inputs with these, as `lab evaluate` does.
   * Absent in checkpoints saved before it was recorded.
   */
  normalization?: { featureNames: string[]; mean: number[]; std: number[] };
}

/**
 * Trades in columns (typed arrays, transferable; thousands of small objects would be cloned one by
 * one on the main thread). Row k: dates[row[k]], assets[asset[k]], signed quantity (+ buy, − sell).
 */
export interface TradeColumns {
  row: Int32Array;
  asset: Int32Array;
  quantity: Float64Array;
  price: Float64Array;
  fee: Float64Array;
}

/** Trades as the worker sends them (columns) or as core's evaluation returns them (objects, e.g. sweep runs). */
export type Trades = TradeColumns | Trade[];

export function tradeCount(t: Trades): number {
  return Array.isArray(t) ? t.length : t.row.length;
}

export function tradeAt(s: { dates: string[]; assets: string[]; trades: Trades }, k: number): Trade {
  const t = s.trades;
  if (Array.isArray(t)) return t[k];
  const q = t.quantity[k];
  return {
    date: s.dates[t.row[k]],
    asset: s.assets[t.asset[k]],
    side: q > 0 ? 'BUY' : 'SELL',
    quantity: Math.abs(q),
    price: t.price[k],
    fee: t.fee[k],
  };
}

/** Core's trade objects → columns (in the worker, before posting). */
export function tradeColumns(
  trades: readonly Trade[],
  dates: readonly string[],
  assets: readonly string[],
): TradeColumns {
  const rowOf = new Map(dates.map((d, i) => [d, i]));
  const assetOf = new Map(assets.map((a, i) => [a, i]));
  const n = trades.length;
  const out: TradeColumns = {
    row: new Int32Array(n),
    asset: new Int32Array(n),
    quantity: new Float64Array(n),
    price: new Float64Array(n),
    fee: new Float64Array(n),
  };
  trades.forEach((t, k) => {
    out.row[k] = rowOf.get(t.date) ?? -1;
    out.asset[k] = assetOf.get(t.asset) ?? -1;
    out.quantity[k] = t.side === 'BUY' ? t.quantity : -t.quantity;
    out.price[k] = t.price;
    out.fee[k] = t.fee;
  });
  return out;
}

/**
 * Core's evaluation as the UI holds it. Two differences, both wider than core's: trades may be
 * columns (the trainer worker sends them so) and `returns` may be absent (runs saved before core's
 * evaluation added them). Core's SplitEvaluation is assignable to this one.
 */
export interface SplitEvaluation extends Omit<CoreSplitEvaluation, 'trades' | 'returns'> {
  trades: Trades;
  /** Strategy → period returns; absent in older saved runs. */
  returns?: CoreSplitEvaluation['returns'];
}

export interface RunEvaluation extends Omit<CoreRunEvaluation, 'splits'> {
  splits: SplitEvaluation[];
}

/** How a training ended. */
export interface TrainOutcome {
  status: 'complete' | 'stopped' | 'nan';
  /** Human-readable reason for stopped / nan. */
  reason?: string;
  steps: number;
  durationMs: number;
  backend: string;
  /** The whole flat metric log (not thinned). */
  learning: MetricBatch;
  evaluation: RunEvaluation | null;
  /** Last good checkpoint (before a NaN, at the end otherwise). */
  checkpoint: CheckpointData | null;
}

/** What Train sends: core's experiment config (the same one `lab train` and sweeps run) and the panel. */
export interface TrainRequest {
  config: ExperimentConfigInput;
  /** The whole dataset; the config's `assets` selects from it. Transferred. */
  panel: PanelMessage;
  /** The posts CSV of a workflow that reads one (kol with `kol.signals = 'file'`). */
  signals?: { name: string; text: string };
}
