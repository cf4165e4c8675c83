/** `lab merge`: join the folders of sharded `lab sweep` runs into one results.json / results.csv / summary.json. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { stableStringify } from '../../core/experiment/data.ts';
import { higherIsBetterFor, mergeResults } from '../../core/sweeps/results.ts';
import { expandSweep } from '../../core/sweeps/spec.ts';
import { parseArgs } from '../args.ts';
import { UsageError } from '../errors.ts';
import {
  readSweepResults,
  writeSweepOutputs,
  RESULTS_FORMAT,
  type SweepResultsFile,
} from '../sweep/files.ts';
import type { CliCommand } from './index.ts';

const usage = `usage: lab merge DIR… --out DIR [--select METRIC] [--lower-is-better]
       lab merge POPULATION_DIR      (a lab hier pbt folder: as lab hier pbt --merge)

Joins the output folders of 'lab sweep --shard i/n' (one per machine or job) into one folder with
results.json, results.csv and summary.json, as if the sweep had run in one go. Every folder must
come from the same spec (and the same data). Runs no shard produced are listed and the exit code
is 1; runs present in more than one folder are reported (the first is kept).

options:
  --select METRIC    validation metric for the best point (default valid/sharpe)
  --lower-is-better  choose the smallest --select value
  --out DIR          output folder (created)`;

const spec = {
  flags: {
    out: { type: 'string', required: true },
    select: { type: 'string', default: 'valid/sharpe' },
    'lower-is-better': { type: 'boolean' },
  },
  positionals: { min: 1, names: ['dir'] },
} as const;

export const command: CliCommand = {
  summary:
    'join sharded sweep outputs (lab sweep --shard i/n) and report missing or duplicated runs; rebuild a lab hier pbt population',
  usage,
  async run(argv) {
    // A `lab hier pbt` folder (pbt.json): its report is rebuilt from its score files.
    if (argv.length === 1 && existsSync(path.join(argv[0], 'pbt.json')))
      return (await import('./hierPbt.ts')).runHierPbt(['--merge', argv[0]]);
    const { flags, positionals } = parseArgs(argv, spec);
    if (flags.select.startsWith('test/'))
      throw new UsageError(`--select must be a validation metric (valid/…), not '${flags.select}'`);
    const files = positionals.map((d) => ({ dir: d, file: readSweepResults(d) }));
    const first = files[0];
    const specKey = stableStringify(first.file.spec);
    for (const f of files.slice(1)) {
      if (stableStringify(f.file.spec) !== specKey)
        throw new UsageError(
          `${f.dir}: comes from a different sweep spec than ${first.dir} ('${f.file.spec.name}' vs '${first.file.spec.name}')`,
        );
      if (
        f.file.dataFingerprint &&
        first.file.dataFingerprint &&
        f.file.dataFingerprint !== first.file.dataFingerprint
      ) {
        throw new UsageError(
          `${f.dir}: trained on different data than ${first.dir} (fingerprints ${f.file.dataFingerprint} vs ${first.file.dataFingerprint})`,
        );
      }
    }
    const backends = [...new Set(files.map((f) => f.file.versions.backend))];
    if (backends.length > 1)
      process.stderr.write(
        `lab merge: warning: shards ran on different backends (${backends.join(', ')}); their numbers are not bit-comparable\n`,
      );
    const allRuns = expandSweep(first.file.spec);
    const report = mergeResults(
      files.map((f) => f.file.runs),
      allRuns,
    );
    const merged: SweepResultsFile = {
      format: RESULTS_FORMAT,
      spec: first.file.spec,
      shard: null,
      mergedFrom: files.map((f) => ({ dir: path.resolve(f.dir), shard: f.file.shard })),
      totalRuns: allRuns.length,
      expected: allRuns.map((r) => r.index),
      runs: report.results,
      versions: { ...first.file.versions, backend: backends.join(',') },
      dataFingerprint: first.file.dataFingerprint,
      createdAt: new Date().toISOString(),
    };
    const outDir = path.resolve(flags.out);
    writeSweepOutputs(outDir, merged, {
      metric: flags.select,
      higherIsBetter: flags['lower-is-better'] ? false : higherIsBetterFor(flags.select),
    });
    const byIndex = new Map(allRuns.map((r) => [r.index, r.id]));
    process.stderr.write(
      `lab merge: ${report.results.length}/${allRuns.length} runs from ${files.length} folder${files.length === 1 ? '' : 's'} → ${outDir}\n`,
    );
    if (report.duplicates.length > 0)
      process.stderr.write(
        `lab merge: duplicated runs (first kept): ${report.duplicates.map((i) => byIndex.get(i) ?? i).join(', ')}\n`,
      );
    if (report.missing.length > 0) {
      process.stderr.write(
        `lab merge: MISSING ${report.missing.length} run${report.missing.length === 1 ? '' : 's'}: ${report.missing.map((i) => byIndex.get(i) ?? i).join(', ')}\n`,
      );
      return 1;
    }
    return 0;
  },
};
