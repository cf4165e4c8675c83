/** Offline RL data: the dataset format, its binary and CSV files, and collection by rollout. */
export * from './dataset.ts';
export * from './binary.ts';
export * from './csv.ts';
export * from './collect.ts';
export * from './batches.ts';

import { decodeDatasetBinary } from './binary.ts';
import { datasetFromCsv, type CsvImportOptions } from './csv.ts';
import type { OfflineDataset } from './dataset.ts';

/**
 * A dataset file's bytes (or text) → dataset: the binary format when the bytes start with its magic
 * 'RLTLDS01', otherwise UTF-8 CSV. `name` is used in error messages.
 */
export function decodeDatasetFile(
  name: string,
  data: Uint8Array | ArrayBuffer | string,
  csv: Omit<CsvImportOptions, 'file'> = {},
): OfflineDataset {
  if (typeof data === 'string') return datasetFromCsv(data, { ...csv, file: name });
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic === 'RLTLDS01') return decodeDatasetBinary(bytes, name);
  return datasetFromCsv(new TextDecoder().decode(bytes), { ...csv, file: name });
}
