/**
 * The lab's runner of the `supplychain` workflow (core/workflows/runners.ts): the flat
 * `supplychain.*` settings → (train-hrl mode: LitaAgent-HRL's L2 as `lab scml train` trains it —
 * Penguin's goals recovered from a logged tournament, behaviour cloning, PPO through core's
 * runTraining with the lab's callbacks and control) → a tournament (core tournament.ts) played world
 * by world, honouring Stop and Pause between worlds, with the running mean score per agent type as
 * metric rows keyed by worlds done. The result has no market splits (`splits: []`); the workflow's
 * own sections are in `extras` (extras.ts): summaries of every world, full logs of the replay ones.
 * The market panel handed in is ignored: the worlds come from the seed.
 */
import type { Panel } from '../data/types.ts';
import { resolveExperimentConfig } from '../experiment/config.ts';
import type { ExperimentResult, RunExperimentOptions } from '../experiment/run.ts';
import type { RunEvaluation } from '../experiment/types.ts';
import type { Rng } from '../rng.ts';
import { RunControl } from '../run/control.ts';
import type { MetricRow } from '../run/metrics.ts';
import { workflowValues } from '../workflows/registry.ts';
import { registerAgentFactory, type AgentType } from './agents/index.ts';
import { generateConfig, type ScmlConfigOptions } from './config.ts';
import { heuristicGoal, HrlAgent, type GoalPolicy } from './hrl/agent.ts';
import { initMicroParams, MicroController, type MicroParams } from './hrl/l3.ts';
import type { ScoresExtra } from './extras.ts';
import { replayExtras, scoreExtras, type ReplayWorld } from './runnerViews.ts';
import {
  runWorld,
  summarizeScores,
  tournamentRuns,
  type Row,
  type TournamentSpec,
  type TypeStats,
} from './tournament.ts';
import type { ScmlAgent, World } from './world.ts';
import { LITA_LABELS, LITA_TYPES, supplyChainFromValues, type SupplyChainSettings } from './workflow.ts';

/** As `lab scml train`: the data tournament's agents and PPO's opponent pool. */
const DATA_AGENTS: AgentType[] = ['penguin', 'greedy', 'syncrandom', 'random'];
const POOL = ['penguin', 'penguin', 'greedy', 'syncrandom', 'random', 'self'] as const;
/** Held-out tournament seeds in train-hrl mode (lab scml train's --seed S → S + 1000). */
export const HELD_OUT_OFFSET = 1000;

/** The goal policies of the lita: agent types for the tournament being played, and the goal tap. */
const lita: {
  policies: Record<string, GoalPolicy>;
  /** L3/L4's parameters when trained in this run (lita:full plays them over the best L2). */
  micro: MicroParams | null;
  useL4: boolean;
  sink: ((id: number, day: number, goal: Float32Array) => void) | null;
} = { policies: { l1: heuristicGoal }, micro: null, useL4: true, sink: null };

/** An HRL agent whose daily goal is recorded (replay worlds) after it sets it each morning. */
class GoalTap implements ScmlAgent {
  readonly type: string;
  constructor(private readonly inner: HrlAgent) {
    this.type = inner.type;
  }
  init(w: World, id: number, rng: Rng): void {
    this.inner.init(w, id, rng);
  }
  beginDay(w: World, id: number): void {
    this.inner.beginDay(w, id);
    lita.sink?.(id, w.day, this.inner.goal);
  }
  act(w: World, id: number, todo: Int32Array, n: number): void {
    this.inner.act(w, id, todo, n);
  }
}

let registered = false;
function registerLita(): void {
  if (registered) return;
  registered = true;
  registerAgentFactory('lita', (variant) => {
    if (variant === 'full') {
      if (!lita.micro) throw new Error('scml: lita:full (L3/L4) is not trained in this run');
      const agent = new HrlAgent(lita.policies.ppo ?? lita.policies.bc ?? heuristicGoal, LITA_TYPES.full);
      agent.micro = new MicroController(lita.micro);
      agent.micro.useL4 = lita.useL4;
      return new GoalTap(agent);
    }
    const policy = lita.policies[variant];
    if (!policy) throw new Error(`scml: lita:${variant} is not trained in this run`);
    return new GoalTap(new HrlAgent(policy, `lita:${variant}`));
  });
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** The tournament's agent types: the checked built-ins and HRL variants (train-hrl: the trained ones first). */
export function tournamentAgents(
  s: SupplyChainSettings,
  trained: { ppo: boolean; micro?: boolean },
): AgentType[] {
  const out: AgentType[] = [];
  if (s.mode === 'train-hrl') {
    if (trained.micro) out.push(LITA_TYPES.full);
    if (trained.ppo) out.push(LITA_TYPES.ppo);
    if (!trained.ppo || s.ablations) out.push(LITA_TYPES.bc);
  }
  if (s.hrl) out.push(LITA_TYPES.l1);
  out.push(...(s.builtins as AgentType[]));
  return out;
}

export function configOptionsOf(s: SupplyChainSettings): ScmlConfigOptions | undefined {
  const o: ScmlConfigOptions = {};
  if (s.days > 0) o.nSteps = s.days;
  if (s.processes > 0) o.nProcesses = s.processes;
  return Object.keys(o).length > 0 ? o : undefined;
}

interface Trained {
  training: ScoresExtra['training'];
  rows: MetricRow[];
  /** The last global step training reported (its rows may not be kept). */
  lastStep: number;
  stopped: boolean;
  dispose(): void;
}

/** LitaAgent-HRL's L2 as `lab scml train` does it, with the lab's callbacks and Stop. */
async function trainHrl(
  s: SupplyChainSettings,
  opts: RunExperimentOptions,
  control: RunControl,
): Promise<Trained> {
  const t0 = performance.now();
  const { trainL2Bc, bcGoalPolicy } = await import('../agents/scmlL2.ts');
  const { collectL2Dataset } = await import('./hrl/goals.ts');
  const ds = collectL2Dataset({
    agents: DATA_AGENTS,
    expert: 'penguin',
    configs: s.trainWorlds,
    seed: s.seed,
  });
  await tick();
  const bc = trainL2Bc(ds, { epochs: s.bcEpochs, seed: s.seed + 1 });
  lita.policies.bc = bcGoalPolicy(bc.mlp);
  let ppoSteps = 0;
  let ppoEpisodes = 0;
  let ppoRecentReturn = NaN;
  let stopped = control.stopRequested;
  let dispose = () => bc.mlp.dispose();
  let rows: MetricRow[] = [];
  if (s.ppoSteps > 0 && !stopped) {
    const { l2PpoConfig, ppoGoalPolicy } = await import('../agents/scmlL2Ppo.ts');
    const { runTraining } = await import('../run/trainer.ts');
    const { ScmlL2Env } = await import('./hrl/l2env.ts');
    const seed = s.seed + 1;
    const env = { prior: heuristicGoal, pool: POOL, nSteps: s.ppoDays };
    const result = await runTraining({
      algo: 'ppo',
      config: l2PpoConfig({ seed, totalSteps: s.ppoSteps }) as Record<string, unknown>,
      makeEnv: (i) => new ScmlL2Env(env, seed * 7919 + i),
      callbacks: opts.callbacks,
      control,
      keepRows: opts.keepRows ?? false,
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    if (result.status === 'failed' || !result.learner)
      throw new Error(`supplychain: L2 PPO failed: ${result.error ?? 'no learner'}`);
    const learner = result.learner;
    // The PPO learner (agents/ppo.ts) is what ppoGoalPolicy reads; runTraining types it as a Learner.
    lita.policies.ppo = ppoGoalPolicy(
      learner as unknown as Parameters<typeof ppoGoalPolicy>[0],
      heuristicGoal,
    );
    ppoSteps = result.globalStep;
    ppoEpisodes = result.episodes;
    ppoRecentReturn = result.recentReturn;
    stopped = result.status === 'stopped';
    rows = result.rows ?? [];
    const disposeBc = dispose;
    dispose = () => {
      disposeBc();
      learner.dispose();
    };
  }
  const micro =
    !stopped && (s.microIters > 0 || s.l3Epochs > 0)
      ? await trainMicro(s, lita.policies.ppo ?? lita.policies.bc, ppoSteps, opts, control)
      : null;
  if (micro) {
    rows = [...rows, ...micro.rows];
    stopped = micro.stopped;
  }
  return {
    training: {
      samples: ds.n,
      dataWorlds: ds.worlds,
      bcTrainLoss: bc.trainLoss,
      bcValLoss: bc.valLoss,
      bcValLossMean: bc.valLossMean,
      ppoSteps,
      ppoEpisodes,
      ppoRecentReturn,
      ...(micro ? { micro: micro.summary } : {}),
      seconds: (performance.now() - t0) / 1000,
    },
    rows,
    lastStep: micro?.rows.at(-1)?.step ?? ppoSteps,
    stopped,
    dispose,
  };
}

/**
 * L3 and L4 as `lab scml train` trains them (its defaults but fewer MAPPO iterations): Penguin − L1
 * residuals per thread and round, then MAPPO against the opponent pool, stepping the lab's
 * progress and metric rows (global step continues after PPO's days) and honouring Pause/Stop.
 */
async function trainMicro(
  s: SupplyChainSettings,
  goal: GoalPolicy,
  stepOffset: number,
  opts: RunExperimentOptions,
  control: RunControl,
): Promise<{ rows: MetricRow[]; stopped: boolean; summary: NonNullable<Training>['micro'] & object }> {
  const { MicroNet, MicroTrainer, trainL3Bc } = await import('../agents/scmlL3.ts');
  const { collectL3Dataset } = await import('./hrl/l3data.ts');
  const seed = s.seed + 2;
  const net = new MicroNet(initMicroParams(seed));
  let samples = 0;
  let bc = { valLoss: NaN, valLossZero: NaN };
  if (s.l3Epochs > 0) {
    const ds = collectL3Dataset({
      agents: DATA_AGENTS,
      expert: 'penguin',
      configs: s.trainWorlds,
      seed: s.seed,
    });
    samples = ds.n;
    await tick();
    bc = trainL3Bc(net, ds, { epochs: s.l3Epochs, seed });
  }
  const trainer = new MicroTrainer(net.toParams(), { seed, useL4: s.useL4, worldsPerIter: 2, nSteps: 40 });
  net.dispose();
  const rows: MetricRow[] = [];
  const gains: number[] = [];
  let stopped = false;
  try {
    while (trainer.iteration < s.microIters) {
      await tick();
      await control.waitWhilePaused();
      if (control.stopRequested) {
        stopped = true;
        break;
      }
      const st = trainer.iterate(goal);
      const row = { step: stepOffset + st.globalStep, values: st.values };
      rows.push(row);
      opts.callbacks?.onMetrics?.([row]);
      opts.callbacks?.onStatus?.({ state: 'running', step: st.iteration, totalSteps: s.microIters });
      gains.push(st.values['charts/paired_gain']);
    }
    lita.micro = trainer.net.toParams();
    lita.useL4 = s.useL4;
  } finally {
    trainer.dispose();
  }
  const recent = gains.slice(-Math.max(1, Math.ceil(gains.length / 4)));
  return {
    rows,
    stopped,
    summary: {
      samples,
      l3ValLoss: bc.valLoss,
      l3ValLossZero: bc.valLossZero,
      iterations: trainer.iteration,
      useL4: s.useL4,
      pairedGain: recent.length > 0 ? recent.reduce((a, b) => a + b, 0) / recent.length : NaN,
    },
  };
}

type Training = ScoresExtra['training'];

/** Running per-type statistics after `done` worlds, as metric rows (keyed by worlds done). */
function scoreRow(done: number, rows: readonly Row[], agentDays: number, seconds: number): MetricRow {
  const values: Record<string, number> = {};
  for (const t of summarizeScores(rows)) {
    values[`charts/mean_score/${t.agentType}`] = t.mean;
    values[`charts/bankrupt_rate/${t.agentType}`] = t.bankruptRate;
  }
  values['perf/agent_days_per_s'] = seconds > 0 ? agentDays / seconds : 0;
  return { step: done, values };
}

/** Runs the supplychain workflow (the runner of core/workflows/runners.ts); the panel is unused. */
export async function runSupplyChain(
  config: unknown,
  _panel: Panel,
  opts: RunExperimentOptions = {},
): Promise<ExperimentResult> {
  const clock = opts.clock ?? (() => performance.now());
  const resolved = await resolveExperimentConfig(config);
  const s = supplyChainFromValues(
    workflowValues({ ...(config as Record<string, unknown>), workflow: 'supplychain' }),
  );
  if (s.replayConfig >= s.worlds)
    throw new Error(
      `supplychain.replayConfig: configuration ${s.replayConfig} is not played (configurations 0..${s.worlds - 1})`,
    );
  if (s.builtins.length === 0 && !s.hrl && s.mode === 'tournament')
    throw new Error('supplychain.agents: choose at least one agent');
  const control = opts.control ?? new RunControl();
  registerLita();
  lita.policies = { l1: heuristicGoal };
  lita.micro = null;
  const notes: string[] = [];
  let trained: Trained | null = null;
  const t0 = clock();
  try {
    if (s.mode === 'train-hrl') {
      opts.onPhase?.('training');
      trained = await trainHrl(s, opts, control);
      const t = trained.training!;
      notes.push(
        `LitaAgent-HRL L2: ${t.samples} Penguin days from ${t.dataWorlds} worlds, BC held-out loss ${t.bcValLoss.toFixed(4)} (mean goal ${t.bcValLossMean.toFixed(4)}), PPO ${t.ppoSteps} days over ${t.ppoEpisodes} worlds`,
      );
      if (t.micro)
        notes.push(
          `L3${t.micro.useL4 ? ' + L4' : ''}: ${t.micro.samples} supervised residuals, ${t.micro.iterations} MAPPO iterations; training worlds' score − Penguin's on the same seat ${t.micro.pairedGain.toFixed(4)} (last quarter)`,
        );
    }
    const trainMs = clock() - t0;
    const agents = tournamentAgents(s, { ppo: lita.policies.ppo !== undefined, micro: lita.micro !== null });
    const spec: TournamentSpec = {
      agents,
      configs: s.worlds,
      seed: s.mode === 'train-hrl' ? s.seed + HELD_OUT_OFFSET : s.seed,
      configOptions: configOptionsOf(s),
    };
    const runs = tournamentRuns(spec);
    const scores: Row[] = [];
    const rows: MetricRow[] = [...(trained?.rows ?? [])];
    const replays: ReplayWorld[] = [];
    let agentDays = 0;
    let done = 0;
    let status: ExperimentResult['status'] = trained?.stopped ? 'stopped' : 'completed';
    const stepBase = trained?.lastStep ?? 0;
    const t1 = clock();
    opts.onPhase?.('evaluating');
    opts.callbacks?.onStatus?.({ state: 'running', step: 0, totalSteps: runs.length });
    for (const run of status === 'stopped' ? [] : runs) {
      await control.waitWhilePaused();
      if (control.stopRequested) {
        status = 'stopped';
        break;
      }
      const replay = run.config === s.replayConfig;
      const goals = new Map<string, Float32Array>();
      lita.sink = replay ? (id, day, g) => goals.set(`${id}|${day}`, Float32Array.from(g)) : null;
      const res = runWorld(spec, run, { negotiations: replay, daily: replay });
      lita.sink = null;
      if (replay)
        replays.push({ result: res, cfg: generateConfig(run.configSeed, spec.configOptions), goals });
      scores.push(...res.scores);
      agentDays += res.agentDays;
      done++;
      const seconds = (clock() - t1) / 1000;
      // One global step for the run's metrics: the tournament's worlds count on after training's steps.
      const row = scoreRow(stepBase + done, scores, agentDays, seconds);
      if (opts.keepRows) rows.push(row);
      opts.callbacks?.onMetrics?.([row]);
      opts.callbacks?.onStatus?.({ state: 'running', step: done, totalSteps: runs.length });
      // Lets the worker's messages (Pause, Stop) in between worlds.
      await tick();
    }
    const seconds = (clock() - t1) / 1000;
    const labels: Record<string, string> = {};
    for (const a of agents) if (LITA_LABELS[a]) labels[a] = LITA_LABELS[a];
    const scoresExtra: ScoresExtra = {
      mode: s.mode,
      seed: spec.seed,
      configs: s.worlds,
      worldsDone: done,
      worldsTotal: runs.length,
      agentDays,
      seconds,
      agents: agents.slice(),
      labels,
      stats: [],
      training: trained?.training ?? null,
    };
    const own = scoreExtras(scores, scoresExtra);
    // One line (the lab shows notes in the run's header; the table is the scores section).
    notes.push(
      `${done} of ${runs.length} worlds (seed ${spec.seed}), ${agentDays} agent-days in ${seconds.toFixed(1)} s; mean score ${own[
        'supplychain-scores'
      ].stats
        .map((t) => `${t.agentType} ${t.mean.toFixed(3)}`)
        .join(', ')}`,
    );
    const evaluation: RunEvaluation | null =
      done > 0
        ? {
            splits: [],
            boundaries: [],
            extras: { ...own, ...replayExtras(replays, agents) },
            summary: tournamentSummary(own['supplychain-scores'].stats),
          }
        : null;
    return {
      config: resolved,
      status,
      nonFinite: false,
      steps: done,
      iterations: 0,
      episodes: done,
      recentReturn: NaN,
      trainMs,
      evalMs: clock() - t1,
      assets: [],
      featureNames: [],
      annualization: 252,
      splitSpec: {
        train: { start: '', end: '' },
        valid: { start: '', end: '' },
        test: { start: '', end: '' },
      },
      notes,
      evaluation,
      ...(opts.keepRows ? { rows } : {}),
      learner: null,
    };
  } finally {
    lita.sink = null;
    lita.policies = { l1: heuristicGoal };
    trained?.dispose();
  }
}

/** Per agent type: mean score, truncated mean, bankrupt rate and shortfall — what a sweep tabulates. */
export function tournamentSummary(stats: readonly TypeStats[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of stats) {
    out[`score/${t.agentType}`] = t.mean;
    out[`truncated_score/${t.agentType}`] = t.truncatedMean;
    out[`bankrupt_rate/${t.agentType}`] = t.bankruptRate;
    out[`shortfall/${t.agentType}`] = t.meanShortfall;
  }
  return out;
}
