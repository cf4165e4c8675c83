import type { StateCreator } from 'zustand';
import type { LabState } from '../index.ts';
import type { BackendInfo, SeriesPoint, TrainFailure, TrainProgress, TrainStatus } from '../types.ts';

/** Live series are for display: past this many points the older half is thinned 2:1. */
export const LIVE_POINTS_CAP = 2000;

export interface LiveEquity {
  step: number;
  dates: string[];
  agent: number[];
  benchmark: number[] | null;
}

export interface TrainSlice {
  status: TrainStatus;
  progress: TrainProgress | null;
  /** What the worker is doing now ('building features', 'training', 'evaluating', …). */
  phase: string;
  backend: BackendInfo | null;
  backendError: string | null;
  /** Flat metric key (`losses/policy`, `charts/episodic_return`, …) → points, thinned for display. */
  live: Record<string, SeriesPoint[]>;
  liveEquity: LiveEquity | null;
  failure: TrainFailure | null;
  activeRunId: string | null;
  setStatus(status: TrainStatus): void;
  setProgress(progress: TrainProgress | null): void;
  setBackend(info: BackendInfo | null, error?: string | null): void;
  appendLive(batch: Record<string, SeriesPoint[]>): void;
  setLiveEquity(eq: LiveEquity | null): void;
  beginRun(runId: string): void;
  fail(failure: TrainFailure): void;
}

function thin(points: SeriesPoint[]): SeriesPoint[] {
  if (points.length <= LIVE_POINTS_CAP) return points;
  const half = Math.floor(points.length / 2);
  const older = points.slice(0, half).filter((_, i) => i % 2 === 0);
  return older.concat(points.slice(half));
}

/** Appends a batch to the live series, thinning each past LIVE_POINTS_CAP (a new object: store-friendly). */
export function mergeLive(
  live: Record<string, SeriesPoint[]>,
  batch: Record<string, SeriesPoint[]>,
): Record<string, SeriesPoint[]> {
  const next = { ...live };
  for (const [key, pts] of Object.entries(batch)) next[key] = thin((next[key] ?? []).concat(pts));
  return next;
}

export const createTrainSlice: StateCreator<LabState, [], [], TrainSlice> = (set) => ({
  status: 'idle',
  progress: null,
  phase: '',
  backend: null,
  backendError: null,
  live: {},
  liveEquity: null,
  failure: null,
  activeRunId: null,
  setStatus: (status) => set({ status }),
  setProgress: (progress) => set({ progress }),
  setBackend: (info, error = null) => set({ backend: info, backendError: error }),
  appendLive: (batch) => set((s) => ({ live: mergeLive(s.live, batch) })),
  setLiveEquity: (liveEquity) => set({ liveEquity }),
  beginRun: (runId) =>
    set({
      activeRunId: runId,
      live: {},
      liveEquity: null,
      failure: null,
      progress: null,
      phase: 'starting',
      status: 'starting',
    }),
  fail: (failure) => set({ failure, status: 'failed' }),
});
