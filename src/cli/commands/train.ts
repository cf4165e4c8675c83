/**
 * `lab train`: runs one ExperimentConfig through core's workflow runner (runWorkflow: prepare →
 * the one training loop → evaluateSplit on every split beside the baselines) — the code the lab's
 * trainer worker and the sweeps run — and writes the files. This command only parses arguments
 * (src/cli/experimentArgs.ts: core's default experiment ⊕ --config ⊕ flags ⊕ --set), loads the
 * data and writes metrics.json, learning.csv, equity.csv, positions.csv, trades.csv, checkpoint/
 * and run.json. `--env cartpole|bandit|pendulum` are sanity envs: the same run loop, episode returns.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from '../args.ts';
import { UsageError } from '../errors.ts';
import { ensureDir, toJson, writeJson } from '../output.ts';
import { experimentPanel } from '../dataSources.ts';
import { panelFingerprint, versions } from '../fingerprint.ts';
import {
  EXPERIMENT_FLAGS,
  EXPERIMENT_FLAGS_USAGE,
  experimentFromFlags,
  type MarketArgs,
  type SanityArgs,
} from '../experimentArgs.ts';
import {
  normalizationOf,
  splitLines,
  writeCheckpoint,
  writeEvaluationFiles,
  writeMarketFiles,
  writeSanityMetrics,
  writeWorkflowRunJson,
} from '../runFiles.ts';
import type { BackendPref } from '../../core/agents/backend.ts';
import { agentDefaults, ExperimentConfigError } from '../../core/experiment/config.ts';
import type { PreparedExperiment } from '../../core/experiment/run.ts';
import { FeatureError } from '../../core/features/index.ts';
import { algorithmNames, getAlgorithm } from '../../core/run/algorithms.ts';
import { RunControl } from '../../core/run/control.ts';
import { metricRowsToCsv, type MetricRow } from '../../core/run/metrics.ts';
import { runTraining, type TrainingCallbacks } from '../../core/run/trainer.ts';
import { runWorkflow } from '../../core/workflows/runners.ts';
import { needsPriceData } from '../../core/workflows/registry.ts';
import { emptyPanel } from '../../core/data/types.ts';
// Registers 'bc' and 'iql' in the algorithm registry.
import { provideDatasetFile } from '../../core/agents/offline/learners.ts';
import { makeSanityEnv } from '../../core/envs/sanity.ts';
import type { CliCommand } from './index.ts';

const usage = `usage: lab train [--config FILE] [--data SRC… | --env cartpole|bandit|pendulum] [options] --out DIR

Trains one experiment and backtests it. With no flags it runs core's default experiment — exactly
what the lab's Train button runs with nothing changed. The run goes through the same code as the
lab (prepare → train → evaluate every split with the baselines beside the agent), so a config
printed here (lab config print), downloaded from the lab or carried by a share link
(lab config from-link) gives the same numbers on the same backend. cartpole, bandit and pendulum
are sanity envs (pendulum trains sac with its 'pendulum' preset unless told otherwise). Progress goes to stderr; Ctrl-C stops cleanly after the current update and still writes
every file.

Writes DIR/metrics.json (per split: the agent's and the baselines' total_return, sharpe,
max_drawdown, …; sanity envs: evaluation returns), DIR/learning.csv (step + the flat metric schema:
losses/…, charts/…, perf/…, eval/…), DIR/equity.csv, DIR/positions.csv, DIR/trades.csv (market),
DIR/checkpoint/ (model.json + weights.bin, tfjs layout, and config.json: the resolved
ExperimentConfig and the training z-score, for lab evaluate) and DIR/run.json (the resolved
config, data fingerprint, versions, timings).

${EXPERIMENT_FLAGS_USAGE}

options:
  --list              print the algorithm's presets and its resolved hyperparameters, then exit
  --out DIR           output folder (created)

algorithms: ${algorithmNames().join(', ')}`;

const spec = {
  flags: {
    ...EXPERIMENT_FLAGS,
    list: { type: 'boolean' },
    out: { type: 'string' },
  },
} as const;

/** A number for the progress and summary lines; not a number yet (NaN: no episode has ended) → '—'. */
export const fmt = (v: unknown, digits = 4): string =>
  typeof v === 'number' ? (Number.isFinite(v) ? v.toFixed(digits) : Number.isNaN(v) ? '—' : String(v)) : '—';

/** One progress line on stderr. `recentReturn` is NaN until the first training episode ends. */
export function progressLine(
  step: number,
  totalSteps: number,
  recentReturn: number,
  sps: number | undefined,
): string {
  return `  step ${step}/${totalSteps}  return ${fmt(recentReturn, 3)}  sps ${fmt(sps, 0)}\n`;
}

/** Progress every 2 s and Ctrl-C → a clean stop; `dispose` when training returns. */
function progressAndStop(totalSteps: number): {
  control: RunControl;
  callbacks: TrainingCallbacks;
  dispose(): void;
} {
  const control = new RunControl();
  const onSigint = () => {
    process.stderr.write('\nlab train: stopping after the current update (Ctrl-C again to abort)…\n');
    control.stop();
    process.off('SIGINT', onSigint);
  };
  process.on('SIGINT', onSigint);
  let lastReport = 0;
  let lastReturn = NaN;
  // A workflow with its own step budget (kol.steps, …) reports it when its training starts.
  let total = totalSteps;
  // Progress as the runner counts it: the metrics' global step, unless it runs past the total a
  // status reported (supplychain's MAPPO and tournament count iterations and worlds by status).
  let done = 0;
  return {
    control,
    callbacks: {
      onMetrics: (rows: MetricRow[]) => {
        for (const r of rows) lastReturn = r.values['charts/episodic_return'] ?? lastReturn;
        const now = performance.now();
        const last = rows[rows.length - 1];
        if (last && last.step <= total) done = Math.max(done, last.step);
        if (now - lastReport > 2000 && last) {
          lastReport = now;
          const sps = rows.findLast((r) => 'perf/sps' in r.values)?.values['perf/sps'];
          process.stderr.write(progressLine(done, total, lastReturn, sps));
        }
      },
      onStatus: (s) => {
        if (s.totalSteps > 0) {
          total = s.totalSteps;
          done = s.step;
        }
        if (s.state === 'failed' && s.message) process.stderr.write(`lab train: ${s.message}\n`);
      },
    },
    dispose: () => process.off('SIGINT', onSigint),
  };
}

async function initBackendFor(pref: string) {
  const { initBackend } = await import('../../core/agents/backend.ts');
  const backend = await initBackend(pref as BackendPref);
  if (backend.fallbackReason)
    process.stderr.write(`lab train: note: using ${backend.backend} (${backend.fallbackReason})\n`);
  return backend;
}

/** Offline algorithms (bc, iql): core has no fs, so the dataset file (agent.dataset.file) is read here. */
function provideDataset(agent: Record<string, unknown>): void {
  const file = (agent.dataset as { file?: unknown } | undefined)?.file;
  if (typeof file !== 'string') return;
  try {
    provideDatasetFile(file, readFileSync(file));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

async function trainMarket(exp: MarketArgs, out: string, argv: string[], t0: number): Promise<number> {
  const c = exp.config;
  const panel = await experimentPanel(c.data, exp.dataSpecs, 'train');
  provideDataset(c.agent);
  const backend = await initBackendFor(c.backend);
  const t1 = performance.now();
  const run = progressAndStop(c.totalSteps);
  let prepared: PreparedExperiment | null = null;
  let res;
  try {
    res = await runWorkflow(c, panel, {
      callbacks: run.callbacks,
      control: run.control,
      keepLearner: true,
      keepRows: true,
      onPrepared: (p) => {
        prepared = p;
        for (const note of p.notes) process.stderr.write(`lab train: note: ${note}\n`);
        process.stderr.write(
          `lab train: ${c.algo} (${c.preset}) on ${p.features.assets.length} assets × ${p.features.featureNames.length} features, window ${p.featureConfig.window}, ` +
            `splits ${(['train', 'valid', 'test'] as const).map((k) => `${k} ${p.splitSpec[k].start}..${p.splitSpec[k].end}`).join(', ')}, ${c.totalSteps} steps\n`,
        );
      },
    });
  } catch (e) {
    // A config the data cannot hold (window, splits outside the dates, unknown asset) is the user's input.
    if (e instanceof ExperimentConfigError || e instanceof FeatureError) throw new UsageError(e.message);
    if (!prepared && e instanceof Error) throw new UsageError(e.message);
    throw e;
  } finally {
    run.dispose();
  }
  const t2 = performance.now();
  const learner = res.learner;
  const p = prepared as PreparedExperiment | null;
  if (!learner || !p) throw new UsageError(res.error ?? 'training failed');

  ensureDir(out);
  writeFileSync(path.join(out, 'learning.csv'), metricRowsToCsv(res.rows ?? []));
  // After a NaN loss the learner holds the last good weights: that is what gets saved and evaluated.
  await writeCheckpoint(out, learner, {
    format: 'lab-checkpoint/2',
    config: c,
    data: exp.dataSpecs,
    normalization: normalizationOf(p),
    backend: backend.backend,
  });
  learner.dispose();
  const extra = {
    workflow: c.workflow,
    algo: c.algo,
    preset: c.preset,
    status: res.status,
    global_step: res.steps,
    backend: backend.backend,
  };
  const lines = [
    `${c.algo} (${c.preset}) ${res.status} at step ${res.steps} on ${backend.backend} in ${((t2 - t1) / 1000).toFixed(1)} s → ${out}`,
  ];
  if (res.evaluation) {
    writeMarketFiles(out, p, res.evaluation, extra);
    lines.push(...splitLines(res.evaluation, fmt));
  }
  const t3 = performance.now();
  writeJson(path.join(out, 'run.json'), {
    command: 'train',
    argv,
    created: new Date().toISOString(),
    status: res.status,
    ...(res.error ? { error: res.error } : {}),
    config: c,
    backend: { ...backend, notes: backend.notes },
    global_step: res.steps,
    iterations: res.iterations,
    episodes: res.episodes,
    steps_per_second: res.steps / Math.max(1e-9, res.trainMs / 1000),
    data: {
      source: c.data.kind === 'panel' ? exp.dataSpecs.join(' ') : c.data,
      assets: res.assets,
      start: panel.dates[0] ?? null,
      end: panel.dates[panel.dates.length - 1] ?? null,
      rows: panel.dates.length,
      fingerprint: panelFingerprint(panel),
      features: res.featureNames,
      splits: res.splitSpec,
    },
    notes: res.notes,
    versions: versions(),
    timings_ms: {
      load: Math.round(t1 - t0),
      train: Math.round(t2 - t1),
      evaluate_and_write: Math.round(t3 - t2),
      total: Math.round(performance.now() - t0),
    },
  });
  process.stdout.write(lines.join('\n') + '\n');
  if (res.status === 'failed') {
    process.stderr.write(
      `lab train: ${res.error}\nlab train: the checkpoint in ${path.join(out, 'checkpoint')} holds the last good weights\n`,
    );
    return 1;
  }
  return 0;
}

/**
 * Another workflow of the lab (ensemble, kol, …) from its config: the same runner the lab's worker
 * calls; its evaluation, learning curve and own results are written like a market run's. Its own
 * command (`lab ensemble`, `lab kol`) writes its checkpoints and the seed's file layout.
 */
async function trainWorkflow(exp: MarketArgs, out: string, argv: string[], t0: number): Promise<number> {
  const c = exp.config;
  // A workflow that makes its own data (supplychain's seeded worlds) is handed an empty panel.
  const panel = needsPriceData(c.workflow)
    ? await experimentPanel(c.data, exp.dataSpecs, 'train')
    : emptyPanel();
  const backend = await initBackendFor(c.backend);
  const t1 = performance.now();
  const run = progressAndStop(c.totalSteps);
  let res;
  try {
    res = await runWorkflow(c, panel, { callbacks: run.callbacks, control: run.control, keepRows: true });
  } catch (e) {
    if (e instanceof ExperimentConfigError || e instanceof FeatureError) throw new UsageError(e.message);
    throw e;
  } finally {
    run.dispose();
  }
  res.learner?.dispose();
  const t2 = performance.now();
  ensureDir(out);
  writeFileSync(path.join(out, 'learning.csv'), metricRowsToCsv(res.rows ?? []));
  const extra = {
    workflow: c.workflow,
    status: res.status,
    global_step: res.steps,
    backend: backend.backend,
  };
  const lines = [
    `${c.workflow} ${res.status} at step ${res.steps} on ${backend.backend} in ${((t2 - t1) / 1000).toFixed(1)} s → ${out}`,
  ];
  if (res.evaluation) {
    writeEvaluationFiles(out, res.evaluation, res.annualization, extra);
    lines.push(...splitLines(res.evaluation, fmt));
  }
  // Without market splits the runner's notes are its results (supplychain's tournament table).
  if (res.evaluation?.splits.length === 0) lines.push(...res.notes.map((n) => `  ${n}`));
  writeWorkflowRunJson(out, {
    command: 'train',
    argv,
    result: res,
    config: c,
    backend,
    dataSpecs: exp.dataSpecs,
    panel,
    times: [t0, t1, t2],
  });
  process.stdout.write(lines.join('\n') + '\n');
  if (res.status === 'failed') {
    process.stderr.write(`lab train: ${res.error ?? 'training failed'}\n`);
    return 1;
  }
  return 0;
}

async function trainSanity(exp: SanityArgs, out: string, argv: string[], t0: number): Promise<number> {
  provideDataset(exp.agent);
  const backend = await initBackendFor(exp.backend);
  const t1 = performance.now();
  const makeEnv = makeSanityEnv(exp.env);
  const totalSteps =
    (exp.agent.totalSteps as number | undefined) ??
    ((await getAlgorithm(exp.algo).defaults(exp.preset)) as { totalSteps: number }).totalSteps;
  const run = progressAndStop(totalSteps);
  let res;
  try {
    res = await runTraining({
      algo: exp.algo,
      preset: exp.preset,
      config: exp.agent,
      makeEnv,
      makeEvalEnv: makeEnv,
      evalEvery: exp.evalEvery,
      evalEpisodes: 10,
      control: run.control,
      keepRows: true,
      callbacks: run.callbacks,
    });
  } finally {
    run.dispose();
  }
  const t2 = performance.now();
  const learner = res.learner;
  if (!learner) throw new UsageError(res.error ?? 'training failed');
  ensureDir(out);
  writeFileSync(path.join(out, 'learning.csv'), metricRowsToCsv(res.rows ?? []));
  const config = learner.config as Record<string, unknown>;
  await writeCheckpoint(out, learner, {
    format: 'lab-checkpoint/2',
    sanity: { env: exp.env, algo: exp.algo, preset: exp.preset, config },
    backend: backend.backend,
  });
  const extra = {
    env: exp.env,
    algo: exp.algo,
    preset: exp.preset,
    status: res.status,
    global_step: res.globalStep,
    backend: backend.backend,
  };
  const e = await writeSanityMetrics(out, exp.env, learner, extra);
  learner.dispose();
  writeJson(path.join(out, 'run.json'), {
    command: 'train',
    argv,
    created: new Date().toISOString(),
    status: res.status,
    ...(res.error ? { error: res.error } : {}),
    env: exp.env,
    algo: exp.algo,
    preset: exp.preset,
    config,
    backend: { ...backend, notes: backend.notes },
    global_step: res.globalStep,
    iterations: res.iterations,
    episodes: res.episodes,
    steps_per_second: res.globalStep / Math.max(1e-9, res.wallMs / 1000),
    versions: versions(),
    timings_ms: {
      load: Math.round(t1 - t0),
      train: Math.round(t2 - t1),
      total: Math.round(performance.now() - t0),
    },
  });
  process.stdout.write(
    [
      `${exp.algo} (${exp.preset}) ${res.status} at step ${res.globalStep} on ${backend.backend} in ${((t2 - t1) / 1000).toFixed(1)} s → ${out}`,
      `  eval: mean return ${fmt(e.meanReturn, 2)} ± ${fmt(e.stdReturn, 2)} over ${e.returns.length} episodes`,
    ].join('\n') + '\n',
  );
  if (res.status === 'failed') {
    process.stderr.write(`lab train: ${res.error}\n`);
    return 1;
  }
  return 0;
}

export const command: CliCommand = {
  summary:
    "train one experiment (default: the lab's default; --config, flags, --set path=value) or a sanity env; metrics, learning curve, equity, checkpoint",
  usage,
  async run(argv) {
    const t0 = performance.now();
    const { flags } = parseArgs(argv, spec);
    if (flags.list) {
      const algo = flags.algo ?? 'a2c';
      const preset = flags.preset ?? 'standard';
      let agent: Record<string, unknown>;
      try {
        agent = await agentDefaults(algo, preset);
      } catch (e) {
        throw new UsageError((e as Error).message.replace(/^invalid experiment config at \w+: /, ''));
      }
      process.stdout.write(toJson({ algo, presets: getAlgorithm(algo).presets, preset, agent }) + '\n');
      return 0;
    }
    const exp = await experimentFromFlags(flags);
    if (!flags.out) throw new UsageError('missing required option --out');
    return exp.kind === 'sanity'
      ? trainSanity(exp, flags.out, argv, t0)
      : exp.config.workflow === 'market'
        ? trainMarket(exp, flags.out, argv, t0)
        : trainWorkflow(exp, flags.out, argv, t0);
  },
};
