/**
 * The files of `lab train` / `lab evaluate`, built from what core returns: a market experiment's
 * RunEvaluation (the same SplitEvaluation the lab's Results draw) → metrics.json, equity.csv,
 * positions.csv, trades.csv; a sanity env's episode returns → metrics.json; the learner →
 * checkpoint/ (model.json + weights.bin, tfjs layout, and config.json: the resolved
 * ExperimentConfig, the z-score statistics of training and the --data sources).
 */
import { parseJsonFile } from './json.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CheckpointArtifacts } from '../core/agents/checkpoint.ts';
import { ContextualBanditEnv } from '../core/envs/bandit.ts';
import { sampleAction } from '../core/envs/check.ts';
import { makeSanityEnv, type SanityEnvName } from '../core/envs/sanity.ts';
import type { ResolvedExperimentConfig } from '../core/experiment/config.ts';
import { evaluatePolicy, type EvalResult, type Predictor } from '../core/experiment/evaluation.ts';
import type { ExperimentResult, PreparedExperiment } from '../core/experiment/run.ts';
import type { RunEvaluation } from '../core/experiment/types.ts';
import type { SavedNormalization } from '../core/features/index.ts';
import { Rng } from '../core/rng.ts';
import type { Learner } from '../core/run/algorithms.ts';
import type { Panel } from '../core/data/types.ts';
import { UsageError } from './errors.ts';
import { panelFingerprint, versions } from './fingerprint.ts';
import { ensureDir, toJson, writeCsv, writeJson, type CsvCell } from './output.ts';

/** checkpoint/config.json of a market experiment. `lab train --config` reads its `config`. */
export interface MarketCheckpointRecord {
  format: 'lab-checkpoint/2';
  /** The resolved ExperimentConfig the agent was trained with. */
  config: ResolvedExperimentConfig;
  /** The --data sources, when the data is the user's files (config.data.kind 'panel'). */
  data: string[];
  /** The z-score the agent was trained with; `lab evaluate` scales any data with it. */
  normalization: SavedNormalization;
  backend: string;
}

/** checkpoint/config.json of a sanity env. */
export interface SanityCheckpointRecord {
  format: 'lab-checkpoint/2';
  sanity: { env: SanityEnvName; algo: string; preset: string; config: Record<string, unknown> };
  backend: string;
}

export type CheckpointRecord = MarketCheckpointRecord | SanityCheckpointRecord;

export function normalizationOf(prepared: PreparedExperiment): SavedNormalization {
  const fs = prepared.features;
  return {
    featureNames: fs.featureNames.slice(),
    mean: Array.from(fs.normalization.mean),
    std: Array.from(fs.normalization.std),
  };
}

/** metrics.json, equity.csv, positions.csv and trades.csv of a market evaluation. */
export function writeMarketFiles(
  dir: string,
  prepared: PreparedExperiment,
  evaluation: RunEvaluation,
  extra: Record<string, unknown>,
): void {
  const fs = prepared.features;
  const rowOf = new Map(fs.dates.map((d, i) => [d, i]));
  const N = fs.assets.length;
  // metrics.json and equity.csv as every workflow writes them; positions and trades are market's.
  writeEvaluationFiles(dir, { ...evaluation, extras: undefined }, prepared.annualization, extra);
  const positionRows: CsvCell[][] = [];
  const tradeRows: CsvCell[][] = [];
  for (const s of evaluation.splits) {
    // Shares at the env's starting value (equity is rebased to 1): initialCash, or a portfolio's initialValue.
    const env = prepared.config.env;
    const cash = (prepared.config.envKind === 'portfolio' ? env.initialValue : env.initialCash) as number;
    for (let k = 0; k < s.dates.length; k++) {
      const t = rowOf.get(s.dates[k]) ?? -1;
      const value = s.equity.agent[k] * cash;
      for (let i = 0; i < N; i++) {
        const w = s.weights[k * N + i];
        const close = t >= 0 ? fs.close[t * N + i] : NaN;
        positionRows.push([s.split, s.dates[k], s.assets[i], (w * value) / close, w, close]);
      }
    }
    for (const tr of s.trades)
      tradeRows.push([s.split, tr.date, tr.asset, tr.side, tr.quantity, tr.price, tr.fee]);
  }
  writeCsv(
    path.join(dir, 'positions.csv'),
    ['split', 'date', 'asset', 'shares', 'weight', 'close'],
    positionRows,
  );
  writeCsv(
    path.join(dir, 'trades.csv'),
    ['split', 'date', 'asset', 'side', 'quantity', 'price', 'fee'],
    tradeRows,
  );
}

/**
 * metrics.json (agent and baselines per split), equity.csv and, when the workflow has results of
 * its own, results.json (its `extras`, typed arrays as lists): what any workflow's run leaves.
 */
export function writeEvaluationFiles(
  dir: string,
  evaluation: RunEvaluation,
  annualization: number,
  extra: Record<string, unknown>,
): void {
  writeJson(path.join(dir, 'metrics.json'), {
    ...extra,
    ...(evaluation.summary ? { summary: evaluation.summary } : {}),
    annualization,
    splits: Object.fromEntries(
      evaluation.splits.map((s) => [
        s.split,
        {
          start: s.dates[0],
          end: s.dates[s.dates.length - 1],
          agent: s.metrics.agent,
          baselines: Object.fromEntries(Object.entries(s.metrics).filter(([k]) => k !== 'agent')),
        },
      ]),
    ),
  });
  const equityRows: CsvCell[][] = [];
  for (const s of evaluation.splits)
    for (const [name, eq] of Object.entries(s.equity)) {
      const r = s.returns[name];
      const dd = s.drawdown[name];
      for (let k = 0; k < eq.length; k++)
        equityRows.push([
          s.split,
          s.dates[k],
          name,
          eq[k],
          k === 0 ? null : (r?.[k - 1] ?? null),
          dd?.[k] ?? null,
        ]);
    }
  writeCsv(
    path.join(dir, 'equity.csv'),
    ['split', 'date', 'strategy', 'equity', 'return', 'drawdown'],
    equityRows,
  );
  if (evaluation.extras)
    writeJson(
      path.join(dir, 'results.json'),
      JSON.parse(
        JSON.stringify(evaluation.extras, (_k, v: unknown) =>
          ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as Float64Array) : v,
        ),
      ),
    );
}

/** One line per split for stdout: the agent beside buy-and-hold. */
export function splitLines(
  evaluation: RunEvaluation,
  fmt: (v: unknown, digits?: number) => string,
): string[] {
  return evaluation.splits.map((s) => {
    const a = s.metrics.agent;
    const bh = s.metrics['buy-and-hold'];
    return (
      `  ${s.split.padEnd(5)} ${s.dates[0]}..${s.dates[s.dates.length - 1]}  agent total_return ${fmt(a.total_return)} sharpe ${fmt(a.sharpe, 2)}` +
      (bh ? `  | buy-and-hold ${fmt(bh.total_return)} sharpe ${fmt(bh.sharpe, 2)}` : '')
    );
  });
}

/**
 * metrics.json of a sanity env: the agent's evaluation (evaluatePolicy, the run loop's evaluator)
 * beside a uniform-random policy's.
 */
export async function writeSanityMetrics(
  dir: string,
  env: SanityEnvName,
  learner: Predictor,
  extra: Record<string, unknown>,
): Promise<EvalResult> {
  const make = makeSanityEnv(env);
  const agentEval = await evaluatePolicy(learner, make(), { episodes: 20 });
  const probe = make();
  const rng = new Rng(12345);
  const random: Predictor = {
    predict() {
      // Uniform over the action space (Box: within its bounds).
      const a = sampleAction(rng, probe.actionSpace);
      return Promise.resolve(typeof a === 'number' ? Int32Array.of(a) : a);
    },
  };
  const randomEval = await evaluatePolicy(random, make(), { episodes: 20, deterministic: false });
  const summary = (e: EvalResult) => ({
    mean_return: e.meanReturn,
    std_return: e.stdReturn,
    mean_length: e.meanLength,
    episodes: e.returns.length,
  });
  const probeEnv = make();
  writeJson(path.join(dir, 'metrics.json'), {
    ...extra,
    eval: { agent: summary(agentEval), baselines: { random: summary(randomEval) } },
    ...(probeEnv instanceof ContextualBanditEnv ? { optimal_mean_reward: probeEnv.optimalMeanReward } : {}),
  });
  return agentEval;
}

export async function writeCheckpoint(
  dir: string,
  learner: Learner,
  record: CheckpointRecord,
): Promise<void> {
  const { toFiles } = await import('../core/agents/checkpoint.ts');
  const { json, weights } = toFiles(await learner.saveCheckpoint());
  const ckDir = ensureDir(path.join(dir, 'checkpoint'));
  writeFileSync(path.join(ckDir, 'model.json'), json);
  writeFileSync(path.join(ckDir, 'weights.bin'), weights);
  writeFileSync(path.join(ckDir, 'config.json'), toJson(record) + '\n');
}

export interface CheckpointFiles {
  dir: string;
  artifacts: CheckpointArtifacts;
  record: CheckpointRecord;
}

/** A checkpoint folder (or the lab train output folder that holds one): weights and record. */
export async function readCheckpointDir(dir: string): Promise<CheckpointFiles> {
  const { fromFiles } = await import('../core/agents/checkpoint.ts');
  for (const d of [dir, path.join(dir, 'checkpoint')]) {
    let json: string;
    try {
      json = readFileSync(path.join(d, 'model.json'), 'utf8');
    } catch {
      continue;
    }
    let weights: Buffer;
    let recordText: string;
    try {
      weights = readFileSync(path.join(d, 'weights.bin'));
      recordText = readFileSync(path.join(d, 'config.json'), 'utf8');
    } catch (e) {
      throw new UsageError(
        `${d}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'weights.bin or config.json is missing' : (e as Error).message}`,
      );
    }
    const record = parseJsonFile(recordText, `${d}/config.json`) as CheckpointRecord;
    if (record.format !== 'lab-checkpoint/2')
      throw new UsageError(
        `${d}/config.json: not a checkpoint of this lab train (format ${JSON.stringify(record.format ?? 'missing')}); train it again`,
      );
    let artifacts: CheckpointArtifacts;
    try {
      artifacts = fromFiles(json, weights);
    } catch (e) {
      throw new UsageError(`${d}: ${(e as Error).message}`);
    }
    return { dir: d, artifacts, record };
  }
  throw new UsageError(
    `no checkpoint in ${dir}: expected model.json there or in ${path.join(dir, 'checkpoint')}`,
  );
}

/**
 * run.json of a workflow run (`lab train --set workflow=…`, `lab hier train`): what ran, on what
 * data and backend, how long it took; `command` names the subcommand.
 */
export function writeWorkflowRunJson(
  out: string,
  run: {
    command: string;
    argv: readonly string[];
    result: Pick<ExperimentResult, 'status' | 'error' | 'steps' | 'assets' | 'notes'>;
    config: ResolvedExperimentConfig;
    backend: { notes?: unknown };
    dataSpecs: readonly string[];
    panel: Panel;
    /** Load start, training start and end (performance.now()). */
    times: [number, number, number];
  },
): void {
  const { result: res, config, panel } = run;
  const [t0, t1, t2] = run.times;
  writeJson(path.join(out, 'run.json'), {
    command: run.command,
    argv: run.argv,
    created: new Date().toISOString(),
    status: res.status,
    ...(res.error ? { error: res.error } : {}),
    config,
    backend: { ...run.backend, notes: run.backend.notes },
    global_step: res.steps,
    data: {
      source: config.data.kind === 'panel' ? run.dataSpecs.join(' ') : config.data,
      assets: res.assets,
      rows: panel.dates.length,
      fingerprint: panelFingerprint(panel),
    },
    notes: res.notes,
    versions: versions(),
    timings_ms: { load: Math.round(t1 - t0), train_and_evaluate: Math.round(t2 - t1) },
  });
}
