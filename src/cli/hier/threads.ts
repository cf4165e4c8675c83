/**
 * Population members on Node worker threads (`lab hier pbt --workers k`): member m lives in thread
 * (its position among the members this process owns) mod k for the whole run, so a member that is
 * not copied keeps everything it has (optimizer, replay) between rounds; a copy arrives as the
 * parent's snapshot, as in one thread. A round sends each thread its jobs and waits for all: the
 * members of a round are independent, and the same seeds give the same scores for any k.
 */
import { Worker } from 'node:worker_threads';
import type { CheckpointArtifacts } from '../../core/agents/checkpoint.ts';
import type { MemberExecutor, RoundJob } from '../../core/hier/population.ts';
import type { MemberWorkerShared } from './member.worker.ts';

export type ThreadRequest =
  | { id: number; type: 'snapshots'; round: number; members: number[] }
  | { id: number; type: 'round'; round: number; jobs: RoundJob[] }
  | { id: number; type: 'dispose' };

export type ThreadResponse =
  | { id: number; ok: true; snapshots?: [number, CheckpointArtifacts][]; scores?: number[] }
  | { id: number; ok: false; error: string };

type Body =
  | { type: 'snapshots'; round: number; members: number[] }
  | { type: 'round'; round: number; jobs: RoundJob[] }
  | { type: 'dispose' };

class Lane {
  private readonly worker: Worker;
  private next = 0;
  private readonly pending = new Map<
    number,
    { resolve: (r: ThreadResponse) => void; reject: (e: Error) => void }
  >();
  private dead: Error | null = null;

  constructor(
    readonly index: number,
    shared: MemberWorkerShared,
  ) {
    this.worker = new Worker(new URL('../sweep/worker-entry.mjs', import.meta.url), {
      workerData: { entry: new URL('./member.worker.ts', import.meta.url).href, shared },
    });
    this.worker.on('message', (res: ThreadResponse) => {
      const p = this.pending.get(res.id);
      this.pending.delete(res.id);
      p?.resolve(res);
    });
    const fail = (e: Error) => {
      this.dead = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    this.worker.on('error', (e) => fail(new Error(`worker thread ${index} crashed: ${e.message}`)));
    this.worker.on('exit', (code) => fail(new Error(`worker thread ${index} exited with code ${code}`)));
  }

  call(body: Body): Promise<ThreadResponse> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.next++;
    return new Promise<ThreadResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id });
    }).then((res) => {
      if (!res.ok) throw new Error(`worker thread ${this.index}: ${res.error}`);
      return res;
    });
  }

  async terminate(): Promise<void> {
    this.dead ??= new Error('terminated');
    await this.worker.terminate();
  }
}

export class ThreadExecutor implements MemberExecutor {
  private readonly lanes: Lane[];
  private readonly laneOf = new Map<number, number>();

  /** `owned`: the members this process runs (all of them, or one shard's). */
  constructor(workers: number, owned: readonly number[], shared: MemberWorkerShared) {
    const k = Math.max(1, Math.min(workers, owned.length));
    owned.forEach((m, pos) => this.laneOf.set(m, pos % k));
    this.lanes = Array.from({ length: k }, (_, i) => new Lane(i, shared));
  }

  private lane(member: number): number {
    const l = this.laneOf.get(member);
    if (l === undefined) throw new Error(`member ${member} is not run by this process`);
    return l;
  }

  private group<T>(items: readonly T[], member: (t: T) => number): T[][] {
    const out: T[][] = this.lanes.map(() => []);
    for (const it of items) out[this.lane(member(it))].push(it);
    return out;
  }

  async snapshots(round: number, members: number[]): Promise<Map<number, CheckpointArtifacts>> {
    const groups = this.group(members, (m) => m);
    const answers = await Promise.all(
      groups.map((g, i) =>
        g.length ? this.lanes[i].call({ type: 'snapshots', round, members: g }) : Promise.resolve(null),
      ),
    );
    const out = new Map<number, CheckpointArtifacts>();
    for (const a of answers) if (a?.ok) for (const [m, s] of a.snapshots ?? []) out.set(m, s);
    return out;
  }

  async runRound(round: number, jobs: RoundJob[]): Promise<number[]> {
    const groups = this.group(jobs, (j) => j.member);
    const answers = await Promise.all(
      groups.map((g, i) =>
        g.length ? this.lanes[i].call({ type: 'round', round, jobs: g }) : Promise.resolve(null),
      ),
    );
    const score = new Map<number, number>();
    answers.forEach((a, i) => {
      if (a?.ok) groups[i].forEach((j, k) => score.set(j.member, a.scores![k]));
    });
    return jobs.map((j) => score.get(j.member) ?? NaN);
  }

  async dispose(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.call({ type: 'dispose' }).catch(() => undefined)));
    await Promise.all(this.lanes.map((l) => l.terminate()));
  }
}
