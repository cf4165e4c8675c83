import type { StateCreator } from 'zustand';
import type { LabState } from '../index.ts';
import type { RunSummary } from '../types.ts';

export interface RunsSlice {
  runs: RunSummary[];
  runsLoaded: boolean;
  /** Run shown in Results. */
  selectedRunId: string | null;
  /** Runs ticked for comparison. */
  compareIds: string[];
  setRuns(runs: RunSummary[]): void;
  upsertRun(run: RunSummary): void;
  removeRun(id: string): void;
  selectRun(id: string | null): void;
  toggleCompare(id: string): void;
}

export const createRunsSlice: StateCreator<LabState, [], [], RunsSlice> = (set) => ({
  runs: [],
  runsLoaded: false,
  selectedRunId: null,
  compareIds: [],
  setRuns: (runs) => set({ runs: [...runs].sort((a, b) => b.createdAt - a.createdAt), runsLoaded: true }),
  upsertRun: (run) =>
    set((s) => {
      const rest = s.runs.filter((r) => r.id !== run.id);
      return { runs: [run, ...rest].sort((a, b) => b.createdAt - a.createdAt) };
    }),
  removeRun: (id) =>
    set((s) => ({
      runs: s.runs.filter((r) => r.id !== id),
      compareIds: s.compareIds.filter((c) => c !== id),
      selectedRunId: s.selectedRunId === id ? null : s.selectedRunId,
    })),
  selectRun: (id) => set({ selectedRunId: id }),
  toggleCompare: (id) =>
    set((s) => ({
      compareIds: s.compareIds.includes(id) ? s.compareIds.filter((c) => c !== id) : [...s.compareIds, id],
    })),
});
