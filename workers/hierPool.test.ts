/**
 * The trainer's pool of member workers (hierPool.ts) over fake Workers: a comlink endpoint on a
 * MessageChannel whose far side plays hierMember.worker.ts. What the pool must do whatever the
 * workers do: start k = cores − 1 of them on the trainer's backend, name the worker an error came
 * from, turn a crash (an 'error' event) into the call's error instead of a hang, terminate them all.
 */
import * as Comlink from 'comlink';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HierLaneSpec } from '../src/core/hier/pool.ts';
import type { RoundJob } from '../src/core/hier/population.ts';
import { memberWorkerCount, memberWorkerPool } from './hierPool.ts';

interface Behaviour {
  runRound?(jobs: RoundJob[]): Promise<number[]>;
}

const started: { name: string; spec: HierLaneSpec; backend: string; numThreads: number }[] = [];
const workers: FakeWorker[] = [];
let behaviour: (index: number) => Behaviour = () => ({});

class FakeWorker extends EventTarget {
  private readonly port: MessagePort;
  terminated = false;

  constructor(_url: URL, opts: { name: string }) {
    super();
    const index = workers.length;
    workers.push(this);
    const { port1, port2 } = new MessageChannel();
    const b = behaviour(index);
    Comlink.expose(
      {
        start: (spec: HierLaneSpec, backend: string, numThreads: number) =>
          void started.push({ name: opts.name, spec, backend, numThreads }),
        runRound: (_round: number, jobs: RoundJob[]) =>
          b.runRound ? b.runRound(jobs) : jobs.map((j) => j.member / 10),
      },
      port2,
    );
    port1.start();
    this.port = port1;
  }

  postMessage(message: unknown, transfer: Transferable[] = []): void {
    this.port.postMessage(message, transfer as never);
  }

  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
    if (type === 'message') this.port.addEventListener('message', listener as never);
    else super.addEventListener(type, listener);
  }

  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
    if (type === 'message') this.port.removeEventListener('message', listener as never);
    else super.removeEventListener(type, listener);
  }

  terminate(): void {
    this.terminated = true;
    this.port.close();
  }

  crash(message: string): Event {
    const e = Object.assign(new Event('error', { cancelable: true }), { message });
    this.dispatchEvent(e);
    return e;
  }
}

const g = globalThis as { Worker?: unknown };
const spec = {
  config: { workflow: 'hierarchical' },
  panel: {
    dates: ['2020-01-01'],
    assets: ['A'],
    open: new Float64Array([1]),
    high: new Float64Array([1]),
    low: new Float64Array([1]),
    close: new Float64Array([1]),
    volume: new Float64Array([0]),
  },
  seed: 7,
  members: 4,
};
const jobs = (n: number): RoundJob[] =>
  Array.from({ length: n }, (_, member) => ({
    member,
    round: 0,
    steps: 1,
    hps: {},
    restore: null,
    parent: member,
  }));

describe('member worker pool', () => {
  let saved: unknown;
  beforeEach(() => {
    saved = g.Worker;
    g.Worker = FakeWorker;
    started.length = 0;
    workers.length = 0;
    behaviour = () => ({});
  });
  afterEach(() => {
    g.Worker = saved;
  });

  it('uses cores − 1 workers, at least one, at most one per member', () => {
    expect(memberWorkerCount(4, 2)).toBe(1);
    expect(memberWorkerCount(4, 3)).toBe(2);
    expect(memberWorkerCount(4, 16)).toBe(4);
    expect(memberWorkerCount(16, 8)).toBe(7);
    expect(memberWorkerCount(4, 0)).toBe(1);
  });

  it('on 2 cores one worker gets both wasm threads; on 16 cores 4 workers get 4 each', async () => {
    for (const [cores, k, threads] of [
      [2, 1, 2],
      [16, 4, 4],
    ]) {
      started.length = 0;
      const pool = await memberWorkerPool('wasm', cores)(spec);
      expect(pool.workers).toBe(k);
      expect(started.map((s) => s.numThreads)).toEqual(new Array(k).fill(threads));
      await pool.dispose();
    }
  });

  it('starts every worker on the trainer’s backend with the run’s spec; member m runs in worker m mod k', async () => {
    const pool = await memberWorkerPool('wasm', 4)(spec);
    expect(pool.workers).toBe(3);
    expect(started.map((s) => s.name).sort()).toEqual(['hier-member-1', 'hier-member-2', 'hier-member-3']);
    expect(started.every((s) => s.backend === 'wasm' && s.spec.seed === 7)).toBe(true);
    // Threaded wasm: the 4 cores shared by the 3 workers, one thread each.
    expect(started.every((s) => s.numThreads === 1)).toBe(true);
    expect(started[0].spec.panel.close).toEqual(new Float64Array([1]));
    expect(await pool.runRound(0, jobs(4))).toEqual([0, 0.1, 0.2, 0.3]);
    await pool.dispose();
    expect(workers.every((w) => w.terminated)).toBe(true);
  });

  it('an error inside a worker is the round’s error, naming the worker', async () => {
    behaviour = (i) =>
      i === 1 ? { runRound: () => Promise.reject(new Error('non-finite loss in expert 2')) } : {};
    const pool = await memberWorkerPool('wasm', 3)(spec);
    await expect(pool.runRound(0, jobs(4))).rejects.toThrow(/^member worker 2: non-finite loss in expert 2$/);
    await pool.dispose();
    expect(workers.every((w) => w.terminated)).toBe(true);
  });

  it('a worker that crashes mid-round fails the round instead of leaving it waiting', async () => {
    // Worker 1 never answers its round; then it dies.
    behaviour = (i) => (i === 0 ? { runRound: () => new Promise<number[]>(() => undefined) } : {});
    const pool = await memberWorkerPool('wasm', 3)(spec);
    const round = pool.runRound(0, jobs(4));
    await new Promise((r) => setTimeout(r, 20));
    const event = workers[0].crash('out of memory');
    await expect(round).rejects.toThrow(/^member worker 1 crashed: out of memory$/);
    // Handled by the pool, not passed on as the trainer's own error.
    expect(event.defaultPrevented).toBe(true);
    await pool.dispose();
    expect(workers.every((w) => w.terminated)).toBe(true);
  });
});
