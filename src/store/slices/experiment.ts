import type { StateCreator } from 'zustand';
import { agentValues, defaultTotalSteps, normalizeValues } from '../../core/experiment/vocabulary.ts';
import {
  algoOf,
  defaultExperiment,
  errorKey,
  flatValues,
  setValueIn,
  withFlat,
  type AlgoId,
  type Experiment,
  type FieldValue,
  type Values,
} from '../experiment.ts';
import type { LabState } from '../index.ts';

export interface ExperimentSlice {
  experiment: Experiment;
  /** Problems found in the URL hash, shown to the user (values fell back to defaults). */
  notices: string[];
  /** Invalid text typed in a field, keyed by errorKey (path; `algo:path` for agent fields). */
  errors: Record<string, string>;
  /** Whether the workflow start view is open (first visit with no link, or the header's button). */
  startOpen: boolean;
  loadExperiment(experiment: Experiment, notices: string[]): void;
  dismissNotices(): void;
  /** Sets one field by its dotted path (core units). */
  setValue(path: string, value: FieldValue): void;
  /** Sets several split values at once (timeline sliders); `replace` drops the other split kind (dates ⇄ shares). */
  setSplits(values: Values, replace?: boolean): void;
  setAlgo(algo: AlgoId): void;
  applyPreset(preset: string): void;
  setAssets(assets: string[]): void;
  setError(path: string, message: string | null): void;
  /** Opens a workflow with its start values (the start view's one click). */
  startWorkflow(id: string): void;
  setStartOpen(open: boolean): void;
}

export const createExperimentSlice: StateCreator<LabState, [], [], ExperimentSlice> = (set) => ({
  experiment: defaultExperiment(),
  notices: [],
  errors: {},
  startOpen: false,
  loadExperiment: (experiment, notices) => set({ experiment, notices, errors: {} }),
  dismissNotices: () => set({ notices: [] }),
  setValue: (path, value) => set((s) => ({ experiment: setValueIn(s.experiment, path, value) })),
  setSplits: (values, replace = false) =>
    set((s) => {
      const flat = flatValues(s.experiment);
      if (replace) for (const k of Object.keys(flat)) if (k.startsWith('splits.')) delete flat[k];
      const errors = replace
        ? Object.fromEntries(Object.entries(s.errors).filter(([k]) => !k.startsWith('splits.')))
        : s.errors;
      return { experiment: withFlat(s.experiment, { ...flat, ...values }), errors };
    }),
  setAlgo: (algo) =>
    set((s) => {
      // An untouched step budget follows the algorithm's default (IQL counts updates); one the user typed stays.
      const before = algoOf(s.experiment);
      const untouched = flatValues(s.experiment).totalSteps === defaultTotalSteps(before);
      const next = setValueIn(s.experiment, 'algo', algo);
      return { experiment: untouched ? setValueIn(next, 'totalSteps', defaultTotalSteps(algo)) : next };
    }),
  applyPreset: (preset) =>
    set((s) => {
      const e = s.experiment;
      const algo = algoOf(e);
      const agent = normalizeValues({ ...e.values, ...agentValues(algo, preset) });
      const errors = Object.fromEntries(Object.entries(s.errors).filter(([k]) => !k.startsWith(`${algo}:`)));
      return { experiment: withFlat(e, agent), errors };
    }),
  setAssets: (assets) => set((s) => ({ experiment: { ...s.experiment, assets } })),
  setError: (path, message) =>
    set((s) => {
      const key = errorKey(path, algoOf(s.experiment));
      if (message === null && !(key in s.errors)) return {};
      const next = { ...s.errors };
      if (message === null) delete next[key];
      else next[key] = message;
      return { errors: next };
    }),
  startWorkflow: (id) =>
    set({ experiment: defaultExperiment(id), notices: [], errors: {}, startOpen: false }),
  setStartOpen: (startOpen) => set({ startOpen }),
});
