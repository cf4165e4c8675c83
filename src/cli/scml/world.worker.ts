// Worker thread of `lab scml tournament --workers N`: plays the world runs it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { runWorld, type TournamentSpec, type WorldRun } from '../../core/scml/tournament.ts';

export interface ScmlWorkerShared {
  spec: TournamentSpec;
  log: { negotiations: boolean; daily: boolean };
}

const shared = (workerData as { shared: ScmlWorkerShared }).shared;

parentPort!.on('message', ({ jobIndex, job }: { jobIndex: number; job: WorldRun }) => {
  try {
    parentPort!.postMessage({ type: 'done', jobIndex, result: runWorld(shared.spec, job, shared.log) });
  } catch (e) {
    parentPort!.postMessage({ type: 'error', jobIndex, message: e instanceof Error ? e.message : String(e) });
  }
});
