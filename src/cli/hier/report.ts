/**
 * The report of a `lab hier pbt` population: DIR/population.json (the lab's HierPbtExtra plus the
 * run's record), DIR/population.csv (one row per member per round) and DIR/best/ (the best member's
 * hyperparameters and state). `--merge` rebuilds the first two from a folder's score files by
 * replaying the genetics (ReplayExecutor): the same seed and scores give the same lineage and
 * hyperparameters, on any machine.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CheckpointArtifacts } from '../../core/agents/checkpoint.ts';
import type { HierPbtExtra } from '../../core/hier/extras.ts';
import type {
  MemberExecutor,
  PopulationConfig,
  PopulationResult,
  RoundJob,
} from '../../core/hier/population.ts';
import { ensureDir, toCsv, writeJson } from '../output.ts';

export const POPULATION_CSV_COLUMNS = [
  'round',
  'member',
  'sub_population',
  'frequency',
  'score',
  'parent_network',
  'parent_hps',
] as const;

/** population.csv: hyperparameter columns (after the round's exploit/explore) follow the fixed ones. */
export function populationCsv(extra: HierPbtExtra): string {
  const members = new Map(extra.members.map((m) => [m.id, m]));
  return toCsv(
    [...POPULATION_CSV_COLUMNS, ...extra.hyperparameters],
    extra.rounds.map((r) => [
      r.round,
      r.member,
      members.get(r.member)?.subPopulation,
      members.get(r.member)?.frequency,
      r.score,
      r.parentNetwork,
      r.parentHps,
      ...r.hps,
    ]),
  );
}

export interface PopulationRecord extends HierPbtExtra {
  format: 'rl-trading-lab/hier-pbt-population@1';
  population: PopulationConfig;
  status: PopulationResult['status'] | 'incomplete';
  roundsCompleted: number;
  /** The best member after the last completed round, its score and hyperparameters. */
  best: { member: number; score: number; hps: Record<string, number> };
  /** Wall seconds per round (absent in a merge: the score files carry per-shard times). */
  roundSeconds?: number[];
  shards?: number;
}

export function populationRecord(
  population: PopulationConfig,
  result: PopulationResult,
  extra: Partial<PopulationRecord> = {},
): PopulationRecord {
  return {
    format: 'rl-trading-lab/hier-pbt-population@1',
    ...result.extra,
    population,
    status: result.status,
    roundsCompleted: result.roundsCompleted,
    best: { member: result.best, score: result.scores[result.best], hps: result.hps[result.best] },
    roundSeconds: result.roundSeconds,
    ...extra,
  };
}

export function writePopulationReport(dir: string, record: PopulationRecord): void {
  ensureDir(dir);
  writeJson(path.join(dir, 'population.json'), record);
  writeFileSync(path.join(dir, 'population.csv'), populationCsv(record));
}

/** DIR/best/: hyperparameters.json and the member's state (checkpoint/model.json + weights.bin, tfjs layout). */
export function writeBestMember(
  dir: string,
  best: { member: number; score: number; hps: Record<string, number> },
  snapshot: CheckpointArtifacts,
  extra: Record<string, unknown> = {},
): string {
  const out = ensureDir(path.join(dir, 'best'));
  writeJson(path.join(out, 'hyperparameters.json'), { ...best, ...extra });
  const ck = ensureDir(path.join(out, 'checkpoint'));
  const { weightData, weightSpecs, ...topology } = snapshot;
  writeFileSync(
    path.join(ck, 'model.json'),
    JSON.stringify(
      {
        modelTopology: topology.modelTopology,
        format: topology.format,
        generatedBy: topology.generatedBy,
        convertedBy: topology.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }],
      },
      null,
      1,
    ),
  );
  writeFileSync(path.join(ck, 'weights.bin'), new Uint8Array(weightData));
  return out;
}

/** Replays recorded scores (round by round) through the driver: no member trains. */
export class ReplayExecutor implements MemberExecutor {
  constructor(private readonly scores: number[][]) {}

  async snapshots(_round: number, members: number[]): Promise<Map<number, CheckpointArtifacts>> {
    // The driver only passes them on to runRound, which ignores them.
    return new Map(members.map((m) => [m, {} as CheckpointArtifacts]));
  }

  async runRound(round: number, jobs: RoundJob[]): Promise<number[]> {
    const row = this.scores[round];
    if (!row) throw new Error(`replay: no scores recorded for round ${round}`);
    return jobs.map((j) => row[j.member]);
  }

  dispose(): void {}
}
