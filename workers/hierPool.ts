/**
 * The trainer worker's pool of member workers for a hierarchy population (hierarchical.pbtMembers
 * > 0): k = cores − 1 workers (the trainer's own thread mostly waits), at most one per member, each
 * a lane of core's LaneExecutor (member m in worker m mod k, as `lab hier pbt --workers k`). A
 * worker that crashes or fails to load fails the call in flight, naming it; disposing terminates
 * every worker at once (a stop or an error need not wait for a round in flight).
 */
import * as Comlink from 'comlink';
import type { BackendPref } from '../src/core/agents/backend.ts';
import type { CheckpointArtifacts } from '../src/core/agents/checkpoint.ts';
import {
  LaneExecutor,
  type HierLane,
  type HierLaneSpec,
  type HierMemberStats,
} from '../src/core/hier/pool.ts';
import type { RoundJob } from '../src/core/hier/population.ts';
import type { HierPoolFactory } from '../src/core/hier/populationRun.ts';
import type { RunState } from '../src/core/run/control.ts';
import type { HierMemberApi } from './hierMember.worker.ts';

/** Member workers for a population: cores − 1, at least one, at most one per member. */
export function memberWorkerCount(members: number, cores: number): number {
  return Math.max(1, Math.min(members, (cores || 2) - 1));
}

class WorkerLane implements HierLane {
  private readonly worker: Worker;
  private readonly api: Comlink.Remote<HierMemberApi>;
  private readonly dead: Promise<never>;
  private kill: (e: Error) => void = () => undefined;

  constructor(private readonly index: number) {
    this.worker = new Worker(new URL('./hierMember.worker.ts', import.meta.url), {
      type: 'module',
      name: `hier-member-${index + 1}`,
    });
    this.dead = new Promise<never>((_, reject) => (this.kill = reject));
    this.dead.catch(() => undefined);
    this.worker.addEventListener('error', (e) => {
      // Handled here: the trainer reports it as the run's error, not as an error of its own.
      e.preventDefault();
      this.kill(new Error(`member worker ${index + 1} crashed: ${e.message || 'it failed to load'}`));
    });
    this.worker.addEventListener('messageerror', () =>
      this.kill(new Error(`member worker ${index + 1}: an answer could not be read`)),
    );
    this.api = Comlink.wrap<HierMemberApi>(this.worker);
  }

  /** A call that fails when the worker dies, its own errors named by the worker they came from. */
  private call<T>(f: () => Promise<T>): Promise<T> {
    const named = Promise.resolve()
      .then(f)
      .catch((e: unknown) => {
        throw new Error(`member worker ${this.index + 1}: ${e instanceof Error ? e.message : String(e)}`);
      });
    return Promise.race([named, this.dead]);
  }

  start(spec: HierLaneSpec, backend: BackendPref, numThreads: number): Promise<void> {
    return this.call(() => this.api.start(spec, backend, numThreads));
  }

  snapshots(round: number, members: number[]): Promise<Map<number, CheckpointArtifacts>> {
    return this.call(() => this.api.snapshots(round, members));
  }

  runRound(round: number, jobs: RoundJob[]): Promise<number[]> {
    return this.call(() => this.api.runRound(round, jobs));
  }

  stats(member: number): Promise<HierMemberStats> {
    return this.call(() => this.api.stats(member));
  }

  setState(state: RunState): Promise<void> {
    return this.call(() => this.api.setState(state));
  }

  /** Terminates the worker: its members' memory goes with it, a round in flight included. */
  dispose(): void {
    this.kill(new Error(`member worker ${this.index + 1} was terminated`));
    this.worker.terminate();
  }
}

/**
 * A HierPoolFactory for the trainer worker: its workers started on `backend` before the first round.
 * `cores` must be the machine's (read before initBackend raises navigator.hardwareConcurrency to
 * uncap wasm threads); threaded wasm gets cores / k threads per worker, so k workers share the cores.
 */
export function memberWorkerPool(backend: BackendPref, cores: number): HierPoolFactory {
  return async (spec) => {
    const k = memberWorkerCount(spec.members, cores);
    const numThreads = Math.max(1, Math.floor((cores || 2) / k));
    const lanes = Array.from({ length: k }, (_, i) => new WorkerLane(i));
    const lane: HierLaneSpec = { config: spec.config, panel: spec.panel, seed: spec.seed };
    try {
      await Promise.all(lanes.map((l) => l.start(lane, backend, numThreads)));
    } catch (e) {
      for (const l of lanes) l.dispose();
      throw e;
    }
    return new LaneExecutor(lanes);
  };
}
