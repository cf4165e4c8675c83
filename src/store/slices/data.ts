import type { StateCreator } from 'zustand';
import { DATASET_SPLITS, type DataSource } from '../config.ts';
import type { FieldValue } from '../fields.ts';
import type { LabState } from '../index.ts';
import type { DataLoadState, DatasetMeta, LoadedFile } from '../types.ts';

export interface DataSlice {
  dataLoad: DataLoadState;
  files: LoadedFile[];
  dataErrors: Record<string, string>;
  setDataSource(source: DataSource): void;
  setSyntheticField(key: string, value: FieldValue): void;
  setSplitField(key: string, value: FieldValue): void;
  setSplits(splits: Record<string, string>): void;
  setAssets(assets: string[]): void;
  setDataError(key: string, message: string | null): void;
  setDataLoad(patch: Partial<DataLoadState>): void;
  setDatasetReady(meta: DatasetMeta): void;
  addFiles(files: LoadedFile[]): void;
  clearFiles(): void;
}

export const initialDataLoad: DataLoadState = {
  status: 'idle',
  progress: 0,
  phase: '',
  error: null,
  meta: null,
};

export const createDataSlice: StateCreator<LabState, [], [], DataSlice> = (set) => ({
  dataLoad: initialDataLoad,
  files: [],
  dataErrors: {},
  setDataSource: (source) =>
    set((s) => {
      if (s.experiment.data.data === source) return {};
      const splits =
        source === 'csv' ? s.experiment.splits : { ...s.experiment.splits, ...DATASET_SPLITS[source] };
      return {
        experiment: { ...s.experiment, data: { ...s.experiment.data, data: source }, splits, assets: [] },
        dataErrors: {},
      };
    }),
  setSyntheticField: (key, value) =>
    set((s) => ({ experiment: { ...s.experiment, synthetic: { ...s.experiment.synthetic, [key]: value } } })),
  setSplitField: (key, value) =>
    set((s) => ({ experiment: { ...s.experiment, splits: { ...s.experiment.splits, [key]: value } } })),
  setSplits: (splits) =>
    set((s) => ({ experiment: { ...s.experiment, splits: { ...s.experiment.splits, ...splits } } })),
  setAssets: (assets) => set((s) => ({ experiment: { ...s.experiment, assets } })),
  setDataError: (key, message) =>
    set((s) => {
      const next = { ...s.dataErrors };
      if (message === null) delete next[key];
      else next[key] = message;
      return { dataErrors: next };
    }),
  setDataLoad: (patch) => set((s) => ({ dataLoad: { ...s.dataLoad, ...patch } })),
  setDatasetReady: (meta) =>
    set({ dataLoad: { status: 'ready', progress: 1, phase: '', error: null, meta } }),
  addFiles: (files) =>
    set((s) => {
      // A re-loaded file replaces its earlier entry; every other file is kept.
      const names = new Set(files.map((f) => f.name));
      return { files: [...s.files.filter((f) => !names.has(f.name)), ...files] };
    }),
  clearFiles: () => set({ files: [] }),
});
