import type { StateCreator } from 'zustand';
import type { FieldValue } from '../fields.ts';
import type { LabState } from '../index.ts';

export interface SetupSlice {
  setupErrors: Record<string, string>;
  setFeatureField(key: string, value: FieldValue): void;
  setEnvField(key: string, value: FieldValue): void;
  setSetupError(key: string, message: string | null): void;
}

export const createSetupSlice: StateCreator<LabState, [], [], SetupSlice> = (set) => ({
  setupErrors: {},
  setFeatureField: (key, value) =>
    set((s) => ({ experiment: { ...s.experiment, features: { ...s.experiment.features, [key]: value } } })),
  setEnvField: (key, value) =>
    set((s) => ({ experiment: { ...s.experiment, env: { ...s.experiment.env, [key]: value } } })),
  setSetupError: (key, message) =>
    set((s) => {
      const next = { ...s.setupErrors };
      if (message === null) delete next[key];
      else next[key] = message;
      return { setupErrors: next };
    }),
});
