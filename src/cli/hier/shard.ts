/**
 * A population spread over processes or machines that share a folder: `lab hier pbt … --out DIR
 * --shard i/n` runs the members m ≡ i (mod n). The protocol, all under DIR:
 *
 *   pbt.json                      the population (config, member spec, shard count). Every shard
 *                                 writes it if absent and otherwise refuses to start unless it is
 *                                 the same, so shards of different runs never mix.
 *   rounds/R/score-M.json         member M's score after round R ({ member, round, score, shard,
 *                                 seconds }), written by its shard when it has trained.
 *   rounds/R/snap-M.json + .bin   member M's state after round R, written by its shard when the
 *                                 genetics (computed identically on every shard from the same
 *                                 scores and seed) make M a parent, and for the best member at the
 *                                 end. The .bin (weights) is written first, the .json last.
 *
 * Every file is written to a temporary name and renamed, so a reader never sees half a file. Each
 * round a shard trains its members, writes their scores, then waits (polling, `timeoutS`) for every
 * other member's score — the barrier — and runs the same genetics as the others; a copy from
 * another shard's member waits likewise for that member's snapshot. A shard deletes its own round
 * R−1 snapshots once round R's barrier has passed (every restore from them happened before). A
 * shard that waits longer than the timeout stops with an error naming the missing members and the
 * shard that owes them. Shard 0 writes the report (population.json, population.csv, best/); `lab
 * hier pbt --merge DIR` rebuilds it from the score files alone by replaying the genetics.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CheckpointArtifacts } from '../../core/agents/checkpoint.ts';
import { stableStringify } from '../../core/experiment/data.ts';
import type { MemberExecutor, PopulationConfig, RoundJob } from '../../core/hier/population.ts';
import { UsageError } from '../errors.ts';
import { parseJsonFile } from '../json.ts';
import type { MemberSpec } from './members.ts';

export const PBT_FORMAT = 'rl-trading-lab/hier-pbt@1';

export interface PbtDirSpec {
  format: typeof PBT_FORMAT;
  population: PopulationConfig;
  member: MemberSpec;
  shards: number;
}

export interface Shard {
  index: number;
  count: number;
}

function atomicWrite(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

const roundDir = (dir: string, round: number) => path.join(dir, 'rounds', String(round));
export const scoreFile = (dir: string, round: number, m: number) =>
  path.join(roundDir(dir, round), `score-${m}.json`);
export const snapFile = (dir: string, round: number, m: number) =>
  path.join(roundDir(dir, round), `snap-${m}`);

/** Writes DIR/pbt.json, or checks the one there is the same population (UsageError otherwise). */
export function claimPbtDir(dir: string, spec: PbtDirSpec, shard: Shard): void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'pbt.json');
  // Two shards starting together may both write it: the re-read below catches a different one.
  if (!existsSync(file)) atomicWrite(file, JSON.stringify(spec, null, 2) + '\n');
  const want = JSON.parse(JSON.stringify(spec)) as Record<string, unknown>;
  const have = readPbtSpec(dir) as unknown as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(want), ...Object.keys(have)])];
  const differs = keys.find((k) => stableStringify(want[k]) !== stableStringify(have[k]));
  if (differs)
    throw new UsageError(
      `${file}: another population is in this folder ('${differs}' differs from this shard's); give every shard the same arguments, or a fresh --out`,
    );
  const mine = Array.from({ length: spec.population.members }, (_, m) => m).filter(
    (m) => m % shard.count === shard.index,
  );
  const stale = mine.find((m) => existsSync(scoreFile(dir, 0, m)));
  if (stale !== undefined)
    throw new UsageError(
      `${scoreFile(dir, 0, stale)}: this folder already holds shard ${shard.index}/${shard.count}'s results; use a fresh --out`,
    );
}

export function readPbtSpec(dir: string): PbtDirSpec {
  const file = path.join(dir, 'pbt.json');
  if (!existsSync(file))
    throw new UsageError(`${file}: no such file (expected a folder written by lab hier pbt)`);
  const spec = parseJsonFile(readFileSync(file, 'utf8'), file) as Partial<PbtDirSpec>;
  if (spec.format !== PBT_FORMAT || !spec.population || !spec.member)
    throw new UsageError(`${file}: not a lab hier pbt population (format ${String(spec.format)})`);
  return spec as PbtDirSpec;
}

export function writeScore(
  dir: string,
  round: number,
  m: number,
  score: number,
  shard: number,
  seconds: number,
): void {
  mkdirSync(roundDir(dir, round), { recursive: true });
  atomicWrite(
    scoreFile(dir, round, m),
    JSON.stringify({ member: m, round, score: Number.isFinite(score) ? score : null, shard, seconds }) + '\n',
  );
}

/** A member's score after a round, or undefined when its file is not there (yet). */
export function readScore(dir: string, round: number, m: number): number | undefined {
  const file = scoreFile(dir, round, m);
  if (!existsSync(file)) return undefined;
  const s = (parseJsonFile(readFileSync(file, 'utf8'), file) as { score: number | null }).score;
  return s === null ? NaN : s;
}

export function writeSnapshot(dir: string, round: number, m: number, s: CheckpointArtifacts): void {
  mkdirSync(roundDir(dir, round), { recursive: true });
  const base = snapFile(dir, round, m);
  const { weightData, ...rest } = s;
  atomicWrite(`${base}.bin`, new Uint8Array(weightData));
  atomicWrite(`${base}.json`, JSON.stringify(rest));
}

export function readSnapshot(dir: string, round: number, m: number): CheckpointArtifacts | undefined {
  const base = snapFile(dir, round, m);
  if (!existsSync(`${base}.json`)) return undefined;
  const rest = parseJsonFile(readFileSync(`${base}.json`, 'utf8'), `${base}.json`) as Omit<
    CheckpointArtifacts,
    'weightData'
  >;
  const bytes = readFileSync(`${base}.bin`);
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return { ...rest, weightData };
}

/** Polls `ready` until it returns a value or `timeoutS` passes (then throws `onTimeout()`'s text). */
async function waitFor<T>(
  ready: () => T | undefined,
  timeoutS: number,
  pollMs: number,
  onTimeout: () => string,
): Promise<T> {
  const end = Date.now() + timeoutS * 1000;
  for (;;) {
    const v = ready();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(onTimeout());
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** One shard of a population: runs its own members through `inner`, exchanges the rest through DIR. */
export class ShardExecutor implements MemberExecutor {
  constructor(
    private readonly dir: string,
    private readonly shard: Shard,
    private readonly inner: MemberExecutor,
    private readonly opts: { timeoutS: number; pollMs?: number; clock?: () => number } = { timeoutS: 1800 },
  ) {}

  private own(m: number): boolean {
    return m % this.shard.count === this.shard.index;
  }

  private owner(ms: number[]): string {
    const shards = [...new Set(ms.map((m) => m % this.shard.count))].sort((a, b) => a - b);
    return shards.map((s) => `${s}/${this.shard.count}`).join(', ');
  }

  async snapshots(round: number, members: number[]): Promise<Map<number, CheckpointArtifacts>> {
    const mine = members.filter((m) => this.own(m));
    const out = mine.length
      ? await this.inner.snapshots(round, mine)
      : new Map<number, CheckpointArtifacts>();
    for (const [m, s] of out) writeSnapshot(this.dir, round, m, s);
    const others = members.filter((m) => !this.own(m));
    const got = await waitFor(
      () => {
        const all = others.map((m) => readSnapshot(this.dir, round, m));
        return all.every((s) => s !== undefined) ? (all as CheckpointArtifacts[]) : undefined;
      },
      this.opts.timeoutS,
      this.opts.pollMs ?? 200,
      () => {
        const missing = others.filter((m) => !existsSync(`${snapFile(this.dir, round, m)}.json`));
        return `shard ${this.shard.index}/${this.shard.count} waited ${this.opts.timeoutS} s for the state after round ${round} of member${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (owed by shard ${this.owner(missing)}; files ${roundDir(this.dir, round)}/snap-M.json): is that shard still running?`;
      },
    );
    others.forEach((m, k) => out.set(m, got[k]));
    return out;
  }

  async runRound(round: number, jobs: RoundJob[]): Promise<number[]> {
    const clock = this.opts.clock ?? (() => performance.now());
    const mine = jobs.filter((j) => this.own(j.member));
    const t0 = clock();
    const scores = mine.length ? await this.inner.runRound(round, mine) : [];
    const seconds = (clock() - t0) / 1000;
    mine.forEach((j, k) => writeScore(this.dir, round, j.member, scores[k], this.shard.index, seconds));
    const all = jobs.map((j) => j.member);
    const got = await waitFor(
      () => {
        const s = all.map((m) => readScore(this.dir, round, m));
        return s.every((v) => v !== undefined) ? (s as number[]) : undefined;
      },
      this.opts.timeoutS,
      this.opts.pollMs ?? 200,
      () => {
        const missing = all.filter((m) => !existsSync(scoreFile(this.dir, round, m)));
        return `shard ${this.shard.index}/${this.shard.count} waited ${this.opts.timeoutS} s for round ${round}'s scores of member${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (owed by shard ${this.owner(missing)}; files ${roundDir(this.dir, round)}/score-M.json): is that shard still running?`;
      },
    );
    // Every shard has restored from round − 1's snapshots before training this round: drop ours.
    if (round > 0) {
      const prev = roundDir(this.dir, round - 1);
      if (existsSync(prev))
        for (const f of readdirSync(prev)) {
          const m = /^snap-(\d+)\.(json|bin)$/.exec(f);
          if (m && this.own(Number(m[1]))) rmSync(path.join(prev, f), { force: true });
        }
    }
    return got;
  }

  dispose(): Promise<void> | void {
    return this.inner.dispose();
  }
}

/**
 * The recorded scores of a population folder, round by round, as far as every member has one:
 * what `--merge` replays the genetics over.
 */
export function readRecordedScores(
  dir: string,
  members: number,
  rounds: number,
): { scores: number[][]; missing: string[] } {
  const scores: number[][] = [];
  const missing: string[] = [];
  for (let r = 0; r < rounds; r++) {
    const row = Array.from({ length: members }, (_, m) => readScore(dir, r, m));
    const absent = row.flatMap((v, m) => (v === undefined ? [m] : []));
    if (absent.length) {
      missing.push(`round ${r}: member${absent.length === 1 ? '' : 's'} ${absent.join(', ')}`);
      break;
    }
    scores.push(row as number[]);
  }
  return { scores, missing };
}
