import type { StateCreator } from 'zustand';
import { setValueIn } from '../experiment.ts';
import type { LabState } from '../index.ts';
import type { DataLoadState, DatasetMeta, LoadedFile } from '../types.ts';

export interface DataSlice {
  dataLoad: DataLoadState;
  files: LoadedFile[];
  /** Picks the data source (`embedded` with a dataset name, `synthetic`, `panel` = CSV files). */
  setDataSource(kind: 'embedded' | 'synthetic' | 'panel', name?: string): void;
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
  setDataSource: (kind, name) =>
    set((s) => {
      const v = s.experiment.values;
      if (v['data.kind'] === kind && (name === undefined || v['data.name'] === name)) return {};
      let e = setValueIn(s.experiment, 'data.kind', kind);
      if (name !== undefined) e = setValueIn(e, 'data.name', name);
      return { experiment: e };
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
