/**
 * Benchmark suites for `lab bench` / `npm run bench`. Each suite is a lazily imported async
 * function returning flat figures (numbers, or strings for units/notes); register one with one
 * line here. Targets live with each suite; the results are recorded in the README.
 */
import os from 'node:os';

export type BenchFigures = Record<string, number | string | boolean | null>;
export type BenchSuite = () => Promise<BenchFigures>;

export const suites: Record<string, () => Promise<BenchSuite>> = {
  env: async () => (await import('./env.ts')).benchEnv,
  indicators: async () => (await import('./indicators.ts')).benchIndicators,
  import: async () => (await import('./importCsv.ts')).benchImportCsv,
  sweep: async () => (await import('./sweep.ts')).benchSweep,
  nets: async () => (await import('./nets.ts')).benchNets,
  train: async () => (await import('./train.ts')).benchTrain,
  browser: async () => (await import('./browser.ts')).benchBrowser,
  reference: async () => (await import('./reference.ts')).benchReference,
  scml: async () => (await import('./scml.ts')).benchScml,
};

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
  arch: string;
  totalMemoryGiB: number;
  date: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    totalMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    date: new Date().toISOString(),
  };
}

/** Median of a non-empty list, for suites that time several runs. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Figures that need two suites of one invocation (`npm run bench -- reference browser`): Chromium's
 * A2C env steps/s against the PyTorch reference measured minutes before on the same machine, one
 * thread against one thread and the cross-origin-isolated page's threads against PyTorch with 2
 * threads. Both are wall clock (the browser reports no CPU time). Empty unless both suites ran.
 */
export function crossSuiteRatios(results: Record<string, unknown>): BenchFigures {
  const ref = results.reference as BenchFigures | undefined;
  const browser = results.browser as BenchFigures | undefined;
  if (!ref || !browser || 'error' in ref || 'error' in browser) return {};
  const out: BenchFigures = {};
  const pairs: [string, string][] = [
    ['wasm', 'reference_t1_sps'],
    ['wasm_threads', 'reference_t2_sps'],
  ];
  for (const [label, refKey] of pairs) {
    const lab = browser[`browser/${label}/a2c_steps_per_s`];
    const torch = ref[refKey];
    if (typeof lab === 'number' && typeof torch === 'number' && torch > 0) {
      out[`browser/${label}/reference_sps`] = torch;
      out[`browser/${label}/ratio_vs_reference`] = lab / torch;
    }
  }
  if (Object.keys(out).length)
    out['browser/ratio_note'] =
      'A2C env steps/s in Chromium ÷ the PyTorch reference of this invocation (wasm: 1 thread vs 1; wasm_threads: vs 2 threads), wall clock';
  return out;
}
