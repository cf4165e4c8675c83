import { Worker } from 'node:worker_threads';

/** Messages a pool worker sends back for one job. */
export type PoolMessage<TOut> =
  | { type: 'progress'; jobIndex: number; progress: unknown }
  | { type: 'done'; jobIndex: number; result: TOut }
  | { type: 'error'; jobIndex: number; message: string };

export interface PoolOptions<TIn, TOut> {
  /** Number of worker threads (≥ 1). */
  workers: number;
  /** URL (file://) of the TypeScript module each worker runs; it answers jobs with PoolMessage. */
  entry: URL;
  /** Extra data every worker receives in `workerData.shared`. */
  shared?: unknown;
  onProgress?: (job: TIn, progress: unknown) => void;
  onResult?: (job: TIn, result: TOut) => void;
  onError?: (job: TIn, message: string) => void;
}

/**
 * Run jobs on a pool of Node worker threads, at most `workers` at a time, in queue order.
 * A job that throws or whose worker dies is reported through onError and the pool carries on
 * with a fresh worker, so one bad run never loses the others.
 */
export async function runPool<TIn, TOut>(
  jobs: TIn[],
  opts: PoolOptions<TIn, TOut>,
): Promise<(TOut | { error: string })[]> {
  const results: (TOut | { error: string })[] = new Array(jobs.length);
  let next = 0;
  const entryShim = new URL('./worker-entry.mjs', import.meta.url);

  const spawn = () => new Worker(entryShim, { workerData: { entry: opts.entry.href, shared: opts.shared } });

  const lane = async () => {
    let worker: Worker | null = null;
    try {
      while (next < jobs.length) {
        const jobIndex = next++;
        const job = jobs[jobIndex];
        worker ??= spawn();
        const w: Worker = worker;
        const outcome = await new Promise<
          { ok: true; result: TOut } | { ok: false; message: string; dead: boolean }
        >((resolve) => {
          const onMessage = (msg: PoolMessage<TOut>) => {
            if (msg.jobIndex !== jobIndex) return;
            if (msg.type === 'progress') opts.onProgress?.(job, msg.progress);
            else if (msg.type === 'done') finish({ ok: true, result: msg.result });
            else finish({ ok: false, message: msg.message, dead: false });
          };
          const onError = (err: Error) =>
            finish({ ok: false, message: `worker crashed: ${err.message}`, dead: true });
          const onExit = (code: number) =>
            finish({ ok: false, message: `worker exited with code ${code}`, dead: true });
          const finish = (o: { ok: true; result: TOut } | { ok: false; message: string; dead: boolean }) => {
            w.off('message', onMessage);
            w.off('error', onError);
            w.off('exit', onExit);
            resolve(o);
          };
          w.on('message', onMessage);
          w.on('error', onError);
          w.on('exit', onExit);
          w.postMessage({ jobIndex, job });
        });
        if (outcome.ok) {
          results[jobIndex] = outcome.result;
          opts.onResult?.(job, outcome.result);
        } else {
          results[jobIndex] = { error: outcome.message };
          opts.onError?.(job, outcome.message);
          if (outcome.dead) worker = null;
        }
      }
    } finally {
      await worker?.terminate();
    }
  };

  const lanes = Math.max(1, Math.min(opts.workers, jobs.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}
