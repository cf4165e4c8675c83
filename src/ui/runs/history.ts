import { useLab } from '../../store/index.ts';
import type { RunSummary } from '../../store/types.ts';
import { deleteRun, getRunDetail, listRuns, saveRun, updateSummary, type RunDetail } from './db.ts';

/** Loads saved runs into the store; an unreadable database is reported, never fatal. */
export async function loadRunHistory(): Promise<void> {
  try {
    const runs = await listRuns();
    useLab.getState().setRuns(runs);
  } catch (e) {
    useLab.getState().setRuns([]);
    console.error('Run history unavailable', e);
    useLab.setState((s) => ({
      notices: [
        ...s.notices,
        `Saved runs could not be read (${e instanceof Error ? e.message : String(e)}); new runs may not be kept.`,
      ],
    }));
  }
}

export async function persistRun(summary: RunSummary, detail: RunDetail): Promise<void> {
  useLab.getState().upsertRun(summary);
  await saveRun(summary, detail);
}

export async function renameRun(id: string, name: string): Promise<void> {
  const run = useLab.getState().runs.find((r) => r.id === id);
  if (!run) return;
  const next = { ...run, name };
  useLab.getState().upsertRun(next);
  await updateSummary(next);
}

export async function removeRun(id: string): Promise<void> {
  useLab.getState().removeRun(id);
  await deleteRun(id);
}

const cache = new Map<string, Promise<RunDetail | undefined>>();

/** Run details, read once per session (they do not change after a run ends). */
export function runDetail(id: string): Promise<RunDetail | undefined> {
  let p = cache.get(id);
  if (!p) {
    p = getRunDetail(id);
    cache.set(id, p);
  }
  return p;
}

export function forgetDetail(id: string): void {
  cache.delete(id);
}
