/**
 * State of the Sweeps tab: the builder's form, the running sweep (queue, per-run progress) and its
 * results. Plain serialisable data, in its own small zustand store (the lab's store holds the
 * experiment; a sweep only reads it).
 */
import { create } from 'zustand';
import type { SweepRunResult } from '../../core/sweeps/results.ts';
import type { SweepRun, SweepSpec } from '../../core/sweeps/spec.ts';
import { defaultDraft, type SweepDraft } from './draft.ts';

export type SweepStatus = 'idle' | 'validating' | 'running' | 'paused' | 'done' | 'cancelled' | 'failed';

export interface RunProgress {
  state: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  phase: string;
  step: number;
  total: number;
  /** Worker lane running it. */
  lane?: number;
}

export interface SweepState {
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
  setDraft(update: Partial<SweepDraft> | ((d: SweepDraft) => SweepDraft)): void;
  set(partial: Partial<SweepState>): void;
  setProgress(index: number, p: Partial<RunProgress>): void;
  addResult(r: SweepRunResult): void;
}

export function defaultWorkers(): number {
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 2;
  return Math.max(1, cores - 1);
}

export const useSweep = create<SweepState>()((set) => ({
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
  setDraft: (update) => set((s) => ({ draft: typeof update === 'function' ? update(s.draft) : { ...s.draft, ...update } })),
  set: (partial) => set(partial),
  setProgress: (index, p) =>
    set((s) => ({ progress: { ...s.progress, [index]: { ...(s.progress[index] ?? { state: 'queued', phase: '', step: 0, total: 0 }), ...p } } })),
  addResult: (r) => set((s) => ({ results: [...s.results.filter((x) => x.index !== r.index), r].sort((a, b) => a.index - b.index) })),
}));
