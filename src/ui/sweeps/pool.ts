/**
 * The lab's sweep pool: N sweep workers (workers/sweep.worker.ts), each running one run at a time
 * from a shared queue in order. Pause holds the queue and pauses the running runs between updates;
 * cancel terminates the workers (a run in the middle of an update cannot be interrupted otherwise).
 * A crashed worker fails its run, is replaced, and the sweep carries on.
 */
import * as Comlink from 'comlink';
import type { BackendPref } from '../../core/agents/backend.ts';
import type { Panel } from '../../core/data/types.ts';
import type { SweepJobProgress } from '../../core/sweeps/job.ts';
import type { SweepRun, SweepSpec } from '../../core/sweeps/spec.ts';
import type { SweepRunOutcome, SweepWorkerApi } from '../../../workers/sweep.worker.ts';
import { WorkerHandle } from '../runtime/workerHandle.ts';

export function createSweepWorker(i: number): WorkerHandle<SweepWorkerApi> {
  return new WorkerHandle<SweepWorkerApi>(
    `sweep ${i + 1}`,
    () =>
      new Worker(new URL('../../../workers/sweep.worker.ts', import.meta.url), {
        type: 'module',
        name: `sweep-${i + 1}`,
      }),
  );
}

export interface PoolHandlers {
  onStart(run: SweepRun, lane: number): void;
  onProgress(run: SweepRun, p: SweepJobProgress): void;
  onDone(run: SweepRun, outcome: SweepRunOutcome): void | Promise<void>;
  onFail(run: SweepRun, message: string): void;
  onBackend?(backend: string): void;
}

export class SweepPool {
  private readonly lanes: (WorkerHandle<SweepWorkerApi> | null)[];
  private queue: SweepRun[] = [];
  private paused = false;
  private cancelled = false;
  private wakers: (() => void)[] = [];

  constructor(
    readonly size: number,
    private readonly backend: BackendPref,
    private readonly userPanel: Panel | null,
  ) {
    this.lanes = Array.from({ length: Math.max(1, size) }, () => null);
  }

  /** Runs every run; resolves when the queue is empty (or the sweep was cancelled). */
  async run(runs: SweepRun[], h: PoolHandlers): Promise<void> {
    this.queue = [...runs];
    await Promise.all(this.lanes.map((_, i) => this.lane(i, h)));
  }

  /** The backend the workers use (known once one has started). */
  backendName: string | null = null;

  /** Checks a spec in the first worker (keys exist, every point resolves); rejects naming the problem. */
  async validate(spec: SweepSpec): Promise<number> {
    const w = await this.worker(0);
    return w.call((r) => r.validate(spec));
  }

  private async worker(i: number, h?: PoolHandlers): Promise<WorkerHandle<SweepWorkerApi>> {
    let w = this.lanes[i];
    if (w && !w.crash) return w;
    w = createSweepWorker(i);
    this.lanes[i] = w;
    const info = await w.call((r) => r.init(this.backend));
    this.backendName = info.backend;
    h?.onBackend?.(info.backend);
    if (this.userPanel) await w.call((r) => r.setUserPanel(this.userPanel));
    return w;
  }

  private async lane(i: number, h: PoolHandlers): Promise<void> {
    for (;;) {
      while (this.paused && !this.cancelled) await new Promise<void>((resolve) => this.wakers.push(resolve));
      if (this.cancelled) return;
      const run = this.queue.shift();
      if (!run) return;
      h.onStart(run, i);
      try {
        const w = await this.worker(i, h);
        const outcome = await w.call((r) =>
          r.run(
            run,
            Comlink.proxy((p: SweepJobProgress) => h.onProgress(run, p)),
          ),
        );
        await h.onDone(run, outcome);
      } catch (e) {
        if (this.cancelled) return;
        h.onFail(run, e instanceof Error ? e.message : String(e));
      }
    }
  }

  pause(): void {
    this.paused = true;
    for (const w of this.lanes) if (w && !w.crash) void w.call((r) => r.pause()).catch(() => undefined);
  }

  resume(): void {
    this.paused = false;
    for (const w of this.lanes) if (w && !w.crash) void w.call((r) => r.resume()).catch(() => undefined);
    this.wakeAll();
  }

  /** Stops everything now: queued runs are dropped, running ones are killed with their worker. */
  cancel(): SweepRun[] {
    this.cancelled = true;
    const dropped = this.queue;
    this.queue = [];
    this.lanes.forEach((w, i) => {
      w?.terminate('sweep cancelled');
      this.lanes[i] = null;
    });
    this.wakeAll();
    return dropped;
  }

  dispose(): void {
    this.lanes.forEach((w) => w?.terminate('sweep finished'));
  }

  /** Every lane waiting out a pause re-checks (resume or cancel). */
  private wakeAll(): void {
    const ws = this.wakers;
    this.wakers = [];
    for (const w of ws) w();
  }
}
