/**
 * `lab evaluate`: backtests a saved agent (lab train's checkpoint/) with the experiment code the lab
 * runs: prepareExperiment (features scaled with the training z-score) → evaluateExperiment
 * (evaluateSplit on every split, baselines beside the agent). Sanity envs: episode returns
 * (evaluatePolicy, the run loop's evaluator).
 */
import path from 'node:path';
import { parseArgs } from '../args.ts';
import { experimentPanel } from '../dataSources.ts';
import { UsageError } from '../errors.ts';
import { dataConfigOf, parseSplitsFlag, resolveOrUsage } from '../experimentArgs.ts';
import { panelFingerprint, versions } from '../fingerprint.ts';
import { ensureDir, writeJson } from '../output.ts';
import { readCheckpointDir, splitLines, writeMarketFiles, writeSanityMetrics } from '../runFiles.ts';
import type { BackendPref } from '../../core/agents/backend.ts';
import { ExperimentConfigError } from '../../core/experiment/config.ts';
import { stableStringify } from '../../core/experiment/data.ts';
import { evaluateExperiment, prepareExperiment } from '../../core/experiment/run.ts';
import { defaultSplitsFor } from '../../core/experiment/vocabulary.ts';
import { FeatureError } from '../../core/features/index.ts';
import { getAlgorithm } from '../../core/run/algorithms.ts';
// Registers 'bc' and 'iql' in the algorithm registry.
import '../../core/agents/offline/learners.ts';
import { makeSanityEnv } from '../../core/envs/sanity.ts';
import type { CliCommand } from './index.ts';

const usage = `usage: lab evaluate --checkpoint DIR [--data SRC…] [--splits S] [--backend B] --out DIR

Loads an agent saved by lab train (DIR/checkpoint: model.json, weights.bin, config.json), rebuilds
its experiment — on --data when given, else on the data it was trained on — and backtests it
deterministically on every split with the baselines beside it, as lab train does after training.
Writes DIR/metrics.json, DIR/equity.csv, DIR/positions.csv, DIR/trades.csv (market data) and
DIR/run.json. Features are scaled with the z-score of training (saved in checkpoint/config.json),
whatever data is evaluated.

options:
  --checkpoint DIR   a checkpoint folder (or the lab train output folder that holds it)
  --data SRC…        file, folder, embedded:NAME or synthetic[:k=v,…] (several: --data A.csv B.csv)
  --splits S         auto (the data's default when --data changes it) | qtmrl | ratio | TRAIN,VALID |
                     START:END,START:END,START:END (default: the experiment's)
  --backend B        the training backend (default) | auto | wasm | cpu
  --out DIR          output folder (created)`;

const spec = {
  flags: {
    checkpoint: { type: 'string', required: true },
    data: { type: 'string', multiple: true },
    splits: { type: 'string' },
    backend: { type: 'string', choices: ['auto', 'wasm', 'cpu', 'webgpu'] },
    out: { type: 'string', required: true },
  },
} as const;

export const command: CliCommand = {
  summary: 'backtest a saved agent (lab train checkpoint) on market data with the baselines beside it',
  usage,
  async run(argv) {
    const t0 = performance.now();
    const { flags } = parseArgs(argv, spec);
    const found = await readCheckpointDir(flags.checkpoint);
    const record = found.record;
    const { initBackend } = await import('../../core/agents/backend.ts');
    const backend = await initBackend((flags.backend ?? record.backend) as BackendPref);
    ensureDir(flags.out);

    if ('sanity' in record) {
      if (flags.data.length || flags.splits)
        throw new UsageError(
          `this checkpoint was trained on ${record.sanity.env}, not market data; drop --data and --splits`,
        );
      const { env, algo, preset, config } = record.sanity;
      const learner = await getAlgorithm(algo).create({ config, preset, makeEnv: makeSanityEnv(env) });
      try {
        await learner.loadCheckpoint(found.artifacts);
        const e = await writeSanityMetrics(flags.out, env, learner, {
          env,
          algo,
          preset,
          checkpoint: found.dir,
          backend: backend.backend,
        });
        process.stdout.write(
          `${algo} from ${found.dir} on ${backend.backend} → ${flags.out}\n  eval: mean return ${e.meanReturn.toFixed(2)} ± ${e.stdReturn.toFixed(2)} over ${e.returns.length} episodes\n`,
        );
      } finally {
        learner.dispose();
      }
      writeJson(path.join(flags.out, 'run.json'), {
        command: 'evaluate',
        argv,
        created: new Date().toISOString(),
        checkpoint: found.dir,
        ...record.sanity,
        backend,
        versions: versions(),
        timings_ms: { total: Math.round(performance.now() - t0) },
      });
      return 0;
    }

    // The experiment it was trained on, on other data when asked.
    const input: Record<string, unknown> = structuredClone(record.config) as unknown as Record<
      string,
      unknown
    >;
    let specs = record.data;
    if (flags.data.length > 0) {
      specs = flags.data;
      const data = dataConfigOf(specs);
      if (stableStringify(input.splits) === stableStringify(defaultSplitsFor(record.config.data)))
        delete input.splits;
      input.data = data;
    }
    if (flags.splits !== undefined) {
      const splits = parseSplitsFlag(flags.splits);
      if (splits === undefined) delete input.splits;
      else input.splits = splits;
    }
    const config = await resolveOrUsage(input);
    const panel = await experimentPanel(config.data, specs, 'evaluate');
    let prepared;
    try {
      // The inputs are scaled as in training, whatever data is evaluated now.
      prepared = await prepareExperiment(config, panel, { normalization: record.normalization });
    } catch (e) {
      if (e instanceof ExperimentConfigError || e instanceof FeatureError) throw new UsageError(e.message);
      throw e;
    }
    const c = prepared.config;
    const learner = await getAlgorithm(c.algo).create({
      config: { ...c.agent, seed: c.seed, totalSteps: c.totalSteps },
      preset: c.preset,
      makeEnv: prepared.makeTrainEnv,
    });
    let evaluation;
    try {
      try {
        await learner.loadCheckpoint(found.artifacts);
      } catch (e) {
        throw new UsageError(`checkpoint does not fit this data: ${(e as Error).message}`);
      }
      evaluation = await evaluateExperiment(learner, prepared);
    } finally {
      learner.dispose();
    }
    writeMarketFiles(flags.out, prepared, evaluation, {
      workflow: c.workflow,
      algo: c.algo,
      preset: c.preset,
      checkpoint: found.dir,
      backend: backend.backend,
    });
    writeJson(path.join(flags.out, 'run.json'), {
      command: 'evaluate',
      argv,
      created: new Date().toISOString(),
      checkpoint: found.dir,
      config: c,
      backend,
      data: {
        source: c.data.kind === 'panel' ? specs.join(' ') : c.data,
        assets: prepared.features.assets,
        rows: panel.dates.length,
        fingerprint: panelFingerprint(panel),
        splits: prepared.splitSpec,
      },
      versions: versions(),
      timings_ms: { total: Math.round(performance.now() - t0) },
    });
    const fmt = (v: unknown, digits = 4) =>
      typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—';
    process.stdout.write(
      [
        `${c.algo} from ${found.dir} on ${backend.backend} → ${flags.out}`,
        ...splitLines(evaluation, fmt),
      ].join('\n') + '\n',
    );
    return 0;
  },
};
