/**
 * `lab scml train --out RUN`: trains LitaAgent-HRL's L2 (seed 001, mode B) and evaluates it.
 *   1. a small tournament in-process; Penguin's daily goals recovered from its logs (goals.ts);
 *   2. behaviour cloning of L2 (RUN/l2_bc.json);
 *   3. PPO on the day-level view with the shaped reward, a residual on the heuristic goals or the
 *      clone (--prior) (RUN/ppo/model.json + weights.bin: weights, optimiser state, RNG streams,
 *      step; --resume);
 *   4. L3: supervised residuals (Penguin − L1, l3data.ts), then L3 + L4 by MAPPO on training
 *      worlds against the opponent pool (built-ins + past selves) (RUN/micro/: checkpoint with
 *      weights, Adam states, RNG, iterations, worlds and snapshots; params.json for acting);
 *   5. a tournament on held-out seeds: hrl:RUN (all layers) and its ablations hrl:RUN#nol2,
 *      #nol3, #nol4 (or, without L3, #bc and #l1) against the built-ins (RUN/eval/), with each
 *      type's score − Penguin's paired by seat.
 * Also the `hrl:RUN[#variant]` agent type of `lab scml tournament` (prepareHrlAgents).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { registerAgentFactory, type AgentType } from '../../core/scml/agents/index.ts';
import { heuristicGoal, HrlAgent, type GoalPolicy } from '../../core/scml/hrl/agent.ts';
import { MicroController, type MicroParams } from '../../core/scml/hrl/l3.ts';
import { collectL3Dataset } from '../../core/scml/hrl/l3data.ts';
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

export const usage = `usage: lab scml train --out RUN [--layers l2,l3,l4] [--worlds N] [--bc-epochs E] [--ppo-steps S]
                       [--ppo-days D] [--prior heuristic|bc] [--l3-epochs E] [--micro-iters I]
                       [--micro-worlds W] [--micro-days D] [--eval-worlds M] [--seed S] [--resume] [--quiet]

Trains LitaAgent-HRL on SCML-lite; L1 (Penguin-style offers and the safety mask) clips every action.
L2 (daily goals): goals recovered from a tournament's logs (Penguin the expert), behaviour cloning,
then PPO with the shaped reward Δcash + γ(Φ' − Φ) − risk + ε·liquidity as a residual on a prior
goal (--prior). L3 (per thread and round: residual Δq, Δp, Δaccept on L1's offer) is pretrained
on Penguin − L1 residuals, then trained with L4 (attention over the day's threads, α_k scaling
L3) by MAPPO with a centralised critic against an opponent pool (built-ins + past selves).
Writes RUN/hrl.json, RUN/l2_bc.json, RUN/ppo/, RUN/learning.csv, RUN/micro/ (L3/L4 checkpoint and
params.json), RUN/learning_micro.csv and a held-out evaluation RUN/eval/{scores.csv,summary.json}
of hrl:RUN and the ablations hrl:RUN#nol2, #nol3, #nol4 (a layer removed; without L3: #bc and #l1)
against penguin, greedy, syncrandom and random, with each type's score − Penguin's paired by seat.
Defaults: 6 CPU-minutes (about 7 minutes wall on an idle 2-core machine; 20 at load 10); longer
budgets by flag (--ppo-steps, --micro-iters).

options:
  --layers L        layers to train, of l2,l3,l4 (default all; l4 needs l3; without l2 the goals
                    are the heuristic ones)
  --l3-epochs E     epochs of L3's supervised residuals (default 10; 0: MAPPO starts from a zero
                    residual, i.e. from L1 + L2)
  --micro-iters I   MAPPO iterations of L3 + L4 (default 300; 0: pretrained L3 only)
  --micro-worlds W  training worlds per MAPPO iteration (default 2)
  --micro-days D    days per MAPPO training world (default 40)
  --worlds N        configurations of the data tournament (× 4 rotations; default 8)
  --bc-epochs E     behaviour-cloning epochs (default 30)
  --ppo-steps S     PPO env steps (simulated days; default 98304; 0 skips PPO)
  --ppo-days D      days per training world (default 60; evaluation uses 50..200)
  --prior P         PPO's residual base: heuristic (Penguin's needs, default) or bc (the clone,
                    measured worse held-out: 0.96 vs 1.00 mean score)
  --eval-worlds M   held-out configurations (× 8 rotations; default 10; 0 skips)
  --seed S          seed (default 0); the evaluation seeds are S + 1000
  --resume          continue PPO from RUN/ppo and MAPPO from RUN/micro (weights, optimisers, RNG,
                    step, worlds played, past selves)
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
    layers: { type: 'string', default: 'l2,l3,l4' },
    'l3-epochs': { type: 'integer', default: 10 },
    'micro-iters': { type: 'integer', default: 300 },
    'micro-worlds': { type: 'integer', default: 2 },
    'micro-days': { type: 'integer', default: 40 },
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
  version: 1 | 2;
  /** PPO's residual base: the heuristic goals (default) or the clone. */
  ppo: { steps: number; days: number; seed: number; prior: 'heuristic' | 'bc' } | null;
  /** Version 2: which layers were trained (absent: l2 only) and L3/L4's run. */
  layers?: string[];
  micro?: { iterations: number; useL4: boolean } | null;
}

/** Variants of hrl:RUN: all layers (default), a layer removed, or the L1 + L2 stages of version 1. */
const VARIANTS = ['full', 'nol2', 'nol3', 'nol4', 'bc', 'l1'] as const;

/** Loaded runs by folder: the synchronous goal policies of each variant and L3/L4's parameters. */
const loaded = new Map<
  string,
  { ppo: GoalPolicy | null; bc: GoalPolicy; l2: boolean; micro: MicroParams | null; useL4: boolean }
>();
let registered = false;

function registerHrl(): void {
  if (registered) return;
  registered = true;
  registerAgentFactory('hrl', (arg) => {
    const [dir, variant = 'full'] = arg.split('#');
    if (variant === 'l1') return new HrlAgent(heuristicGoal, `hrl:${arg}`);
    const run = loaded.get(path.resolve(dir));
    if (!run) throw new Error(`hrl:${arg}: run not loaded (prepareHrlAgents first)`);
    const l2 = run.l2 ? (run.ppo ?? run.bc) : heuristicGoal;
    const policy = variant === 'bc' ? run.bc : variant === 'nol2' ? heuristicGoal : l2;
    const agent = new HrlAgent(policy, `hrl:${arg}`);
    if (run.micro && variant !== 'nol3' && variant !== 'bc') {
      agent.micro = new MicroController(run.micro);
      agent.micro.useL4 = run.useL4 && variant !== 'nol4';
    }
    return agent;
  });
}

/** Loads every `hrl:RUN[#variant]` of an agent list (weights read once per run) and registers the type. */
export async function prepareHrlAgents(agents: readonly string[]): Promise<void> {
  registerHrl();
  for (const a of agents) {
    if (!a.startsWith('hrl:')) continue;
    const [dir, variant = 'full'] = a.slice(4).split('#');
    if (!(VARIANTS as readonly string[]).includes(variant))
      throw new UsageError(
        `--agents: ${a}: variant must be one of #${VARIANTS.slice(1).join(', #')} (or none)`,
      );
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
    const microFile = path.join(full, 'micro', 'params.json');
    const micro =
      meta.micro && existsSync(microFile)
        ? (Object.fromEntries(
            Object.entries(JSON.parse(readFileSync(microFile, 'utf8')) as Record<string, number[]>).map(
              ([k, v]) => [k, Float32Array.from(v)],
            ),
          ) as MicroParams)
        : null;
    loaded.set(full, {
      ppo,
      bc,
      l2: meta.layers ? meta.layers.includes('l2') : true,
      micro,
      useL4: meta.micro?.useL4 ?? false,
    });
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
  if (flags['l3-epochs'] < 0) throw new UsageError(`--l3-epochs must be ≥ 0, got ${flags['l3-epochs']}`);
  for (const k of ['micro-worlds', 'micro-days'] as const)
    if (flags[k] < 1) throw new UsageError(`--${k} must be ≥ 1, got ${flags[k]}`);
  if (flags['micro-iters'] < 0)
    throw new UsageError(`--micro-iters must be ≥ 0, got ${flags['micro-iters']}`);
  const layers = flags.layers
    .split(',')
    .map((x) => x.trim().toLowerCase())
    .filter((x) => x);
  for (const l of layers)
    if (!['l2', 'l3', 'l4'].includes(l)) throw new UsageError(`--layers: '${l}' is not one of l2, l3, l4`);
  if (layers.includes('l4') && !layers.includes('l3'))
    throw new UsageError("--layers: l4 scales L3's residuals, so it needs l3");
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
  const steps = layers.includes('l2') ? flags['ppo-steps'] : 0;
  const ppoSeed = flags.seed + 1;
  const meta: HrlRunFile = { format: 'lita-hrl', version: 2, ppo: null, layers, micro: null };
  // The goals L3/L4 train under: L2's (PPO, else the clone), or the heuristic ones without l2.
  let l2Policy: GoalPolicy = layers.includes('l2') ? bcPolicy : heuristicGoal;
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
    const { ppoGoalPolicy } = await import('../../core/agents/scmlL2Ppo.ts');
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
    if (layers.includes('l3')) {
      const g = ppoGoalPolicy(ppo, prior);
      l2Policy = g;
      await trainMicro(flags, layers, out, g, meta, log, secs);
    }
    ppo.dispose();
  } else if (layers.includes('l3')) await trainMicro(flags, layers, out, l2Policy, meta, log, secs);
  writeJson(path.join(out, 'hrl.json'), meta);

  // 4. Held-out evaluation.
  if (flags['eval-worlds'] > 0) {
    loaded.delete(out);
    await prepareHrlAgents([`hrl:${out}`]);
    const variants = meta.micro
      ? ['', ...(layers.includes('l2') ? ['#nol2'] : []), '#nol3', ...(meta.micro.useL4 ? ['#nol4'] : [])]
      : ['', '#bc', '#l1'];
    const agents = [...variants.map((v) => `hrl:${out}${v}`), ...OPPONENTS] as AgentType[];
    const evalSpec: TournamentSpec = { agents, configs: flags['eval-worlds'], seed: flags.seed + 1000 };
    const { rows, table } = playTournament(evalSpec);
    // Short names in the table: the run folder is long.
    const short = (t: string) => t.replace(`hrl:${out}`, 'hrl');
    for (const r of rows)
      r[SCORE_COLUMNS.indexOf('agent_type')] = short(String(r[SCORE_COLUMNS.indexOf('agent_type')]));
    for (const e of table) e.agentType = short(e.agentType);
    const evalDir = ensureDir(path.join(out, 'eval'));
    writeCsv(path.join(evalDir, 'scores.csv'), SCORE_COLUMNS, rows);
    const paired = pairedVsPenguin(rows);
    writeJson(path.join(evalDir, 'summary.json'), {
      seed: evalSpec.seed,
      configs: evalSpec.configs,
      byType: table,
      pairedVsPenguin: paired,
    });
    log(
      `lab scml train: held-out tournament (seed ${evalSpec.seed}, ${evalSpec.configs} configurations × ${agents.length} rotations, ${secs()} s)`,
    );
    log(formatTable(table));
    for (const p of paired)
      log(
        `  ${p.agentType.padEnd(24)} − penguin, paired by seat: ${p.mean.toFixed(4)} ± ${p.se.toFixed(4)} (n ${p.n})`,
      );
  }
  log(`lab scml train: done in ${secs()} s → ${out}`);
  return 0;
}

/**
 * Score − Penguin's score on the same seat of the same configuration (rotations put every type on
 * every seat), per type: mean and standard error. Pairing removes the seat's and world's luck.
 */
export function pairedVsPenguin(
  rows: readonly Row[],
): { agentType: string; n: number; mean: number; se: number }[] {
  const col = (c: (typeof SCORE_COLUMNS)[number]) => SCORE_COLUMNS.indexOf(c);
  const bySeat = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const key = `${String(r[col('config')])}|${String(r[col('agent')])}`;
    const m = bySeat.get(key) ?? new Map<string, number>();
    m.set(String(r[col('agent_type')]), Number(r[col('score')]));
    bySeat.set(key, m);
  }
  const diffs = new Map<string, number[]>();
  for (const m of bySeat.values()) {
    const p = m.get('penguin');
    if (p === undefined) continue;
    for (const [t, s] of m) if (t !== 'penguin') diffs.set(t, [...(diffs.get(t) ?? []), s - p]);
  }
  return [...diffs.entries()].map(([agentType, d]) => {
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const v = d.length > 1 ? d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1) : 0;
    return { agentType, n: d.length, mean, se: Math.sqrt(v / d.length) };
  });
}

type Flags = ReturnType<typeof parseArgs<typeof spec>>['flags'];

/** Stage 4: L3's supervised residuals, then L3 + L4 by MAPPO (RUN/micro/), resumable. */
async function trainMicro(
  flags: Flags,
  layers: readonly string[],
  out: string,
  goal: GoalPolicy,
  meta: HrlRunFile,
  log: (s: string) => void,
  secs: () => string,
): Promise<void> {
  const { MicroNet, MicroTrainer, trainL3Bc } = await import('../../core/agents/scmlL3.ts');
  const { fromFiles, toFiles } = await import('../../core/agents/checkpoint.ts');
  const { initMicroParams } = await import('../../core/scml/hrl/l3.ts');
  const dir = ensureDir(path.join(out, 'micro'));
  const useL4 = layers.includes('l4');
  const seed = flags.seed + 2;
  let trainer: InstanceType<typeof MicroTrainer>;
  if (flags.resume && existsSync(path.join(dir, 'model.json'))) {
    trainer = await MicroTrainer.load(
      fromFiles(
        readFileSync(path.join(dir, 'model.json'), 'utf8'),
        readFileSync(path.join(dir, 'weights.bin')),
      ),
    );
    log(`lab scml train: resumed L3/L4 at iteration ${trainer.iteration} (${trainer.worldsDone} worlds)`);
  } else {
    const net = new MicroNet(initMicroParams(seed));
    if (flags['l3-epochs'] > 0) {
      const ds = collectL3Dataset({
        agents: DATA_AGENTS,
        expert: 'penguin',
        configs: flags.worlds,
        seed: flags.seed,
      });
      const bc = trainL3Bc(net, ds, { epochs: flags['l3-epochs'], seed });
      log(
        `lab scml train: L3 residuals: ${ds.n} Penguin answers from ${ds.worlds} worlds; train loss ${bc.trainLoss.toFixed(4)}, held-out ${bc.valLoss.toFixed(4)} (zero residual ${bc.valLossZero.toFixed(4)}) (${secs()} s)`,
      );
      writeJson(path.join(dir, 'bc.json'), { samples: ds.n, worlds: ds.worlds, ...bc });
    } else writeJson(path.join(dir, 'bc.json'), { skipped: true });
    trainer = new MicroTrainer(net.toParams(), {
      seed,
      useL4,
      worldsPerIter: flags['micro-worlds'],
      nSteps: flags['micro-days'],
    });
    net.dispose();
  }
  const rows: Row[] = [];
  const save = async () => {
    const files = toFiles(await trainer.save());
    writeFileSync(path.join(dir, 'model.json'), files.json);
    writeFileSync(path.join(dir, 'weights.bin'), files.weights);
    const params = trainer.net.toParams();
    writeJson(
      path.join(dir, 'params.json'),
      Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.from(v)])),
    );
  };
  let last = performance.now();
  let recent: number[] = [];
  while (trainer.iteration < flags['micro-iters']) {
    const st = trainer.iterate(goal);
    for (const [k, v] of Object.entries(st.values)) rows.push([st.globalStep, k, v]);
    recent.push(st.values['charts/paired_gain']);
    // Checkpoint as it goes, so an interrupted run resumes with --resume.
    if (st.iteration % 25 === 0) await save();
    if (performance.now() - last > 10_000) {
      last = performance.now();
      const g = recent.reduce((a, b) => a + b, 0) / recent.length;
      log(
        `  L3/L4 iteration ${st.iteration}/${flags['micro-iters']}: score − Penguin's on the same seat ${g.toFixed(4)} over the last ${recent.length} (${secs()} s)`,
      );
      recent = [];
    }
  }
  await save();
  if (rows.length > 0) {
    const file = path.join(out, 'learning_micro.csv');
    const prev = flags.resume && existsSync(file) ? readFileSync(file, 'utf8') : '';
    writeCsv(file, ['step', 'key', 'value'], rows);
    if (prev) writeFileSync(file, prev + readFileSync(file, 'utf8').split('\n').slice(1).join('\n'));
  }
  meta.micro = { iterations: trainer.iteration, useL4: trainer.cfg.useL4 };
  log(`lab scml train: L3/L4 ${trainer.iteration} iterations, ${trainer.worldsDone} worlds (${secs()} s)`);
  trainer.dispose();
}
