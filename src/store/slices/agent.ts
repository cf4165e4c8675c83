import type { StateCreator } from 'zustand';
import { DEFAULT_TRAIN_STEPS, type AlgoId } from '../algorithms.ts';
import { TRAIN_FIELDS } from '../config.ts';
import { defaultHp } from '../experiment.ts';
import type { FieldValue } from '../fields.ts';
import type { LabState } from '../index.ts';

export interface AgentSlice {
  /** Invalid hyperparameter text, keyed `algo.key`. */
  agentErrors: Record<string, string>;
  setAlgo(algo: AlgoId): void;
  setHp(key: string, value: FieldValue): void;
  applyPreset(preset: string): void;
  setAgentError(key: string, message: string | null): void;
}

export const createAgentSlice: StateCreator<LabState, [], [], AgentSlice> = (set) => ({
  agentErrors: {},
  setAlgo: (algo) =>
    set((s) => {
      // An untouched step budget follows the algorithm's default; one the user typed stays.
      const budget = (a: AlgoId) =>
        DEFAULT_TRAIN_STEPS[a] ?? TRAIN_FIELDS.find((f) => f.key === 'steps')!.default;
      const train = s.experiment.train;
      const steps = train.steps === budget(s.experiment.algo) ? budget(algo) : train.steps;
      return { experiment: { ...s.experiment, algo, train: { ...train, steps } } };
    }),
  setHp: (key, value) =>
    set((s) => {
      const algo = s.experiment.algo;
      return {
        experiment: {
          ...s.experiment,
          hp: { ...s.experiment.hp, [algo]: { ...s.experiment.hp[algo], [key]: value } },
        },
      };
    }),
  applyPreset: (preset) =>
    set((s) => {
      const algo = s.experiment.algo;
      const errors = Object.fromEntries(
        Object.entries(s.agentErrors).filter(([k]) => !k.startsWith(`${algo}.`)),
      );
      return {
        experiment: { ...s.experiment, hp: { ...s.experiment.hp, [algo]: defaultHp(algo, preset) } },
        agentErrors: errors,
      };
    }),
  setAgentError: (key, message) =>
    set((s) => {
      const next = { ...s.agentErrors };
      if (message === null) delete next[key];
      else next[key] = message;
      return { agentErrors: next };
    }),
});
