/**
 * `lab scml train --out RUN`: trains LitaAgent-HRL's L2 (seed 001, mode B) and evaluates it.
 *   1. a small tournament in-process; Penguin's daily goals recovered from its logs (goals.ts);
 *   2. behaviour cloning of L2 (RUN/l2_bc.json);
 *   3. PPO on the day-level view with the shaped reward, a residual on the heuristic goals or the
 *      clone (--prior) (RUN/ppo/model.json + weights.bin: weights, optimiser state, RNG streams,
 *      step; --resume);
 *   4. a tournament on held-out seeds: hrl:RUN (L1+L2 PPO) and its ablations hrl:RUN#bc (no PPO)
 *      and hrl:RUN#l1 (heuristic goals: L2 removed) against the built-ins (RUN/eval/).
 * Also the `hrl:RUN[#bc|#l1]` agent type of `lab scml tournament` (prepareHrlAgents).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { registerAgentFactory, type AgentType } from '../../core/scml/agents/index.ts';
import { heuristicGoal, HrlAgent, type GoalPolicy } from '../../core/scml/hrl/agent.ts';
import { collectL2Dataset } from '../../core/scml/hrl/goals.ts';
import type { L2EnvOptions } from '../../core/scml/hrl/l2env.ts';
import {
  runWorld,
  SCORE_COLUMNS,
  summarizeScores,
  tournamentRuns,
  type Row,
  type TournamentSpec,
  type TypeStats,
} from '../../core/scml/tournament.ts';
import { parseArgs } from '../args.ts';
import { UsageError } from '../errors.ts';
import { ensureDir, writeCsv, writeJson } from '../output.ts';

export const usage = `usage: lab scml train --out RUN [--worlds N] [--bc-epochs E] [--ppo-steps S] [--ppo-days D]
                       [--prior heuristic|bc] [--eval-worlds M] [--seed S] [--resume] [--quiet]

Trains LitaAgent-HRL's daily-goal layer L2 on SCML-lite: goals recovered from a tournament's logs
(Penguin the expert), behaviour cloning, then PPO with the shaped reward
Δcash + γ(Φ' − Φ) − risk + ε·liquidity as a residual on a prior goal (--prior); L1 (Penguin-style
offers and the safety mask) clips every action. Writes RUN/hrl.json, RUN/l2_bc.json, RUN/ppo/, RUN/learning.csv
and a held-out evaluation RUN/eval/{scores.csv,summary.json} of hrl:RUN, hrl:RUN#bc (no PPO) and
hrl:RUN#l1 (no L2) against penguin, greedy, syncrandom and random.
Defaults: about 3 minutes on an idle 2-core machine, well under 20 when it is shared; smaller
budgets by flag.

options:
  --worlds N        configurations of the data tournament (× 4 rotations; default 8)
  --bc-epochs E     behaviour-cloning epochs (default 30)
  --ppo-steps S     PPO env steps (simulated days; default 98304; 0 skips PPO)
  --ppo-days D      days per training world (default 60; evaluation uses 50..200)
  --prior P         PPO's residual base: heuristic (Penguin's needs, default) or bc (the clone,
                    measured worse held-out: 0.96 vs 1.00 mean score)
  --eval-worlds M   held-out configurations (× 7 rotations; default 10; 0 skips)
  --seed S          seed (default 0); the evaluation seeds are S + 1000
  --resume          continue PPO from RUN/ppo (weights, optimiser, RNG, step)
  --out RUN         run folder (created)`;

const spec = {
  flags: {
    worlds: { type: 'integer', default: 8 },
    'bc-epochs': { type: 'integer', default: 30 },
    'ppo-steps': { type: 'integer', default: 98304 },
    'ppo-days': { type: 'integer', default: 60 },
    'eval-worlds': { type: 'integer', default: 10 },
    seed: { type: 'integer', default: 0 },
    prior: { type: 'string', default: 'heuristic', choices: ['heuristic', 'bc'] },
    resume: { type: 'boolean' },
    quiet: { type: 'boolean' },
    out: { type: 'string', required: true },
  },
} as const;

const DATA_AGENTS: AgentType[] = ['penguin', 'greedy', 'syncrandom', 'random'];
const OPPONENTS: AgentType[] = ['penguin', 'greedy', 'syncrandom', 'random'];
const POOL: L2EnvOptions['pool'] = ['penguin', 'penguin', 'greedy', 'syncrandom', 'random', 'self'];

interface HrlRunFile {
  format: 'lita-hrl';
  version: 1;
  /** PPO's residual base: the heuristic goals (default) or the clone. */
  ppo: { steps: number; days: number; seed: number; prior: 'heuristic' | 'bc' } | null;
}

/** Loaded runs by folder: the synchronous goal policies of each variant. */
const loaded = new Map<string, { ppo: GoalPolicy | null; bc: GoalPolicy }>();
let registered = false;

function registerHrl(): void {
  if (registered) return;
  registered = true;
  registerAgentFactory('hrl', (arg) => {
    const [dir, variant = 'ppo'] = arg.split('#');
    if (variant === 'l1') return new HrlAgent(heuristicGoal, `hrl:${arg}`);
    const run = loaded.get(path.resolve(dir));
    if (!run) throw new Error(`hrl:${arg}: run not loaded (prepareHrlAgents first)`);
    const policy = variant === 'bc' ? run.bc : (run.ppo ?? run.bc);
    return new HrlAgent(policy, `hrl:${arg}`);
  });
}

/** Loads every `hrl:RUN[#variant]` of an agent list (weights read once per run) and registers the type. */
export async function prepareHrlAgents(agents: readonly string[]): Promise<void> {
  registerHrl();
  for (const a of agents) {
    if (!a.startsWith('hrl:')) continue;
    const [dir, variant = 'ppo'] = a.slice(4).split('#');
    if (!['ppo', 'bc', 'l1'].includes(variant))
      throw new UsageError(`--agents: ${a}: variant must be #bc or #l1 (or none)`);
    if (variant === 'l1') continue;
    const full = path.resolve(dir);
    if (loaded.has(full)) continue;
    const file = path.join(full, 'hrl.json');
    if (!existsSync(file))
      throw new UsageError(`--agents: ${a}: ${file} not found (run lab scml train --out ${dir})`);
    await initWasm();
    const meta = JSON.parse(readFileSync(file, 'utf8')) as HrlRunFile;
    const { bcGoalPolicy, importMlp } = await import('../../core/agents/scmlL2.ts');
    const bc = bcGoalPolicy(importMlp(JSON.parse(readFileSync(path.join(full, 'l2_bc.json'), 'utf8')).mlp));
    let ppo: GoalPolicy | null = null;
    if (meta.ppo) {
      const { loadPpo, ppoGoalPolicy } = await import('../../core/agents/scmlL2Ppo.ts');
      const agent = await loadPpo(
        readFileSync(path.join(full, 'ppo', 'model.json'), 'utf8'),
        readFileSync(path.join(full, 'ppo', 'weights.bin')),
        { prior: meta.ppo.prior === 'bc' ? bc : heuristicGoal, nSteps: meta.ppo.days },
        { seed: meta.ppo.seed, totalSteps: meta.ppo.steps },
      );
      ppo = ppoGoalPolicy(agent, meta.ppo.prior === 'bc' ? bc : heuristicGoal);
    }
    loaded.set(full, { ppo, bc });
  }
}

let wasmReady = false;
async function initWasm(): Promise<void> {
  if (wasmReady) return;
  const { initBackend } = await import('../../core/agents/backend.ts');
  const b = await initBackend('wasm');
  if (b.fallbackReason) process.stderr.write(`lab scml: note: using ${b.backend} (${b.fallbackReason})\n`);
  wasmReady = true;
}

/** Plays a tournament in-process; the score rows and the per-type table. */
export function playTournament(spec: TournamentSpec): { rows: Row[]; table: TypeStats[] } {
  const rows: Row[] = [];
  for (const run of tournamentRuns(spec))
    rows.push(...runWorld(spec, run, { negotiations: false, daily: false }).scores);
  return { rows, table: summarizeScores(rows) };
}

export function formatTable(table: readonly TypeStats[]): string {
  const lines = ['agent_type                 n     mean   median  trunc_mean   std   bankrupt  shortfall'];
  for (const e of table)
    lines.push(
      `${e.agentType.padEnd(24)} ${String(e.n).padStart(5)}  ${e.mean.toFixed(3).padStart(7)}  ${e.median.toFixed(3).padStart(7)}  ${e.truncatedMean.toFixed(3).padStart(9)}  ${e.std.toFixed(3).padStart(6)}  ${e.bankruptRate.toFixed(3).padStart(8)}  ${e.meanShortfall.toFixed(1).padStart(9)}`,
    );
  return lines.join('\n');
}

export async function runScmlTrain(argv: string[]): Promise<number> {
  const { flags } = parseArgs(argv, spec);
  for (const k of ['worlds', 'bc-epochs', 'ppo-days'] as const)
    if (flags[k] < 1) throw new UsageError(`--${k} must be ≥ 1, got ${flags[k]}`);
  if (flags['ppo-steps'] < 0) throw new UsageError(`--ppo-steps must be ≥ 0, got ${flags['ppo-steps']}`);
  if (flags['eval-worlds'] < 0)
    throw new UsageError(`--eval-worlds must be ≥ 0, got ${flags['eval-worlds']}`);
  const out = ensureDir(path.resolve(flags.out));
  const log = (s: string) => {
    if (!flags.quiet) process.stderr.write(s + '\n');
  };
  await initWasm();
  const { trainL2Bc, bcGoalPolicy, exportMlp, importMlp } = await import('../../core/agents/scmlL2.ts');
  const t0 = performance.now();
  const secs = () => ((performance.now() - t0) / 1000).toFixed(1);

  // 1–2. Goals from logs, behaviour cloning (reused on --resume).
  const bcFile = path.join(out, 'l2_bc.json');
  let bcPolicy: GoalPolicy;
  if (flags.resume && existsSync(bcFile)) {
    bcPolicy = bcGoalPolicy(importMlp(JSON.parse(readFileSync(bcFile, 'utf8')).mlp));
    log(`lab scml train: resumed L2 clone from ${bcFile}`);
  } else {
    const ds = collectL2Dataset({
      agents: DATA_AGENTS,
      expert: 'penguin',
      configs: flags.worlds,
      seed: flags.seed,
    });
    log(`lab scml train: ${ds.n} Penguin days from ${ds.worlds} logged worlds (${secs()} s)`);
    const bc = trainL2Bc(ds, { epochs: flags['bc-epochs'], seed: flags.seed + 1 });
    log(
      `lab scml train: L2 clone: train loss ${bc.trainLoss.toFixed(4)}, held-out ${bc.valLoss.toFixed(4)} (mean goal ${bc.valLossMean.toFixed(4)}) (${secs()} s)`,
    );
    writeJson(bcFile, {
      samples: ds.n,
      worlds: ds.worlds,
      trainLoss: bc.trainLoss,
      valLoss: bc.valLoss,
      valLossMean: bc.valLossMean,
      mlp: exportMlp(bc.mlp),
    });
    bcPolicy = bcGoalPolicy(bc.mlp);
  }

  // 3. PPO on the day-level view, a residual on the clone.
  const steps = flags['ppo-steps'];
  const ppoSeed = flags.seed + 1;
  const meta: HrlRunFile = { format: 'lita-hrl', version: 1, ppo: null };
  if (steps > 0) {
    const { trainL2Ppo, savePpoFiles } = await import('../../core/agents/scmlL2Ppo.ts');
    const { fromFiles } = await import('../../core/agents/checkpoint.ts');
    const ppoDir = path.join(out, 'ppo');
    const resumeFrom =
      flags.resume && existsSync(path.join(ppoDir, 'model.json'))
        ? fromFiles(
            readFileSync(path.join(ppoDir, 'model.json'), 'utf8'),
            readFileSync(path.join(ppoDir, 'weights.bin')),
          )
        : undefined;
    const learning: Row[] = [];
    let last = 0;
    const prior = flags.prior === 'bc' ? bcPolicy : heuristicGoal;
    const { ppo, result } = await trainL2Ppo({
      env: { prior, pool: POOL, nSteps: flags['ppo-days'] },
      config: { seed: ppoSeed, totalSteps: steps },
      resumeFrom,
      onMetrics: (rows) => {
        for (const r of rows) for (const [k, v] of Object.entries(r.values)) learning.push([r.step, k, v]);
        const step = rows[rows.length - 1]?.step ?? 0;
        if (performance.now() - last > 10_000) {
          last = performance.now();
          log(`  PPO step ${step}/${steps} (${secs()} s)`);
        }
      },
    });
    mkdirSync(ppoDir, { recursive: true });
    const files = await savePpoFiles(ppo);
    writeFileSync(path.join(ppoDir, 'model.json'), files.json);
    writeFileSync(path.join(ppoDir, 'weights.bin'), files.weights);
    writeCsv(path.join(out, 'learning.csv'), ['step', 'key', 'value'], learning);
    meta.ppo = { steps, days: flags['ppo-days'], seed: ppoSeed, prior: flags.prior };
    log(
      `lab scml train: PPO ${result.globalStep} days, ${result.episodes} worlds, recent shaped return ${result.recentReturn.toFixed(3)} (${secs()} s)`,
    );
    ppo.dispose();
  }
  writeJson(path.join(out, 'hrl.json'), meta);

  // 4. Held-out evaluation.
  if (flags['eval-worlds'] > 0) {
    loaded.delete(out);
    await prepareHrlAgents([`hrl:${out}`]);
    const agents = [`hrl:${out}`, `hrl:${out}#bc`, `hrl:${out}#l1`, ...OPPONENTS] as AgentType[];
    const evalSpec: TournamentSpec = { agents, configs: flags['eval-worlds'], seed: flags.seed + 1000 };
    const { rows, table } = playTournament(evalSpec);
    // Short names in the table: the run folder is long.
    const short = (t: string) => t.replace(`hrl:${out}`, 'hrl');
    for (const r of rows)
      r[SCORE_COLUMNS.indexOf('agent_type')] = short(String(r[SCORE_COLUMNS.indexOf('agent_type')]));
    for (const e of table) e.agentType = short(e.agentType);
    const evalDir = ensureDir(path.join(out, 'eval'));
    writeCsv(path.join(evalDir, 'scores.csv'), SCORE_COLUMNS, rows);
    writeJson(path.join(evalDir, 'summary.json'), {
      seed: evalSpec.seed,
      configs: evalSpec.configs,
      byType: table,
    });
    log(
      `lab scml train: held-out tournament (seed ${evalSpec.seed}, ${evalSpec.configs} configurations × ${agents.length} rotations, ${secs()} s)`,
    );
    log(formatTable(table));
  }
  log(`lab scml train: done in ${secs()} s → ${out}`);
  return 0;
}
