/**
 * The Sweeps tab's state, a slice of the lab's one store: the builder's form (also in the URL as
 * `?sweep=`, kept by store/urlSync.ts beside the experiment's hash), the running sweep (queue,
 * per-run progress) and its results. Plain serialisable data; the sweep reads the experiment.
 */
import type { StateCreator } from 'zustand';
import type { SweepRunResult } from '../../core/sweeps/results.ts';
import type { SweepRun, SweepSpec } from '../../core/sweeps/spec.ts';
import type { LabState } from '../index.ts';
import { defaultDraft, type SweepDraft } from '../sweepDraft.ts';

export type SweepStatus = 'idle' | 'validating' | 'running' | 'paused' | 'done' | 'cancelled' | 'failed';

export interface RunProgress {
  state: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  phase: string;
  step: number;
  total: number;
  /** Worker lane running it. */
  lane?: number;
}

export interface SweepData {
  draft: SweepDraft;
  /** Problems of the form (spec parse / validation), shown above Start. */
  draftError: string | null;
  /** Notice about the sweep read from the link. */
  notice: string | null;
  workers: number;
  status: SweepStatus;
  error: string | null;
  spec: SweepSpec | null;
  runs: SweepRun[];
  progress: Record<number, RunProgress>;
  results: SweepRunResult[];
  startedAt: number | null;
  finishedAt: number | null;
  backend: string | null;
  /** Validation metric for selection, table, scatter and heatmap. */
  metric: string;
}

export interface SweepSlice {
  sweep: SweepData;
  setSweep(partial: Partial<SweepData>): void;
  setSweepDraft(update: Partial<SweepDraft> | ((d: SweepDraft) => SweepDraft)): void;
  setSweepProgress(index: number, p: Partial<RunProgress>): void;
  addSweepResult(r: SweepRunResult): void;
}

export function defaultWorkers(): number {
  const cores =
    typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 2;
  return Math.max(1, cores - 1);
}

export function initialSweep(): SweepData {
  return {
    draft: defaultDraft(2000),
    draftError: null,
    notice: null,
    workers: defaultWorkers(),
    status: 'idle',
    error: null,
    spec: null,
    runs: [],
    progress: {},
    results: [],
    startedAt: null,
    finishedAt: null,
    backend: null,
    metric: 'valid/sharpe',
  };
}

export const createSweepSlice: StateCreator<LabState, [], [], SweepSlice> = (set) => ({
  sweep: initialSweep(),
  setSweep: (partial) => set((s) => ({ sweep: { ...s.sweep, ...partial } })),
  setSweepDraft: (update) =>
    set((s) => ({
      sweep: {
        ...s.sweep,
        draft: typeof update === 'function' ? update(s.sweep.draft) : { ...s.sweep.draft, ...update },
      },
    })),
  setSweepProgress: (index, p) =>
    set((s) => ({
      sweep: {
        ...s.sweep,
        progress: {
          ...s.sweep.progress,
          [index]: {
            ...(s.sweep.progress[index] ?? { state: 'queued', phase: '', step: 0, total: 0 }),
            ...p,
          },
        },
      },
    })),
  addSweepResult: (r) =>
    set((s) => ({
      sweep: {
        ...s.sweep,
        results: [...s.sweep.results.filter((x) => x.index !== r.index), r].sort((a, b) => a.index - b.index),
      },
    })),
});
