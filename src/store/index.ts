import { create } from 'zustand';
import { TRAINABLE_ALGOS } from './algorithms.ts';
import { defaultExperiment, type Experiment } from './experiment.ts';
import { createAgentSlice, type AgentSlice } from './slices/agent.ts';
import { createDataSlice, type DataSlice } from './slices/data.ts';
import { createRunsSlice, type RunsSlice } from './slices/runs.ts';
import { createSetupSlice, type SetupSlice } from './slices/setup.ts';
import { createTrainSlice, type TrainSlice } from './slices/train.ts';

/** State shared by every slice: the experiment (what a link encodes) and link notices. */
export interface ExperimentSlice {
  experiment: Experiment;
  /** Problems found in the URL hash, shown to the user (values fell back to defaults). */
  notices: string[];
  loadExperiment(experiment: Experiment, notices: string[]): void;
  dismissNotices(): void;
}

export type LabState = ExperimentSlice & DataSlice & SetupSlice & AgentSlice & TrainSlice & RunsSlice;

export const useLab = create<LabState>()((...a) => ({
  experiment: defaultExperiment(),
  notices: [],
  loadExperiment: (experiment, notices) =>
    a[0]({ experiment, notices, dataErrors: {}, setupErrors: {}, agentErrors: {}, trainErrors: {} }),
  dismissNotices: () => a[0]({ notices: [] }),
  ...createDataSlice(...a),
  ...createSetupSlice(...a),
  ...createAgentSlice(...a),
  ...createTrainSlice(...a),
  ...createRunsSlice(...a),
}));

/** Cross-field problems of the date splits (each split ordered, splits not overlapping). */
export function splitProblems(splits: Record<string, unknown>): string[] {
  const g = (k: string) => String(splits[k]);
  const out: string[] = [];
  for (const name of ['train', 'valid', 'test']) {
    if (g(`${name}.start`) > g(`${name}.end`)) out.push(`${name} starts after it ends`);
  }
  if (g('train.end') >= g('valid.start')) out.push('train must end before valid starts');
  if (g('valid.end') >= g('test.start')) out.push('valid must end before test starts');
  return out;
}

/** Reasons Train is blocked: every invalid field, named. Empty = ready. */
export function trainBlockers(s: LabState): string[] {
  const out: string[] = splitProblems(s.experiment.splits).map((m) => `Data · splits: ${m}`);
  if (!Object.entries(s.experiment.features).some(([k, v]) => k.startsWith('ind.') && v === true))
    out.push('Setup · features: select at least one feature group');
  if (!TRAINABLE_ALGOS.includes(s.experiment.algo))
    out.push(
      `Agent · ${s.experiment.algo.toUpperCase()} is not available in the training loop yet (A2C and PPO are)`,
    );
  for (const [k, m] of Object.entries(s.dataErrors)) out.push(`Data · ${k}: ${m}`);
  for (const [k, m] of Object.entries(s.setupErrors)) out.push(`Setup · ${k}: ${m}`);
  for (const [k, m] of Object.entries(s.agentErrors))
    if (k.startsWith(`${s.experiment.algo}.`)) out.push(`Agent · ${k}: ${m}`);
  for (const [k, m] of Object.entries(s.trainErrors)) out.push(`Train · ${k}: ${m}`);
  return out;
}

export type { Experiment };
