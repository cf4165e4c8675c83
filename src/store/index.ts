import { create } from 'zustand';
import { fieldOf } from '../core/experiment/vocabulary.ts';
import { getWorkflow, needsPriceData, readsSignalsFile } from '../core/workflows/registry.ts';
import {
  activeFields,
  algoOf,
  errorKey,
  flatValues,
  panelOf,
  splitProblems,
  type Experiment,
} from './experiment.ts';
import { createDataSlice, type DataSlice } from './slices/data.ts';
import { createExperimentSlice, type ExperimentSlice } from './slices/experiment.ts';
import { createRunsSlice, type RunsSlice } from './slices/runs.ts';
import { createSweepSlice, type SweepSlice } from './slices/sweep.ts';
import { createTrainSlice, type TrainSlice } from './slices/train.ts';

export type LabState = ExperimentSlice & DataSlice & TrainSlice & RunsSlice & SweepSlice;

export const useLab = create<LabState>()((...a) => ({
  ...createExperimentSlice(...a),
  ...createDataSlice(...a),
  ...createTrainSlice(...a),
  ...createRunsSlice(...a),
  ...createSweepSlice(...a),
}));

/** Reasons Train is blocked: every invalid shown field, named by panel and label. Empty = ready. */
export function trainBlockers(
  s: Pick<LabState, 'experiment' | 'errors'> & Partial<Pick<LabState, 'signals'>>,
): string[] {
  const e = s.experiment;
  const algo = algoOf(e);
  const flat = flatValues(e);
  const workflow = getWorkflow(e.workflow);
  // A workflow that makes its own data (supplychain) has no splits to check.
  const out: string[] = needsPriceData(workflow.id)
    ? splitProblems(flat).map((m) => `Data · splits: ${m}`)
    : [];
  if (
    workflow.setup.some((x) => x.id === 'features') &&
    !Object.entries(flat).some(([k, v]) => k.startsWith('features.') && v === true)
  )
    out.push('Setup · features: select at least one feature group');
  // A workflow whose learner is set by its own fields (algorithms: []) ignores the Agent panel.
  if (workflow.algorithms.length > 0 && !workflow.algorithms.includes(algo))
    out.push(`Agent · ${algo.toUpperCase()} is not an algorithm of the ${workflow.title} workflow`);
  if (readsSignalsFile(e.workflow, flat) && s.signals?.status !== 'ok')
    out.push('Data · posts: load a signals CSV (or choose another source of posts)');
  for (const f of workflow.fields ?? []) {
    if (f.when && !f.when(flat)) continue;
    const m = s.errors[f.path];
    if (m !== undefined) out.push(`Setup · ${f.label}: ${m}`);
  }
  for (const f of activeFields(flat)) {
    const m = s.errors[errorKey(f.path, algo)];
    if (m !== undefined) out.push(`${panelOf(f.path)} · ${fieldOf(f.path, algo)?.label ?? f.path}: ${m}`);
  }
  return out;
}

export { splitProblems };
export type { Experiment };
