/**
 * The MF-PBT population driver (arXiv 2506.03225) over any PbtMember: N members in M sub-populations
 * (member i in ⌊i / (N/M)⌋), sub-population m evolving every `frequencies[m]` rounds of `tReady`
 * steps (default 1/10/25/50 × t_ready). Each round every member trains tReady steps and is scored;
 * then core/sweeps/mfpbt's genetics decide who copies whom, a copy restores the parent's snapshot
 * (taken before anyone trains again, so it is the state the parent's score describes) and the
 * searched hyperparameters (dotted config paths) are inherited and, inside a sub-population,
 * perturbed ×0.8/×1.25. The last round is not followed by an evolution, so the best member's state
 * is the one its score describes.
 *
 * Where members live is the executor's business: `LocalExecutor` keeps them in this thread (the
 * lab's trainer worker; tests); the CLI runs them on worker threads and spreads them over machines
 * (src/cli/hier/). The driver only sees jobs and scores, so every executor gives the same numbers
 * for a seed — members are created from the same seeds and a copy always goes through
 * snapshot → restore.
 */
import type { CheckpointArtifacts } from '../agents/checkpoint.ts';
import type { RunControl } from '../run/control.ts';
import { Rng } from '../rng.ts';
import {
  initialHyperparameters,
  mfPbtGenetics,
  perturb,
  ranking,
  type HyperparameterSpec,
  type Hyperparameters,
} from '../sweeps/mfpbt.ts';
import type { HierPbtExtra } from './extras.ts';
import type { PbtMember } from './member.ts';

// The member contract lives beside the hierarchy that implements it (member.ts); toys implement it too.
export type { PbtMember };

export type PbtMemberFactory = (member: number, seed: number) => Promise<PbtMember> | PbtMember;

export interface PopulationConfig {
  /** Members in all (N); N / frequencies.length per sub-population, a multiple of 4. */
  members: number;
  /** Rounds between evolutions of each sub-population (one entry per sub-population). */
  frequencies: number[];
  /** Steps each member trains per round. */
  tReady: number;
  rounds: number;
  /** Hyperparameters searched: names are dotted config paths, values clipped to [min, max]. */
  hyperparameters: HyperparameterSpec[];
  perturbFactors: number[];
  seed: number;
}

export const POPULATION_DEFAULTS: Omit<PopulationConfig, 'hyperparameters'> = {
  members: 16,
  frequencies: [1, 10, 25, 50],
  tReady: 1000,
  rounds: 50,
  perturbFactors: [0.8, 1.25],
  seed: 0,
};

/**
 * What a hierarchy population searches by default (member.ts's HIER_PBT_HYPERPARAMETERS) and where
 * its members start: log-uniform around the seed's values (β 0.5, λ 0.1, ent 0.01, lr 1e-3).
 */
export const HIER_PBT_SEARCH: HyperparameterSpec[] = [
  { name: 'hierarchical.miRewardWeight', min: 0.05, max: 2, init: 'log-uniform' },
  { name: 'hierarchical.klLambda', min: 0.01, max: 1, init: 'log-uniform' },
  { name: 'hierarchical.entCoef', min: 0.001, max: 0.1, init: 'log-uniform' },
  { name: 'hierarchical.expertLearningRate', min: 1e-4, max: 1e-2, init: 'log-uniform' },
  { name: 'hierarchical.routerLearningRate', min: 1e-4, max: 1e-2, init: 'log-uniform' },
];

/** Throws naming `prefix.<field>` when the population cannot be split as the genetics need. */
export function validatePopulation(c: PopulationConfig, prefix = 'population'): void {
  const int = (v: number, name: string, min: number) => {
    if (!Number.isInteger(v) || v < min)
      throw new Error(`${prefix}.${name}: must be an integer ≥ ${min}, got ${v}`);
  };
  int(c.members, 'members', 4);
  int(c.tReady, 'tReady', 1);
  int(c.rounds, 'rounds', 1);
  if (c.frequencies.length === 0) throw new Error(`${prefix}.frequencies: needs at least one entry`);
  c.frequencies.forEach((f, i) => int(f, `frequencies[${i}]`, 1));
  const per = c.members / c.frequencies.length;
  if (!Number.isInteger(per) || per % 4 !== 0)
    throw new Error(
      `${prefix}.members: ${c.members} members in ${c.frequencies.length} sub-populations must give a multiple of 4 each (the genetics copy quarters), e.g. ${4 * c.frequencies.length}`,
    );
  if (c.hyperparameters.length === 0) throw new Error(`${prefix}.hyperparameters: none searched`);
  const seen = new Set<string>();
  for (const h of c.hyperparameters) {
    if (seen.has(h.name)) throw new Error(`${prefix}.hyperparameters: '${h.name}' twice`);
    seen.add(h.name);
    if (!(h.min <= h.max) || !Number.isFinite(h.min) || !Number.isFinite(h.max))
      throw new Error(`${prefix}.hyperparameters: '${h.name}' range [${h.min}, ${h.max}] is not one`);
    if (h.init === 'log-uniform' && h.min <= 0)
      throw new Error(`${prefix}.hyperparameters: '${h.name}' is log-uniform but its min ${h.min} ≤ 0`);
  }
  if (c.perturbFactors.length === 0 || c.perturbFactors.some((f) => !(f > 0)))
    throw new Error(
      `${prefix}.perturbFactors: positive factors needed, got [${c.perturbFactors.join(', ')}]`,
    );
}

/** The seed member i is created with: its own stream from the population's seed. */
export function memberSeed(populationSeed: number, member: number): number {
  return new Rng(populationSeed).fork(`member ${member}`).nextUint32();
}

/** One member's work for one round. */
export interface RoundJob {
  member: number;
  round: number;
  steps: number;
  hps: Hyperparameters;
  /** The parent's snapshot to continue from (a copy), or null to go on from its own state. */
  restore: CheckpointArtifacts | null;
  /** Who `restore` came from (its own id when nobody). */
  parent: number;
}

/** Where members live and train: this thread, worker threads, or one shard of several machines. */
export interface MemberExecutor {
  /** Snapshots of these members as they are now (end of the last round). */
  snapshots(round: number, members: number[]): Promise<Map<number, CheckpointArtifacts>>;
  /** Runs the round's jobs (a shard runs its own and waits for the others); scores in job order. */
  runRound(round: number, jobs: RoundJob[], control?: RunControl): Promise<number[]>;
  dispose(): Promise<void> | void;
}

/** Members kept in this thread, trained one after another. */
export class LocalExecutor implements MemberExecutor {
  private readonly live = new Map<number, PbtMember>();

  constructor(
    private readonly factory: PbtMemberFactory,
    private readonly seed: number,
  ) {}

  private async member(i: number): Promise<PbtMember> {
    let m = this.live.get(i);
    if (!m) {
      m = await this.factory(i, memberSeed(this.seed, i));
      this.live.set(i, m);
    }
    return m;
  }

  async snapshots(_round: number, members: number[]): Promise<Map<number, CheckpointArtifacts>> {
    const out = new Map<number, CheckpointArtifacts>();
    for (const i of members) out.set(i, await (await this.member(i)).snapshot());
    return out;
  }

  async runRound(_round: number, jobs: RoundJob[], control?: RunControl): Promise<number[]> {
    const scores: number[] = [];
    for (const job of jobs) scores.push(await runJob(await this.member(job.member), job, control));
    return scores;
  }

  /** The live member (to evaluate the best one after the run); undefined before it trained. */
  get(i: number): PbtMember | undefined {
    return this.live.get(i);
  }

  dispose(): void {
    for (const m of this.live.values()) m.dispose();
    this.live.clear();
  }
}

/** One job on a live member: restore if copied, set the hyperparameters, train, score. */
export async function runJob(m: PbtMember, job: RoundJob, control?: RunControl): Promise<number> {
  if (job.restore) await m.restore(job.restore);
  m.setHyperparameters(job.hps);
  await m.train(job.steps, control);
  const s = await m.score();
  return Number.isFinite(s) ? s : NaN;
}

export interface PopulationRound {
  round: number;
  scores: Float64Array;
  /** Hyperparameters each member trained with this round. */
  hps: Hyperparameters[];
  parentNetwork: Int32Array;
  parentHps: Int32Array;
  seconds: number;
}

export interface PopulationResult {
  extra: HierPbtExtra;
  /** Hyperparameters the members hold at the end (what the last round trained with). */
  hps: Hyperparameters[];
  scores: Float64Array;
  /** The best member after the last round completed. */
  best: number;
  roundsCompleted: number;
  roundSeconds: number[];
  status: 'completed' | 'stopped';
}

export interface RunPopulationOptions {
  control?: RunControl;
  /** Awaited before the next round (a runner reads the best member here). */
  onRound?(r: PopulationRound): void | Promise<void>;
  clock?: () => number;
}

/**
 * Runs the population: `rounds` rounds of train → score → evolve (not after the last). Stopping
 * (control) ends after the current round, without its evolution.
 */
export async function runPopulation(
  cfg: PopulationConfig,
  executor: MemberExecutor,
  opts: RunPopulationOptions = {},
): Promise<PopulationResult> {
  validatePopulation(cfg);
  const clock = opts.clock ?? (() => performance.now());
  const n = cfg.members;
  const M = cfg.frequencies.length;
  const P = n / M;
  const specs = cfg.hyperparameters;
  const rng = new Rng(cfg.seed).fork('mf-pbt');
  // Every sub-population starts from the same spread of hyperparameters, as the reference does.
  const start = initialHyperparameters(specs, P, rng);
  let hps: Hyperparameters[] = Array.from({ length: n }, (_, i) => ({ ...start[i % P] }));
  let parents: Int32Array = Int32Array.from({ length: n }, (_, i) => i);
  const extra: HierPbtExtra = {
    hyperparameters: specs.map((s) => s.name),
    members: Array.from({ length: n }, (_, i) => ({
      id: i,
      subPopulation: Math.floor(i / P),
      frequency: cfg.frequencies[Math.floor(i / P)],
    })),
    rounds: [],
  };
  let scores = new Float64Array(n).fill(NaN);
  const roundSeconds: number[] = [];
  let status: PopulationResult['status'] = 'completed';
  let round = 0;
  for (; round < cfg.rounds; round++) {
    if (opts.control?.stopRequested) {
      status = 'stopped';
      break;
    }
    const t0 = clock();
    // Parents' snapshots before anyone trains again: the state their scores described.
    const copied = [...new Set([...parents].filter((p, i) => p !== i))].sort((a, b) => a - b);
    const snaps = copied.length > 0 ? await executor.snapshots(round - 1, copied) : new Map();
    const jobs: RoundJob[] = hps.map((h, i) => ({
      member: i,
      round,
      steps: cfg.tReady,
      hps: { ...h },
      parent: parents[i],
      restore: parents[i] === i ? null : (snaps.get(parents[i]) ?? missing(parents[i], round)),
    }));
    scores = Float64Array.from(await executor.runRound(round, jobs, opts.control));
    const last = round === cfg.rounds - 1 || opts.control?.stopRequested === true;
    const inh = last
      ? {
          parentHps: Int32Array.from({ length: n }, (_, i) => i),
          parentNetwork: Int32Array.from({ length: n }, (_, i) => i),
          explore: new Uint8Array(n),
        }
      : mfPbtGenetics(scores, round, cfg.frequencies, P);
    // Inherit from the pre-evolution hyperparameters, so a member copied this round passes on what it had.
    const trained = hps;
    const next = trained.map((h, i) => {
      if (inh.parentHps[i] === i) return h;
      const parent = trained[inh.parentHps[i]];
      return inh.explore[i] ? perturb(parent, specs, cfg.perturbFactors, rng) : { ...parent };
    });
    for (let i = 0; i < n; i++)
      extra.rounds.push({
        round,
        member: i,
        score: scores[i],
        parentNetwork: inh.parentNetwork[i],
        parentHps: inh.parentHps[i],
        hps: specs.map((s) => next[i][s.name]),
      });
    const seconds = (clock() - t0) / 1000;
    roundSeconds.push(seconds);
    await opts.onRound?.({
      round,
      scores,
      hps: trained,
      parentNetwork: inh.parentNetwork,
      parentHps: inh.parentHps,
      seconds,
    });
    // A stop asked for during onRound (the lab's Stop while the round's metrics go out): this round
    // is the last, so its evolution is undone in the record — nobody will copy anything.
    const stoppedNow = !last && opts.control?.stopRequested === true;
    if (stoppedNow)
      for (const row of extra.rounds.slice(-n)) {
        row.parentNetwork = row.member;
        row.parentHps = row.member;
        row.hps = specs.map((s) => trained[row.member][s.name]);
      }
    hps = last || stoppedNow ? trained : next;
    parents = inh.parentNetwork;
    if (last || stoppedNow) {
      round++;
      if (round < cfg.rounds) status = 'stopped';
      break;
    }
  }
  return {
    extra,
    hps,
    scores,
    best: ranking(scores)[0],
    roundsCompleted: round,
    roundSeconds,
    status,
  };
}

function missing(member: number, round: number): never {
  throw new Error(`population: no snapshot of member ${member} after round ${round - 1}`);
}

/** The population's best member per round and its hyperparameters (what the lab and README show). */
export function bestPerRound(
  extra: HierPbtExtra,
): { round: number; member: number; score: number; hps: number[] }[] {
  const out: { round: number; member: number; score: number; hps: number[] }[] = [];
  const byRound = new Map<number, HierPbtExtra['rounds']>();
  for (const r of extra.rounds) {
    const list = byRound.get(r.round) ?? [];
    list.push(r);
    byRound.set(r.round, list);
  }
  for (const [round, rows] of [...byRound].sort((a, b) => a[0] - b[0])) {
    const scores = rows.map((r) => r.score);
    const b = rows[ranking(scores)[0]];
    out.push({ round, member: b.member, score: b.score, hps: b.hps });
  }
  return out;
}
