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
