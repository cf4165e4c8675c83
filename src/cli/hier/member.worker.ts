/**
 * Worker-thread side of `lab hier pbt --workers k` (runs under threads.ts): owns some members of
 * the population for the whole run (a LocalExecutor), answers snapshot and round requests for them.
 *
 * workerData.shared: { spec: MemberSpec, seed: number }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LocalExecutor } from '../../core/hier/population.ts';
import { memberFactory, type MemberSpec } from './members.ts';
import type { ThreadRequest, ThreadResponse } from './threads.ts';

export interface MemberWorkerShared {
  spec: MemberSpec;
  seed: number;
}

const shared = (workerData as { shared: MemberWorkerShared }).shared;
const port = parentPort!;

// The factory initialises tfjs's backend for members that use it (the quadratic member never loads it).
const ready = (async () =>
  new LocalExecutor(await memberFactory(shared.spec, { quiet: true }), shared.seed))();
ready.catch(() => undefined);

// One request at a time, in arrival order (the main thread never overlaps them anyway).
let queue: Promise<unknown> = Promise.resolve();
port.on('message', (req: ThreadRequest) => {
  queue = queue.then(async () => {
    let res: ThreadResponse;
    try {
      const ex = await ready;
      if (req.type === 'snapshots')
        res = { id: req.id, ok: true, snapshots: [...(await ex.snapshots(req.round, req.members))] };
      else if (req.type === 'round')
        res = { id: req.id, ok: true, scores: await ex.runRound(req.round, req.jobs) };
      else {
        ex.dispose();
        res = { id: req.id, ok: true };
      }
    } catch (e) {
      res = { id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(res);
  });
});
