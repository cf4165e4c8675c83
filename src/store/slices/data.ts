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
  /** The posts file of workflows that read one (kol): its import outcome; the File stays in the runtime. */
  signals: SignalsFile | null;
  setSignals(signals: SignalsFile | null): void;
}

export interface SignalsFile {
  name: string;
  size: number;
  /** 'loading' while the import worker reads it. */
  status: 'loading' | 'ok' | 'error';
  posts: number;
  /** The import report (file, line and column of every problem), as `lab kol score` prints it. */
  report: string;
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
  signals: null,
  setSignals: (signals) => set({ signals }),
});
