/**
 * Worker-thread side of `lab sweep` (runs under pool.ts): initialises the tfjs backend once, loads
 * each data source's panel once, then answers jobs (SweepRun) with core's runSweepJob — the same
 * function the lab's sweep workers run — posting throttled progress and the result.
 *
 * workerData.shared: { backend: 'wasm' | 'cpu', dataSpecs: string[] } (dataSpecs: `--data` sources
 * for specs whose data is { kind: 'panel' }).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, type BackendPref } from '../../core/agents/backend.ts';
import type { DataSourceConfig } from '../../core/experiment/config.ts';
import { cachedPanelProvider, runSweepJob } from '../../core/sweeps/job.ts';
import type { SweepRun } from '../../core/sweeps/spec.ts';
import { experimentPanel } from '../dataSources.ts';

export interface SweepWorkerShared {
  backend: BackendPref;
  dataSpecs: string[];
}

const shared = (workerData as { shared: SweepWorkerShared }).shared;
const port = parentPort!;

// The same loader as lab train and the main thread (import warnings were printed there already).
const provider = cachedPanelProvider((data: DataSourceConfig) =>
  experimentPanel(data, shared.dataSpecs, 'sweep', { quiet: true }),
);

// Jobs wait for the backend: messages that arrive before it is ready chain on this promise.
const ready = initBackend(shared.backend).then((info) => {
  if (info.fallbackReason && info.backend !== shared.backend)
    throw new Error(`backend ${shared.backend} unavailable: ${info.fallbackReason}`);
  return info;
});
ready.catch(() => undefined);

const PROGRESS_INTERVAL_MS = 500;

port.on('message', async ({ jobIndex, job }: { jobIndex: number; job: SweepRun }) => {
  try {
    const info = await ready;
    let last = -Infinity;
    const result = await runSweepJob(job, provider, {
      backend: info.backend,
      onProgress: (p) => {
        const now = performance.now();
        if (now - last < PROGRESS_INTERVAL_MS && p.phase === 'training') return;
        last = now;
        port.postMessage({ type: 'progress', jobIndex, progress: p });
      },
    });
    port.postMessage({ type: 'done', jobIndex, result });
  } catch (e) {
    port.postMessage({ type: 'error', jobIndex, message: e instanceof Error ? e.message : String(e) });
  }
});
