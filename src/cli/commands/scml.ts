/**
 * `lab scml tournament`: SCML-lite tournaments (core/scml) → DIR/scores.csv, negotiations.csv,
 * daily.csv and summary.json. Rows are appended world by world, so the logs of long tournaments
 * never sit in memory.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AGENT_TYPES, isAgentType, type AgentType } from '../../core/scml/agents/index.ts';
import {
  DAILY_COLUMNS,
  NEGOTIATION_COLUMNS,
  runWorld,
  SCORE_COLUMNS,
  shardWorldRuns,
  summarizeScores,
  tournamentRuns,
  type Row,
  type TournamentSpec,
  type WorldResult,
  type WorldRun,
} from '../../core/scml/tournament.ts';
import { parseShard } from '../../core/sweeps/spec.ts';
import { parseArgs } from '../args.ts';
import { UsageError } from '../errors.ts';
import { csvField, ensureDir, writeJson } from '../output.ts';
import { runPool } from '../sweep/pool.ts';
import type { ScmlWorkerShared } from '../scml/world.worker.ts';
import type { CliCommand } from './index.ts';
import { usage as trainUsage } from './scmlTrain.ts';

const defaultWorkers = Math.max(1, os.cpus().length - 1);

const usage = `usage: lab scml tournament --agents random,syncrandom,greedy,penguin[,hrl:RUN] --worlds N --seed S --out DIR
                            [--workers N] [--shard i/n] [--steps T] [--no-negotiations] [--no-daily]
       lab scml train --out RUN … (LitaAgent-HRL; its options at the end)

Plays N seeded SCML-lite configurations (shared/research/scml-lite.md: 2–4 processes, 4–6
factories per level, 10 lines, 50–200 days), each once per rotation of the agent list over the
factories (round-robin: N × k world runs for k agent types), and writes
  DIR/scores.csv        one row per factory and world: world, config, rotation, agent, agent_type,
                        level, initial_balance, final_balance, score (final ÷ initial), shortfall
                        (units not delivered), bankrupt
  DIR/negotiations.csv  one row per offer: world, day, thread, round, proposer, responder,
                        quantity, delivery, price, response (accept / reject / end / timeout)
  DIR/daily.csv         one row per factory and day: balance, inventory, bought, produced, sales,
                        revenue, penalties, trading prices, bankrupt
  DIR/summary.json      per agent type: mean, median, truncated mean (negmas': scores above
                        Q3 + 2·IQR dropped), std,
                        bankruptcy rate, mean shortfall
World runs are played on N worker threads (rows still come out in world order); --shard i/n plays
world runs i, i+n, … (as lab sweep), for n processes or machines.

agents: ${AGENT_TYPES.join(', ')}, hrl:RUN (a lab scml train folder; ablations hrl:RUN#nol2,
  #nol3, #nol4 with L2, L3 or L4 removed, and #bc, #l1)

options:
  --agents LIST        comma-separated agent types (repeats allowed)
  --worlds N           configurations (default 30)
  --seed S             tournament seed (default 0)
  --steps T            pin the episode length (default: drawn from 50..200)
  --workers N          worker threads (default cores − 1 = ${defaultWorkers}; 1 plays in this thread)
  --shard i/n          play only slice i of n
  --no-negotiations    skip negotiations.csv (the largest file)
  --no-daily           skip daily.csv
  --quiet              no progress on stderr
  --out DIR            output folder (created)

${trainUsage}`;

const spec = {
  flags: {
    agents: { type: 'string', default: AGENT_TYPES.join(',') },
    worlds: { type: 'integer', default: 30 },
    seed: { type: 'integer', default: 0 },
    steps: { type: 'integer' },
    shard: { type: 'string' },
    workers: { type: 'integer', default: defaultWorkers },
    negotiations: { type: 'boolean', default: true },
    daily: { type: 'boolean', default: true },
    quiet: { type: 'boolean' },
    out: { type: 'string', required: true },
  },
  positionals: { min: 1, max: 1, names: ['tournament'] },
} as const;

/** A CSV file written row batch by row batch. */
class CsvStream {
  private readonly fd: number;
  constructor(file: string, header: readonly string[]) {
    this.fd = openSync(file, 'w');
    writeSync(this.fd, header.join(',') + '\n');
  }
  write(rows: readonly Row[]): void {
    if (rows.length === 0) return;
    let text = '';
    for (const r of rows) text += r.map(csvField).join(',') + '\n';
    writeSync(this.fd, text);
  }
  close(): void {
    closeSync(this.fd);
  }
}

export const command: CliCommand = {
  summary: 'SCML-lite supply-chain tournaments (scores, negotiation and daily logs as CSV)',
  usage,
  async run(argv) {
    // LitaAgent-HRL (scmlTrain.ts): `train`, and `hrl:RUN` agents loaded before the type check.
    if (argv[0] === 'train') return (await import('./scmlTrain.ts')).runScmlTrain(argv.slice(1));
    const { flags, positionals } = parseArgs(argv, spec);
    if (positionals[0] !== 'tournament')
      throw new UsageError(`unknown subcommand '${positionals[0]}'; try: tournament`);
    const agents = flags.agents
      .split(',')
      .map((s) => (s.trim().startsWith('hrl:') ? s.trim() : s.trim().toLowerCase()));
    // hrl:RUN agents are loaded (tfjs) in this thread only, so they play without workers.
    const hrl = agents.some((a) => a.startsWith('hrl:'));
    if (hrl) await (await import('./scmlTrain.ts')).prepareHrlAgents(agents);
    for (const a of agents)
      if (!isAgentType(a))
        throw new UsageError(`--agents: unknown agent '${a}'; agents: ${AGENT_TYPES.join(', ')}`);
    if (flags.workers < 1) throw new UsageError(`--workers must be ≥ 1, got ${flags.workers}`);
    if (flags.worlds < 1) throw new UsageError(`--worlds must be ≥ 1, got ${flags.worlds}`);
    if (flags.steps !== undefined && (flags.steps < 2 || flags.steps > 10_000))
      throw new UsageError(`--steps must be in 2..10000, got ${flags.steps}`);
    let shard: { index: number; count: number } | null = null;
    if (flags.shard !== undefined) {
      try {
        shard = parseShard(flags.shard);
      } catch (e) {
        throw new UsageError(`--shard: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const tspec: TournamentSpec = {
      agents: agents as AgentType[],
      configs: flags.worlds,
      seed: flags.seed,
      configOptions: flags.steps !== undefined ? { nSteps: flags.steps } : undefined,
    };
    const all = tournamentRuns(tspec);
    const runs = shard ? shardWorldRuns(all, shard) : all;
    const outDir = ensureDir(path.resolve(flags.out));
    const log = (s: string) => {
      if (!flags.quiet) process.stderr.write(s + '\n');
    };
    log(
      `lab scml: ${runs.length} world run${runs.length === 1 ? '' : 's'}${shard ? ` (shard ${shard.index}/${shard.count} of ${all.length})` : ''}: ${flags.worlds} configurations × ${agents.length} rotations of ${agents.join(',')}`,
    );
    const scores = new CsvStream(path.join(outDir, 'scores.csv'), SCORE_COLUMNS);
    const negotiations = flags.negotiations
      ? new CsvStream(path.join(outDir, 'negotiations.csv'), NEGOTIATION_COLUMNS)
      : null;
    const daily = flags.daily ? new CsvStream(path.join(outDir, 'daily.csv'), DAILY_COLUMNS) : null;
    const allScores: Row[] = [];
    const t0 = performance.now();
    let agentDays = 0;
    const logs = { negotiations: flags.negotiations, daily: flags.daily };
    // Results are written in world order whatever order the workers finish in.
    const pending = new Map<number, WorldResult>();
    let written = 0;
    const flush = () => {
      for (let r = pending.get(written); r; r = pending.get(written)) {
        pending.delete(written++);
        scores.write(r.scores);
        negotiations?.write(r.negotiations);
        daily?.write(r.daily);
        allScores.push(...r.scores);
        agentDays += r.agentDays;
        if (written % 10 === 0 || written === runs.length) log(`  [${written}/${runs.length}] worlds done`);
      }
    };
    const position = new Map(runs.map((r, i) => [r.index, i]));
    try {
      if (flags.workers === 1 || runs.length === 1 || hrl)
        for (const [i, run] of runs.entries()) {
          pending.set(i, runWorld(tspec, run, logs));
          flush();
        }
      else {
        const shared: ScmlWorkerShared = { spec: tspec, log: logs };
        const failures: string[] = [];
        await runPool<WorldRun, WorldResult>(runs, {
          workers: Math.min(flags.workers, runs.length),
          entry: new URL('../scml/world.worker.ts', import.meta.url),
          shared,
          onResult: (run, r) => {
            pending.set(position.get(run.index)!, r);
            flush();
          },
          onError: (run, message) => failures.push(`world ${run.index}: ${message}`),
        });
        if (failures.length)
          throw new Error(`lab scml: ${failures.length} world run(s) failed: ${failures[0]}`);
      }
    } finally {
      scores.close();
      negotiations?.close();
      daily?.close();
    }
    const seconds = (performance.now() - t0) / 1000;
    const table = summarizeScores(allScores);
    writeJson(path.join(outDir, 'summary.json'), {
      spec: tspec,
      shard,
      worldRuns: runs.length,
      agentDays,
      seconds,
      agentDaysPerSecond: agentDays / seconds,
      byType: table,
    });
    log(
      `lab scml: ${agentDays} agent-days in ${seconds.toFixed(1)} s (${Math.round(agentDays / seconds)} agent-days/s)`,
    );
    log('agent_type      n     mean   median  trunc_mean   std   bankrupt  shortfall');
    for (const e of table)
      log(
        `${e.agentType.padEnd(12)} ${String(e.n).padStart(5)}  ${e.mean.toFixed(3).padStart(7)}  ${e.median.toFixed(3).padStart(7)}  ${e.truncatedMean.toFixed(3).padStart(9)}  ${e.std.toFixed(3).padStart(6)}  ${e.bankruptRate.toFixed(3).padStart(8)}  ${e.meanShortfall.toFixed(1).padStart(9)}`,
      );
    return 0;
  },
};
