import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CheckpointData, MetricBatch, RunEvaluation } from '../../../workers/protocol.ts';
import type { RunSummary } from '../../store/types.ts';

/** The heavy part of a run, loaded only when Results or Compare need it. */
export interface RunDetail {
  id: string;
  /** Full flat metric log (never thinned). */
  learning: MetricBatch;
  evaluation: RunEvaluation | null;
  checkpoint: CheckpointData | null;
}

interface LabDB extends DBSchema {
  summaries: { key: string; value: RunSummary };
  details: { key: string; value: RunDetail };
}

const DB_NAME = 'rl-trading-lab';
let dbPromise: Promise<IDBPDatabase<LabDB>> | null = null;

function db(): Promise<IDBPDatabase<LabDB>> {
  dbPromise ??= openDB<LabDB>(DB_NAME, 1, {
    upgrade(database) {
      database.createObjectStore('summaries', { keyPath: 'id' });
      database.createObjectStore('details', { keyPath: 'id' });
    },
  });
  return dbPromise;
}

export async function saveRun(summary: RunSummary, detail: RunDetail): Promise<void> {
  const d = await db();
  const tx = d.transaction(['summaries', 'details'], 'readwrite');
  await Promise.all([
    tx.objectStore('summaries').put(summary),
    tx.objectStore('details').put(detail),
    tx.done,
  ]);
}

export async function listRuns(): Promise<RunSummary[]> {
  return (await db()).getAll('summaries');
}

export async function getRunDetail(id: string): Promise<RunDetail | undefined> {
  return (await db()).get('details', id);
}

export async function updateSummary(summary: RunSummary): Promise<void> {
  await (await db()).put('summaries', summary);
}

export async function deleteRun(id: string): Promise<void> {
  const d = await db();
  const tx = d.transaction(['summaries', 'details'], 'readwrite');
  await Promise.all([tx.objectStore('summaries').delete(id), tx.objectStore('details').delete(id), tx.done]);
}
