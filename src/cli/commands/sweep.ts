/** `lab sweep`: a sweep spec (or preset) on a pool of Node worker threads → results.json, results.csv, summary.json. */
import { parseJsonFile } from '../json.ts';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareExperiment } from '../../core/experiment/run.ts';
import { getSweepPreset, SWEEP_PRESETS } from '../../core/sweeps/presets.ts';
import { higherIsBetterFor, type SweepRunResult } from '../../core/sweeps/results.ts';
import {
  countRuns,
  parseShard,
  parseSweepSpec,
  shardRuns,
  type SweepRun,
  type SweepSpec,
} from '../../core/sweeps/spec.ts';
import { validateSweep } from '../../core/sweeps/validate.ts';
import { parseArgs } from '../args.ts';
import { experimentPanel } from '../dataSources.ts';
import { dataConfigOf } from '../experimentArgs.ts';
import { UsageError } from '../errors.ts';
import { panelFingerprint, versions } from '../fingerprint.ts';
import { writeSweepOutputs, RESULTS_FORMAT, type SweepResultsFile } from '../sweep/files.ts';
import { runPool } from '../sweep/pool.ts';
import type { SweepWorkerShared } from '../sweep/job.worker.ts';
import type { CliCommand } from './index.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const defaultWorkers = Math.max(1, os.cpus().length - 1);

const usage = `usage: lab sweep SPEC.json [--workers N] [--shard i/n] [--backend wasm|cpu] [--select METRIC] --out DIR
       lab sweep --preset NAME [--data SRC…] … --out DIR

Runs every run of a sweep spec (or of a preset) in N Node worker threads — the runner the lab's
sweeps use: same seeds and backend give the same numbers (to ~1e-14 against a browser, whose
Math.exp/log differ from Node's in the last bit) — and writes
  DIR/results.json   every run (point, seed, metrics <split>/<metric>, validation equity, wall time)
                     with the spec, the shard and versions
  DIR/results.csv    one row per run
  DIR/summary.json   mean ± std over seeds per point; the best point chosen on a validation metric,
                     with its test metrics reported beside it (never used for the choice)

A spec is JSON: { name, base: <experiment config>, params: [{ key: 'agent.entCoef', values:
{ kind: 'list', values: [0, 0.05] } }, { key: 'agent.learningRate', values: { kind: 'log-range',
min: 1e-5, max: 1e-3, steps: 3 } }], mode: 'grid' | 'random', samples, sampleSeed, seedsPerPoint }.
Keys are dotted paths into the experiment config — the paths of lab train --set and of share links,
over the same default experiment (lab config print shows it; a base of {} is the lab's default);
a key it does not have is an error.

Sharding: --shard i/n runs runs i, i+n, i+2n, … (0-based), so n machines (a cluster job array, a
CI matrix) can each run one slice; 'lab merge DIR…' joins their folders.

presets: ${SWEEP_PRESETS.map((p) => p.id).join(', ')}

options:
  --workers N        worker threads (default cores − 1 = ${defaultWorkers})
  --shard i/n        run only slice i of n
  --backend B        wasm (default, fastest here) or cpu
  --select METRIC    validation metric for the best point (default valid/sharpe)
  --lower-is-better  choose the smallest --select value (default: by metric; volatility-like metrics are minimised)
  --preset NAME      use a preset instead of SPEC.json
  --data SRC…        train on these files / folders / embedded:NAME / synthetic:… instead of the spec's data
                     (as lab train --data: one embedded or synthetic source becomes data.kind embedded /
                     synthetic, files data.kind panel)
  --out DIR          output folder (created)`;

const spec = {
  flags: {
    workers: { type: 'integer', default: defaultWorkers },
    shard: { type: 'string' },
    backend: { type: 'string', choices: ['wasm', 'cpu'], default: 'wasm' },
    select: { type: 'string', default: 'valid/sharpe' },
    'lower-is-better': { type: 'boolean' },
    preset: { type: 'string' },
    data: { type: 'string', multiple: true },
    quiet: { type: 'boolean' },
    out: { type: 'string', required: true },
  },
  positionals: { max: 1, names: ['spec.json'] },
} as const;

function readSpec(file: string): SweepSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(
      `${file}: cannot read (${(e as { code?: string }).code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e)})`,
    );
  }
  const json = parseJsonFile(text, file);
  try {
    return parseSweepSpec(json);
  } catch (e) {
    throw new UsageError(`${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function tfjsVersion(): string {
  try {
    return (
      JSON.parse(readFileSync(path.join(repoRoot, 'node_modules/@tensorflow/tfjs/package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return 'unknown';
  }
}

const fmt = (v: number | undefined) =>
  v === undefined ? '–' : Number.isFinite(v) ? v.toFixed(4) : String(v);

export const command: CliCommand = {
  summary:
    'run a hyperparameter / ablation sweep on worker threads (sharding with --shard i/n); results and summary out',
  usage,
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, spec);
    if (flags.workers < 1) throw new UsageError(`--workers must be ≥ 1, got ${flags.workers}`);
    if (flags.select.startsWith('test/'))
      throw new UsageError(
        `--select must be a validation metric (valid/…): choosing on '${flags.select}' would leak the test split`,
      );
    let sweep: SweepSpec;
    let source: string;
    if (flags.preset) {
      if (positionals.length) throw new UsageError('give either SPEC.json or --preset, not both');
      try {
        sweep = getSweepPreset(flags.preset).spec();
      } catch (e) {
        throw new UsageError(e instanceof Error ? e.message : String(e));
      }
      source = `preset ${flags.preset}`;
    } else {
      if (!positionals.length) throw new UsageError('missing argument <spec.json> (or --preset NAME)');
      source = positionals[0];
      sweep = readSpec(source);
    }
    // --data maps onto the base config as in lab train: one embedded / synthetic source is that source, files the user's panel.
    if (flags.data.length > 0) sweep = { ...sweep, base: { ...sweep.base, data: dataConfigOf(flags.data) } };

    let validated: Awaited<ReturnType<typeof validateSweep>>;
    try {
      validated = await validateSweep(sweep);
    } catch (e) {
      throw new UsageError(`${source}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (validated.base.data.kind === 'panel' && flags.data.length === 0)
      throw new UsageError(
        `${source}: the spec's data is { kind: 'panel' } (the user's files): give them with --data`,
      );
    let shard: { index: number; count: number } | null = null;
    if (flags.shard !== undefined) {
      try {
        shard = parseShard(flags.shard);
      } catch (e) {
        throw new UsageError(`--shard: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const runs: SweepRun[] = shard ? shardRuns(validated.runs, shard) : validated.runs;

    // Load the data here too: a fingerprint for the record, and bad splits or windows are refused
    // before any worker starts (one prepare per point; features are cheap next to training).
    const panel = await experimentPanel(validated.base.data, flags.data, 'sweep');
    const prepared = new Set<number>();
    for (const r of runs) {
      if (prepared.has(r.pointIndex)) continue;
      prepared.add(r.pointIndex);
      try {
        const p = await prepareExperiment(r.config, panel);
        if (!p.evaluableSplits.includes('valid'))
          process.stderr.write(
            `lab sweep: warning: point ${r.pointIndex} has no validation rows; ${flags.select} will be missing\n`,
          );
      } catch (e) {
        // Config and feature errors (bad window, splits outside the data) are the user's input.
        if (e instanceof Error) {
          const where =
            Object.entries(r.point)
              .map(([k, v]) => `${k}=${String(v)}`)
              .join(', ') || 'base';
          throw new UsageError(`${source}: point ${r.pointIndex} (${where}): ${e.message}`);
        }
        throw e;
      }
    }

    const outDir = path.resolve(flags.out);
    const total = countRuns(sweep);
    const log = (s: string) => {
      if (!flags.quiet) process.stderr.write(s + '\n');
    };
    log(
      `lab sweep: ${sweep.name}: ${runs.length} run${runs.length === 1 ? '' : 's'}${shard ? ` (shard ${shard.index}/${shard.count} of ${total})` : ''} on ${Math.min(flags.workers, runs.length)} worker${flags.workers === 1 ? '' : 's'}, backend ${flags.backend}`,
    );
    const t0 = performance.now();
    let finished = 0;
    const shared: SweepWorkerShared = {
      backend: flags.backend as SweepWorkerShared['backend'],
      dataSpecs: flags.data,
    };
    const out = await runPool<SweepRun, SweepRunResult>(runs, {
      workers: flags.workers,
      entry: new URL('../sweep/job.worker.ts', import.meta.url),
      shared,
      onResult: (run, r) => {
        finished++;
        log(
          `  [${finished}/${runs.length}] ${run.id} ${Object.entries(run.point)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(
              ' ',
            )}  ${flags.select}=${fmt(r.metrics[flags.select])}${r.error ? `  FAILED: ${r.error}` : ''}  (${(r.wallSeconds ?? 0).toFixed(1)} s)`,
        );
      },
      onError: (run, message) => {
        finished++;
        log(`  [${finished}/${runs.length}] ${run.id} FAILED: ${message}`);
      },
    });
    const results: SweepRunResult[] = out.map((r, i) =>
      'index' in (r as object)
        ? (r as SweepRunResult)
        : {
            index: runs[i].index,
            id: runs[i].id,
            pointIndex: runs[i].pointIndex,
            point: runs[i].point,
            seed: runs[i].seed,
            metrics: {},
            status: 'failed',
            error: (r as { error: string }).error,
          },
    );
    const backend = results.find((r) => r.backend)?.backend ?? flags.backend;
    const file: SweepResultsFile = {
      format: RESULTS_FORMAT,
      spec: sweep,
      shard,
      totalRuns: total,
      expected: runs.map((r) => r.index),
      runs: results,
      versions: { ...versions(), tfjs: tfjsVersion(), backend },
      dataFingerprint: panelFingerprint(panel),
      createdAt: new Date().toISOString(),
    };
    const summary = writeSweepOutputs(outDir, file, {
      metric: flags.select,
      higherIsBetter: flags['lower-is-better'] ? false : higherIsBetterFor(flags.select),
    });
    const failed = results.filter((r) => r.error).length;
    const seconds = (performance.now() - t0) / 1000;
    log(
      `lab sweep: ${results.length - failed}/${results.length} runs ok in ${seconds.toFixed(1)} s (${((results.length / seconds) * 60).toFixed(1)} runs/min); wrote ${path.join(outDir, 'results.json')}, results.csv, summary.json`,
    );
    if (summary.best) {
      const b = summary.best;
      log(
        `  best on ${flags.select}: point ${b.pointIndex} ${JSON.stringify(b.point)} = ${fmt(b.valid[flags.select]?.mean)} ± ${fmt(b.valid[flags.select]?.std)} (n=${b.n})`,
      );
      const t = flags.select.replace(/^valid\//, 'test/');
      if (b.test[t])
        log(
          `  its TEST ${t} (reported, not used for the choice) = ${fmt(b.test[t].mean)} ± ${fmt(b.test[t].std)}`,
        );
    }
    return results.length > 0 && failed === results.length ? 1 : 0;
  },
};
