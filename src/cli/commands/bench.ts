/** `lab bench [suite…]`: runs benchmark suites, one JSON object on stdout, bench/results/<suite>.json each. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../args.ts';
import { crossSuiteRatios, machineInfo, suites, type BenchFigures } from '../bench/index.ts';
import { UsageError } from '../errors.ts';
import { printJson, writeJson } from '../output.ts';
import type { CliCommand } from './index.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const usage = `usage: lab bench [suite…] [--out DIR]

Runs the benchmark suites (all by default) and prints one JSON object on stdout:
{ machine, results: { <suite>: { …figures } } }. Each suite's figures, with the machine info
(cpus, node version, date), are also written to DIR/<suite>.json (default bench/results).
Progress goes to stderr. A suite that fails is reported with its error and exit code 1.

suites: ${Object.keys(suites).join(', ')}

options:
  --out DIR   folder for the per-suite JSON files (default <repo>/bench/results)`;

const spec = {
  flags: { out: { type: 'string' } },
  positionals: { names: ['suite'] },
} as const;

export const command: CliCommand = {
  summary: 'run the benchmark suites (env throughput, indicators, CSV import); JSON out',
  usage,
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, spec);
    const names = positionals.length ? positionals : Object.keys(suites);
    for (const n of names) {
      if (!Object.hasOwn(suites, n))
        throw new UsageError(`unknown suite '${n}'; suites: ${Object.keys(suites).join(', ')}`);
    }
    const outDir = path.resolve(flags.out ?? path.join(repoRoot, 'bench/results'));
    const machine = machineInfo();
    const results: Record<string, BenchFigures | { error: string }> = {};
    let failed = false;
    for (const name of names) {
      process.stderr.write(`bench: ${name}…\n`);
      const t0 = performance.now();
      try {
        const suite = await suites[name]();
        const figures = await suite();
        results[name] = figures;
        writeJson(path.join(outDir, `${name}.json`), { suite: name, machine, results: figures });
      } catch (err) {
        failed = true;
        results[name] = { error: err instanceof Error ? err.message : String(err) };
      }
      process.stderr.write(`bench: ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    }
    const cross = crossSuiteRatios(results);
    if (Object.keys(cross).length) {
      Object.assign(results.browser as BenchFigures, cross);
      writeJson(path.join(outDir, 'browser.json'), { suite: 'browser', machine, results: results.browser });
    }
    printJson({ machine, results });
    return failed ? 1 : 0;
  },
};
