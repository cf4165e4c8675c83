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
 * How long a worker with calls in flight may stay silent before it is asked whether it is alive,
 * and how long it then has to answer. A worker that is closed or killed (out of memory, the OS, a
 * `self.close()`) fires no event at all; only its silence tells. Training posts progress several
 * times a second, so the defaults leave a wide margin for a long synchronous step. Tests shorten
 * them through `globalThis.__LAB_WORKER_LIVENESS__ = { silenceMs, answerMs }` before the page loads.
 */
export interface Liveness {
  silenceMs: number;
  answerMs: number;
}
const DEFAULT_LIVENESS: Liveness = { silenceMs: 20_000, answerMs: 25_000 };

function livenessSettings(): Liveness {
  const o = (globalThis as { __LAB_WORKER_LIVENESS__?: Partial<Liveness> }).__LAB_WORKER_LIVENESS__;
  return { ...DEFAULT_LIVENESS, ...(o ?? {}) };
}

/**
 * A comlink remote with crash reporting. Comlink leaves calls pending forever when the worker dies,
 * so every call races the crash promise: a crashed worker is reported, never silent — whether it
 * threw (an `error` event) or vanished (no event: the liveness watch notices the silence).
 */
export class WorkerHandle<Api> {
  readonly remote: Comlink.Remote<Api>;
  private readonly worker: Worker;
  private crashReason: WorkerCrash | null = null;
  private readonly crashListeners = new Set<(e: WorkerCrash) => void>();
  private rejectCrash!: (e: WorkerCrash) => void;
  private readonly crashed: Promise<never>;
  private pending = 0;
  private lastHeard = Date.now();
  private watch: ReturnType<typeof setInterval> | null = null;
  private probing = false;

  constructor(
    readonly name: string,
    create: () => Worker,
    private readonly liveness: Liveness = livenessSettings(),
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
    // Any message (a reply, a progress callback) proves the worker is alive.
    this.worker.addEventListener('message', () => {
      this.lastHeard = Date.now();
    });
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
    this.begin();
    return Promise.race([fn(this.remote), this.crashed]).finally(() => this.end());
  }

  terminate(reason = 'terminated'): void {
    this.worker.terminate();
    this.fail(reason, false);
  }

  private begin(): void {
    if (this.pending++ === 0) this.lastHeard = Date.now();
    if (this.watch === null)
      this.watch = setInterval(() => this.check(), Math.max(50, Math.min(this.liveness.silenceMs, 2000) / 2));
  }

  private end(): void {
    this.pending = Math.max(0, this.pending - 1);
    if (this.pending === 0) this.stopWatch();
  }

  private stopWatch(): void {
    if (this.watch !== null) clearInterval(this.watch);
    this.watch = null;
  }

  /** Silent too long with calls in flight: ask (a comlink GET any live worker answers); no answer = gone. */
  private check(): void {
    if (this.crashReason || this.probing || Date.now() - this.lastHeard < this.liveness.silenceMs) return;
    this.probing = true;
    const asked = Date.now();
    const probe = (this.remote as unknown as Record<string, Promise<unknown>>)['__alive__'];
    Promise.resolve(probe).then(
      () => {
        this.probing = false;
      },
      () => {
        this.probing = false;
      },
    );
    const timer = setInterval(
      () => {
        if (this.crashReason || !this.probing) return clearInterval(timer);
        if (this.lastHeard >= asked) {
          this.probing = false;
          return clearInterval(timer);
        }
        if (Date.now() - asked >= this.liveness.answerMs) {
          clearInterval(timer);
          this.probing = false;
          this.fail(
            `it stopped answering (no message for ${Math.round((Date.now() - this.lastHeard) / 1000)} s: closed or killed)`,
          );
        }
      },
      Math.max(25, Math.min(this.liveness.answerMs, 1000) / 4),
    );
  }

  private fail(message: string, notify = true): void {
    if (this.crashReason) return;
    this.stopWatch();
    this.crashReason = new WorkerCrash(this.name, message);
    this.rejectCrash(this.crashReason);
    if (notify) for (const l of this.crashListeners) l(this.crashReason);
  }
}
