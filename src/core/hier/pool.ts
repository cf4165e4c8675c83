/**
 * A hierarchy population's members spread over k lanes — the lab's member workers
 * (workers/hierPool.ts), or in-process lanes in tests. Member m lives in lane m mod k for the whole
 * run, as with `lab hier pbt --workers k`'s threads (src/cli/hier/threads.ts): a member that is not
 * copied keeps everything it has (optimiser, replay) between rounds, a copy arrives as the parent's
 * snapshot, and the same seeds give the same scores for any k. A lane answers HierLane's calls;
 * HierLaneHost is a lane's own side (a LocalExecutor of hierarchy members on the run's panel and
 * config), so a worker that hosts one is a thin face over it.
 */
import type { CheckpointArtifacts } from '../agents/checkpoint.ts';
import type { Panel } from '../data/types.ts';
import { RunControl, type RunState } from '../run/control.ts';
import { createHierMember, type HierMember } from './member.ts';
import { LocalExecutor, type MemberExecutor, type RoundJob } from './population.ts';

/** What only a member's own lane knows: its experts' diversity on its replay (not in a snapshot), its episodes. */
export interface HierMemberStats {
  mapd: number;
  klToMean: number;
  episodes: number;
}

/** What a lane builds its members from (the same in any thread): the run's config, panel and population seed. */
export interface HierLaneSpec {
  config: unknown;
  panel: Panel;
  seed: number;
}

/** One lane's calls (a comlink proxy of workers/hierMember.worker.ts has exactly these). */
export interface HierLane {
  snapshots(round: number, members: number[]): Promise<Map<number, CheckpointArtifacts>>;
  runRound(round: number, jobs: RoundJob[]): Promise<number[]>;
  stats(member: number): Promise<HierMemberStats>;
  /** The run's pause / resume / stop, mirrored into the lane while a round trains. */
  setState(state: RunState): void | Promise<void>;
  dispose(): void | Promise<void>;
}

/** A population executor whose members live elsewhere; populationRun.ts asks it for what it cannot read locally. */
export interface HierPoolExecutor extends MemberExecutor {
  /** Lanes (workers) the members are spread over. */
  readonly workers: number;
  stats(member: number): Promise<HierMemberStats>;
}

/** How often a round checks the run's control to mirror it into the lanes (ms). */
const MIRROR_MS = 50;

/** Members over lanes, member m in lane m mod k; a round runs every lane's jobs at once. */
export class LaneExecutor implements HierPoolExecutor {
  readonly workers: number;

  constructor(private readonly lanes: readonly HierLane[]) {
    if (lanes.length === 0) throw new Error('LaneExecutor: needs at least one lane');
    this.workers = lanes.length;
  }

  private group<T>(items: readonly T[], member: (t: T) => number): T[][] {
    const out: T[][] = this.lanes.map(() => []);
    for (const it of items) out[member(it) % this.lanes.length].push(it);
    return out;
  }

  async snapshots(round: number, members: number[]): Promise<Map<number, CheckpointArtifacts>> {
    const groups = this.group(members, (m) => m);
    const answers = await Promise.all(
      groups.map((g, i) => (g.length ? this.lanes[i].snapshots(round, g) : null)),
    );
    const out = new Map<number, CheckpointArtifacts>();
    for (const a of answers) for (const [m, s] of a ?? []) out.set(m, s);
    return out;
  }

  async runRound(round: number, jobs: RoundJob[], control?: RunControl): Promise<number[]> {
    const groups = this.group(jobs, (j) => j.member);
    // The lanes cannot see this thread's control: its state goes to them when it changes.
    let sent: RunState = 'running';
    const mirror = () => {
      const now = control?.current ?? 'running';
      if (now === sent) return;
      sent = now;
      for (const l of this.lanes) void Promise.resolve(l.setState(now)).catch(() => undefined);
    };
    const timer = control ? setInterval(mirror, MIRROR_MS) : null;
    try {
      const running = groups.map((g, i) => (g.length ? this.lanes[i].runRound(round, g) : null));
      mirror();
      const answers = await Promise.all(running);
      const score = new Map<number, number>();
      answers.forEach((a, i) => groups[i].forEach((j, n) => score.set(j.member, a![n])));
      return jobs.map((j) => score.get(j.member) ?? NaN);
    } finally {
      if (timer !== null) clearInterval(timer);
    }
  }

  stats(member: number): Promise<HierMemberStats> {
    return this.lanes[member % this.lanes.length].stats(member);
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.lanes.map(async (l) => l.dispose()));
  }
}

/** A lane's side: the members it owns (created on first use from their seeds), one round at a time. */
export class HierLaneHost implements HierLane {
  private readonly members = new Map<number, HierMember>();
  private readonly executor: LocalExecutor;
  // One control for the lane's whole run: a stop is final (the population trains no further round).
  private readonly control = new RunControl();

  constructor(spec: HierLaneSpec) {
    this.executor = new LocalExecutor((i, seed) => {
      const m = createHierMember(spec.panel, spec.config, seed);
      this.members.set(i, m);
      return m;
    }, spec.seed);
  }

  snapshots(round: number, members: number[]): Promise<Map<number, CheckpointArtifacts>> {
    return this.executor.snapshots(round, members);
  }

  runRound(round: number, jobs: RoundJob[]): Promise<number[]> {
    return this.executor.runRound(round, jobs, this.control);
  }

  async stats(member: number): Promise<HierMemberStats> {
    const m = this.members.get(member);
    if (!m) throw new Error(`member ${member} has not trained in this lane`);
    const h = await m.hierarchy();
    return { ...h.diversity(), episodes: h.shared.episodes.length };
  }

  setState(state: RunState): void {
    if (state === 'stopping') this.control.stop();
    else if (state === 'paused') this.control.pause();
    else this.control.resume();
  }

  dispose(): void {
    this.executor.dispose();
    this.members.clear();
  }
}
