/**
 * `lab hier pbt`: an MF-PBT population (core/hier/population.ts) of hierarchies — or of the
 * quadratic check member — on worker threads (--workers k) and machines (--shard i/n over a shared
 * --out folder; protocol in src/cli/hier/shard.ts) → DIR/population.json, population.csv, best/.
 */
import path from 'node:path';
import { RunControl } from '../../core/run/control.ts';
import {
  LocalExecutor,
  HIER_PBT_SEARCH,
  memberSeed,
  POPULATION_DEFAULTS,
  runPopulation,
  validatePopulation,
  type MemberExecutor,
  type PopulationConfig,
} from '../../core/hier/population.ts';
import { QUADRATIC_SEARCH } from '../../core/hier/quadraticMember.ts';
import { hierConfigOf } from '../../core/hier/workflow.ts';
import type { DataSourceConfig } from '../../core/experiment/config.ts';
import { unflatten } from '../../core/experiment/vocabulary.ts';
import { getWorkflow } from '../../core/workflows/registry.ts';
import { applySets, dataConfigOf, resolveOrUsage } from '../experimentArgs.ts';
import type { HyperparameterSpec } from '../../core/sweeps/mfpbt.ts';
import { parseShard } from '../../core/sweeps/spec.ts';
import { parseArgs } from '../args.ts';
import { UsageError } from '../errors.ts';
import { memberFactory, type MemberSpec } from '../hier/members.ts';
import { populationRecord, ReplayExecutor, writeBestMember, writePopulationReport } from '../hier/report.ts';
import {
  claimPbtDir,
  PBT_FORMAT,
  readPbtSpec,
  readRecordedScores,
  ShardExecutor,
  type PbtDirSpec,
} from '../hier/shard.ts';
import { ThreadExecutor } from '../hier/threads.ts';
import type { HierRunWriters } from '../hier/bestRun.ts';

export const pbtUsage = `usage: lab hier pbt (--env synthetic:regimes=2 | --data SRC… | --env quadratic) --out DIR
                   [--members N] [--rounds R] [--t-ready T] [--frequencies 1,10,25,50]
                   [--hp PATH=MIN:MAX[:log|:int]]… [--set PATH=VALUE]… [--seed S]
                   [--workers K] [--shard i/n] [--wait SECONDS]
       lab hier pbt --merge DIR

Multiple-frequency population-based training (MF-PBT, arXiv 2506.03225): N members in
sub-populations that evolve every 1, 10, 25, 50 rounds (--frequencies); a round trains every member
T steps (--t-ready) and scores it; then in each evolving sub-population the bottom quarter copies
the top quarter's state and hyperparameters, perturbed ×0.8 or ×1.25, and the third quarter takes
better members from other sub-populations. Writes
  DIR/population.json  members, one row per member per round (score, whom it copied, hyperparameters
                       after the round's exploit/explore), the best member; the lab's PBT view reads it
  DIR/population.csv   round, member, sub_population, frequency, score, parent_network, parent_hps,
                       one column per searched hyperparameter
  DIR/best/            the best member: hyperparameters.json and checkpoint/ (model.json + weights.bin)
  DIR/pbt.json, DIR/rounds/R/  the population's spec, each member's score per round and the
                       snapshots copies are made from (the sharding protocol's files)

Members: --env quadratic is a check member with known optimal rates (quadratic.lrA = 0.5,
quadratic.lrB = 0.125; core/hier/quadraticMember.ts); any other --env / --data trains hierarchies
(workflow 'hierarchical', --set its fields). --hp names a searched hyperparameter by its dotted path
with its range (log: initial values log-uniform, int: whole numbers); repeat it.

Workers and machines: --workers K runs the members on K Node worker threads (a member stays on its
thread). --shard i/n runs members m ≡ i (mod n) only; start one process per shard with the same
arguments and the same --out folder (shared storage): each round every shard writes its members'
scores, waits for the others' (at most --wait seconds, then it stops naming the missing members and
their shard), and runs the same genetics. Shard 0 writes the report; --merge DIR rebuilds
population.json/.csv from the folder's score files alone.

options:
  --members N        members in all (default ${POPULATION_DEFAULTS.members}; N / sub-populations a multiple of 4)
  --rounds R         rounds (default: hierarchical.totalSteps / T = 40; quadratic ${POPULATION_DEFAULTS.rounds})
  --t-ready T        env steps per member per round (default: one population cycle of the hierarchy,
                     hierarchical.populationEvery × routerInterval × numEnvs = 800; quadratic ${POPULATION_DEFAULTS.tReady})
  --frequencies L    rounds between evolutions per sub-population (default ${POPULATION_DEFAULTS.frequencies.join(',')})
  --seed S           population seed (members' seeds derive from it; default 0)
  --workers K        worker threads (default 1: members train in this thread)
  --shard i/n        run slice i of n
  --wait S           barrier timeout in seconds (default 1800)
  --backend B        wasm (default) or cpu, for hierarchies
  --merge DIR        rebuild DIR's report from its score files`;

const spec = {
  flags: {
    env: { type: 'string' },
    data: { type: 'string', multiple: true },
    out: { type: 'string' },
    members: { type: 'integer', default: POPULATION_DEFAULTS.members },
    rounds: { type: 'integer' },
    't-ready': { type: 'integer' },
    frequencies: { type: 'string', default: POPULATION_DEFAULTS.frequencies.join(',') },
    hp: { type: 'string', multiple: true },
    set: { type: 'key-value' },
    seed: { type: 'integer', default: 0 },
    workers: { type: 'integer', default: 1 },
    shard: { type: 'string' },
    wait: { type: 'number', default: 1800 },
    backend: { type: 'string', choices: ['wasm', 'cpu'], default: 'wasm' },
    merge: { type: 'string' },
    quiet: { type: 'boolean' },
  },
} as const;

/** `--hp PATH=MIN:MAX[:log|:int]`. */
export function parseHpFlag(text: string): HyperparameterSpec {
  const m = /^([\w.[\]-]+)=([^:]+):([^:]+)(?::(log|int))?$/.exec(text.trim());
  const lo = Number(m?.[2]);
  const hi = Number(m?.[3]);
  if (!m || !Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi)
    throw new UsageError(
      `--hp ${text}: expected PATH=MIN:MAX[:log|:int] with MIN ≤ MAX (e.g. hierarchical.router.learningRate=1e-5:1e-3:log)`,
    );
  if (m[4] === 'log' && lo <= 0) throw new UsageError(`--hp ${text}: a log range needs MIN > 0`);
  return {
    name: m[1],
    min: lo,
    max: hi,
    ...(m[4] === 'log' ? { init: 'log-uniform' as const } : {}),
    ...(m[4] === 'int' ? { int: true } : {}),
  };
}

function parseFrequencies(text: string): number[] {
  const f = text.split(',').map((s) => Number(s.trim()));
  if (f.length === 0 || f.some((v) => !Number.isInteger(v) || v < 1))
    throw new UsageError(
      `--frequencies ${text}: expected whole numbers ≥ 1 separated by commas (e.g. 1,10,25,50)`,
    );
  return f;
}

const fmt = (v: number) =>
  Number.isFinite(v)
    ? Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3)
      ? v.toExponential(3)
      : v.toFixed(4)
    : String(v);

/**
 * The members' experiment: the hierarchical workflow's start values (as lab hier train), the
 * market of --env synthetic:… / --data, then --set. Resolved here so a bad path fails before any
 * member starts; the members get the input (JSON, for worker threads and pbt.json).
 */
async function hierarchicalConfig(
  dataSpecs: string[],
  sets: Record<string, string>,
  seed: number,
  backend: string,
): Promise<Record<string, unknown> & { data: DataSourceConfig }> {
  const input = unflatten(getWorkflow('hierarchical').start) as Record<string, unknown>;
  input.workflow = 'hierarchical';
  input.seed = seed;
  input.backend = backend;
  if (dataSpecs.length > 0) {
    const data = dataConfigOf(dataSpecs);
    const start = input.data as { config?: Record<string, unknown> };
    input.data = data.kind === 'synthetic' ? { ...data, config: { ...start.config, ...data.config } } : data;
  }
  const config = applySets(input, sets);
  await resolveOrUsage(config);
  try {
    hierConfigOf(config);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  return config as Record<string, unknown> & { data: DataSourceConfig };
}

async function merge(dir: string, log: (s: string) => void): Promise<number> {
  const pbt = readPbtSpec(dir);
  const { scores, missing } = readRecordedScores(dir, pbt.population.members, pbt.population.rounds);
  if (scores.length === 0)
    throw new UsageError(`${dir}: no complete round of scores to merge (${missing.join('; ')})`);
  const control = new RunControl();
  const result = await runPopulation(pbt.population, new ReplayExecutor(scores), {
    control,
    onRound: (r) => {
      if (r.round === scores.length - 1) control.stop();
    },
  });
  const complete = scores.length === pbt.population.rounds;
  const record = populationRecord(pbt.population, result, {
    status: complete ? 'completed' : 'incomplete',
    shards: pbt.shards,
    roundSeconds: undefined,
  });
  writePopulationReport(dir, record);
  log(
    `lab hier pbt --merge: ${scores.length}/${pbt.population.rounds} rounds of ${pbt.population.members} members → ${path.join(dir, 'population.json')}, population.csv; best member ${result.best} (score ${fmt(result.scores[result.best])})`,
  );
  if (!complete) {
    log(`lab hier pbt --merge: MISSING ${missing.join('; ')}`);
    return 1;
  }
  return 0;
}

/** `writers`: lab hier train's file writers, for the best hierarchy's run files (commands/hier.ts passes them). */
export async function runHierPbt(argv: string[], writers?: HierRunWriters): Promise<number> {
  const { flags } = parseArgs(argv, spec);
  const log = (s: string) => {
    if (!flags.quiet) process.stderr.write(s + '\n');
  };
  if (flags.merge !== undefined) return merge(path.resolve(flags.merge), log);
  if (flags.out === undefined) throw new UsageError('missing --out DIR');
  if (flags.workers < 1) throw new UsageError(`--workers must be ≥ 1, got ${flags.workers}`);
  if (!(flags.wait > 0)) throw new UsageError(`--wait must be > 0 seconds, got ${flags.wait}`);
  let shard = { index: 0, count: 1 };
  if (flags.shard !== undefined) {
    try {
      shard = parseShard(flags.shard);
    } catch (e) {
      throw new UsageError(`--shard: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  let member: MemberSpec;
  let defaultTReady = POPULATION_DEFAULTS.tReady;
  let defaultRounds = (_tReady: number) => POPULATION_DEFAULTS.rounds;
  let searched: HyperparameterSpec[];
  if (flags.env === 'quadratic') {
    if (flags.data.length > 0 || Object.keys(flags.set).length > 0)
      throw new UsageError(
        '--env quadratic takes no --data or --set (its only settings are the searched rates)',
      );
    member = { kind: 'quadratic', envSeed: flags.seed, period: 10, noise: 0.1 };
    searched = QUADRATIC_SEARCH;
  } else {
    const dataSpecs = [...flags.data, ...(flags.env !== undefined ? [flags.env] : [])];
    if (flags.env !== undefined && !flags.env.startsWith('synthetic'))
      throw new UsageError(`--env expects quadratic or synthetic[:k=v,…], got '${flags.env}'`);
    if (flags.env !== undefined && flags.data.length > 0)
      throw new UsageError('give the market with --env synthetic:… or --data SRC…, not both');
    const config = await hierarchicalConfig(dataSpecs, flags.set, flags.seed, flags.backend);
    member = { kind: 'hierarchical', config, dataSpecs: config.data.kind === 'panel' ? dataSpecs : [] };
    searched = HIER_PBT_SEARCH;
    const hc = hierConfigOf(config);
    // One round = one population cycle of the seed's schedule (populationEvery router decisions).
    defaultTReady = hc.populationEvery * hc.routerInterval * hc.numEnvs;
    // Each member trains the config's totalSteps in all, as a single run would.
    defaultRounds = (t) => Math.max(1, Math.round(hc.totalSteps / t));
  }
  if (flags.hp.length > 0) searched = flags.hp.map(parseHpFlag);

  const population: PopulationConfig = {
    members: flags.members,
    frequencies: parseFrequencies(flags.frequencies),
    tReady: flags['t-ready'] ?? defaultTReady,
    rounds: flags.rounds ?? defaultRounds(flags['t-ready'] ?? defaultTReady),
    hyperparameters: searched,
    perturbFactors: POPULATION_DEFAULTS.perturbFactors,
    seed: flags.seed,
  };
  try {
    validatePopulation(population, '--members/--frequencies/--hp');
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }

  const dir = path.resolve(flags.out);
  const dirSpec: PbtDirSpec = { format: PBT_FORMAT, population, member, shards: shard.count };
  claimPbtDir(dir, dirSpec, shard);
  const owned = Array.from({ length: population.members }, (_, m) => m).filter(
    (m) => m % shard.count === shard.index,
  );
  const inner: MemberExecutor =
    flags.workers > 1
      ? new ThreadExecutor(flags.workers, owned, {
          spec: member,
          seed: population.seed,
        })
      : new LocalExecutor(await memberFactory(member), population.seed);
  const executor = new ShardExecutor(dir, shard, inner, { timeoutS: flags.wait });
  const where = shard.count > 1 ? ` shard ${shard.index}/${shard.count} (${owned.length} members)` : '';
  log(
    `lab hier pbt: ${population.members} members × ${population.rounds} rounds of ${population.tReady} steps, sub-populations every ${population.frequencies.join('/')} rounds,${where} on ${flags.workers > 1 ? `${Math.min(flags.workers, owned.length)} worker threads` : 'this thread'}; searching ${searched.map((h) => h.name).join(', ')}`,
  );
  try {
    const result = await runPopulation(population, executor, {
      onRound: (r) => {
        const order = Array.from(r.scores.keys()).sort(
          (a, b) => (r.scores[b] || -Infinity) - (r.scores[a] || -Infinity),
        );
        const b = order[0];
        const copies = r.parentNetwork.filter((p, i) => p !== i).length;
        log(
          `  round ${r.round + 1}/${population.rounds}: best member ${b} score ${fmt(r.scores[b])} (${searched.map((h) => `${h.name}=${fmt(r.hps[b][h.name])}`).join(' ')}), ${copies} cop${copies === 1 ? 'y' : 'ies'}  (${r.seconds.toFixed(1)} s)`,
        );
      },
    });
    const last = result.roundsCompleted - 1;
    // Every shard asks for the best member's state: its owner writes it, the others wait for it.
    const bestState = (await executor.snapshots(last, [result.best])).get(result.best)!;
    const total = result.roundSeconds.reduce((a, b) => a + b, 0);
    if (shard.index !== 0) {
      log(
        `lab hier pbt: shard ${shard.index}/${shard.count} done in ${total.toFixed(1)} s; shard 0 writes the report`,
      );
      return 0;
    }
    const record = populationRecord(population, result, { shards: shard.count });
    writePopulationReport(dir, record);
    const bestDir = writeBestMember(dir, record.best, bestState, { round: last });
    if (member.kind === 'hierarchical') {
      // The best member's run files, as lab hier train writes them (bestRun.ts).
      const { writeBestHierarchyRun } = await import('../hier/bestRun.ts');
      const seed = memberSeed(population.seed, result.best);
      if (!writers)
        throw new Error(
          'lab hier pbt: run it as `lab hier pbt` (the run files need lab hier train’s writers)',
        );
      const run = await writeBestHierarchyRun(writers, bestDir, member, { ...record.best, seed }, bestState);
      log(
        `  best member restored and evaluated: validation score ${fmt(run.score)} (the population recorded ${fmt(record.best.score)}); wrote ${path.join(bestDir, 'metrics.json')}, equity.csv, experts.csv`,
      );
    }
    log(
      `lab hier pbt: ${result.roundsCompleted} rounds in ${total.toFixed(1)} s (${(total / Math.max(1, result.roundsCompleted)).toFixed(2)} s/round); best member ${result.best} score ${fmt(record.best.score)} ${JSON.stringify(record.best.hps)}; wrote ${path.join(dir, 'population.json')}, population.csv, best/`,
    );
    return 0;
  } finally {
    await executor.dispose();
  }
}
