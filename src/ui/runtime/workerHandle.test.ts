import { MessageChannel, type MessagePort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerCrash, WorkerHandle } from './workerHandle.ts';

/** Comlink's endpoint over a Node MessagePort (what comlink's node-adapter does). */
function nodeEndpoint(port: MessagePort): Comlink.Endpoint {
  const wrapped = new WeakMap<object, (data: unknown) => void>();
  return {
    postMessage: (m: unknown, t?: Transferable[]) => port.postMessage(m, t as never),
    addEventListener: (_type: string, l: EventListenerOrEventListenerObject) => {
      const h = (data: unknown) =>
        'handleEvent' in l ? l.handleEvent({ data } as MessageEvent) : l({ data } as MessageEvent);
      wrapped.set(l, h);
      port.on('message', h);
    },
    removeEventListener: (_type: string, l: EventListenerOrEventListenerObject) => {
      const h = wrapped.get(l);
      if (h) port.off('message', h);
    },
  };
}

/** A Worker look-alike over a MessageChannel: the api lives on the other port, as in a real worker. */
function fakeWorker(api: object): { worker: Worker; kill(): void; port: MessagePort } {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(api, nodeEndpoint(port2));
  const ep = nodeEndpoint(port1);
  const worker = {
    postMessage: (m: unknown, t?: Transferable[]) => ep.postMessage(m, t),
    addEventListener: (type: string, l: EventListener) => {
      if (type === 'message') ep.addEventListener('message', l as never);
    },
    removeEventListener: (type: string, l: EventListener) => {
      if (type === 'message') ep.removeEventListener('message', l as never);
    },
    terminate: () => port1.close(),
  } as unknown as Worker;
  // A worker that is killed fires no event: its side simply stops answering.
  return { worker, kill: () => port2.close(), port: port1 };
}

const handles: WorkerHandle<unknown>[] = [];
afterEach(() => {
  for (const h of handles.splice(0)) h.terminate();
});

describe('WorkerHandle liveness', () => {
  const api = { forever: () => new Promise<never>(() => undefined), answer: () => 42 };

  it('keeps a long call alive while the worker still answers', async () => {
    const fake = fakeWorker(api);
    const h = new WorkerHandle<typeof api>('test', () => fake.worker, { silenceMs: 60, answerMs: 150 });
    handles.push(h as WorkerHandle<unknown>);
    expect(await h.call((r) => r.answer())).toBe(42);
    const pending = h.call((r) => r.forever());
    const outcome = await Promise.race([
      pending.then(
        () => 'resolved',
        (e: unknown) => e,
      ),
      new Promise((r) => setTimeout(() => r('still pending'), 600)),
    ]);
    expect(outcome).toBe('still pending');
    expect(h.crash).toBeNull();
    fake.port.unref();
  });

  it('reports a worker that vanished without an event (killed, closed) as crashed', async () => {
    const fake = fakeWorker(api);
    const h = new WorkerHandle<typeof api>('test', () => fake.worker, { silenceMs: 60, answerMs: 150 });
    handles.push(h as WorkerHandle<unknown>);
    const seen: WorkerCrash[] = [];
    h.onCrash((e) => seen.push(e));
    const pending = h.call((r) => r.forever());
    fake.kill();
    await expect(pending).rejects.toThrow(/test worker crashed: it stopped answering/);
    expect(seen).toHaveLength(1);
    await expect(h.call((r) => r.answer())).rejects.toBeInstanceOf(WorkerCrash);
  });
});
