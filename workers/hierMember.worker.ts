/**
 * A member worker of a hierarchy population: the trainer worker starts k of them (hierPool.ts), and
 * each is a thin comlink face over core's HierLaneHost — the members m with m mod k equal to its
 * index, built from the run's config and panel and trained with the trainer's tfjs backend, so the
 * same seed gives the same population as in one thread.
 */
import * as Comlink from 'comlink';
import { initBackend, type BackendPref } from '../src/core/agents/backend.ts';
import type { CheckpointArtifacts } from '../src/core/agents/checkpoint.ts';
import { HierLaneHost, type HierLaneSpec, type HierMemberStats } from '../src/core/hier/pool.ts';
import type { RoundJob } from '../src/core/hier/population.ts';
import type { RunState } from '../src/core/run/control.ts';
import { wasmPaths } from './wasmAssets.ts';

let host: HierLaneHost | null = null;

function lane(): HierLaneHost {
  if (!host) throw new Error('no members here yet: start() first');
  return host;
}

const api = {
  /** Initialises `backend` (the trainer's; threaded wasm with `numThreads`) and takes the members' config, panel and population seed. */
  async start(spec: HierLaneSpec, backend: BackendPref, numThreads: number): Promise<void> {
    const info = await initBackend(backend, { wasmPaths, numThreads });
    if (backend !== 'auto' && info.backend !== backend)
      throw new Error(
        `the trainer's ${backend} backend is unavailable here (${info.fallbackReason ?? `got ${info.backend}`})`,
      );
    host?.dispose();
    host = new HierLaneHost(spec);
  },
  async snapshots(round: number, members: number[]): Promise<Map<number, CheckpointArtifacts>> {
    const out = await lane().snapshots(round, members);
    return Comlink.transfer(
      out,
      [...out.values()].map((s) => s.weightData),
    );
  },
  runRound(round: number, jobs: RoundJob[]): Promise<number[]> {
    return lane().runRound(round, jobs);
  },
  stats(member: number): Promise<HierMemberStats> {
    return lane().stats(member);
  },
  /** The run's pause / resume / stop; arrives while a round trains (training yields between updates). */
  setState(state: RunState): void {
    host?.setState(state);
  },
  dispose(): void {
    host?.dispose();
    host = null;
  },
};

export type HierMemberApi = typeof api;
Comlink.expose(api);
