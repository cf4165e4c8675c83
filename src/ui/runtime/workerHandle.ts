import * as Comlink from 'comlink';

/** Why a worker stopped answering: an uncaught error, a message that could not be cloned, or a terminate. */
export class WorkerCrash extends Error {
  constructor(
    readonly workerName: string,
    message: string,
  ) {
    super(`${workerName} worker crashed: ${message}`);
    this.name = 'WorkerCrash';
  }
}

/**
 * A comlink remote with crash reporting. Comlink leaves calls pending forever when the worker dies,
 * so every call races the crash promise: a crashed worker is reported, never silent.
 */
export class WorkerHandle<Api> {
  readonly remote: Comlink.Remote<Api>;
  private readonly worker: Worker;
  private crashReason: WorkerCrash | null = null;
  private readonly crashListeners = new Set<(e: WorkerCrash) => void>();
  private rejectCrash!: (e: WorkerCrash) => void;
  private readonly crashed: Promise<never>;

  constructor(
    readonly name: string,
    create: () => Worker,
  ) {
    this.crashed = new Promise<never>((_, reject) => {
      this.rejectCrash = reject;
    });
    this.crashed.catch(() => undefined); // observed through call() and onCrash()
    this.worker = create();
    this.worker.addEventListener('error', (ev) => {
      ev.preventDefault();
      this.fail(ev.message || 'uncaught error in the worker (see the console)');
    });
    this.worker.addEventListener('messageerror', () => this.fail('a message could not be deserialised'));
    this.remote = Comlink.wrap<Api>(this.worker);
  }

  get crash(): WorkerCrash | null {
    return this.crashReason;
  }

  onCrash(listener: (e: WorkerCrash) => void): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  /** Runs a remote call, rejecting with WorkerCrash if the worker dies before it answers. */
  call<T>(fn: (remote: Comlink.Remote<Api>) => Promise<T>): Promise<T> {
    if (this.crashReason) return Promise.reject(this.crashReason);
    return Promise.race([fn(this.remote), this.crashed]);
  }

  terminate(reason = 'terminated'): void {
    this.worker.terminate();
    this.fail(reason, false);
  }

  private fail(message: string, notify = true): void {
    if (this.crashReason) return;
    this.crashReason = new WorkerCrash(this.name, message);
    this.rejectCrash(this.crashReason);
    if (notify) for (const l of this.crashListeners) l(this.crashReason);
  }
}
