/**
 * Sweep throughput: the same fixed short run, RUNS times, on the Node worker pool with 1 worker and
 * with 2 workers (this machine has 2 cores), in runs per minute of wall time — worker start-up,
 * backend init and data loading included, as `lab sweep` pays them. The run: A2C (standard preset,
 * 8 envs × 5 steps) with the default 64×64 MLP on 4 synthetic assets, all indicators, W = 20,
 * 2,000 env steps, then evaluation of train/valid/test against the 5 baselines.
 * Figures: `runs_per_min_<k>w`, `seconds_<k>w`, `seconds_per_run_<k>w`, `speedup_2w`, the
 * parallel efficiency `efficiency_2w` = speedup / 2, and the steady-state rate once every worker has
 * started (`steady_runs_per_min_<k>w`, `steady_speedup_2w`). Also checks that both pool sizes give the same
 * metrics (`identical_results`: 1 when they do). `load_avg_1m_before` records how busy the machine
 * already was: on a shared 2-core box other processes eat the second core and the 2-worker figure.
 */
import os from 'node:os';
import { runPool } from '../sweep/pool.ts';
import type { SweepWorkerShared } from '../sweep/job.worker.ts';
import { expandSweep, parseSweepSpec, type SweepRun } from '../../core/sweeps/spec.ts';
import type { SweepRunResult } from '../../core/sweeps/results.ts';

export const SWEEP_BENCH_RUNS = 9;
export const SWEEP_BENCH_STEPS = 2000;

const spec = parseSweepSpec({
  name: 'bench',
  base: {
    data: { kind: 'synthetic', config: { assets: 4, days: 1500, seed: 1, signalStrength: 0.1 } },
    features: { preset: 'all', window: 20 },
    algo: 'a2c',
    totalSteps: SWEEP_BENCH_STEPS,
  },
  params: [{ key: 'agent.entCoef', values: { kind: 'list', values: [0, 0.01, 0.05] } }],
  seedsPerPoint: SWEEP_BENCH_RUNS / 3,
});

async function timePool(
  runs: SweepRun[],
  workers: number,
): Promise<{ seconds: number; steadySeconds: number; steadyRuns: number; results: SweepRunResult[] }> {
  const shared: SweepWorkerShared = { backend: 'wasm', dataSpecs: [] };
  const done: number[] = [];
  const t0 = performance.now();
  const out = await runPool<SweepRun, SweepRunResult>(runs, {
    workers,
    entry: new URL('../sweep/job.worker.ts', import.meta.url),
    shared,
    onResult: () => done.push(performance.now()),
  });
  const seconds = (performance.now() - t0) / 1000;
  // Steady state: after every worker has finished its first run (start-up, tsx compile and backend init paid).
  const steadyRuns = done.length - workers;
  const steadySeconds = (done[done.length - 1] - done[workers - 1]) / 1000;
  const results = out.map((r) => {
    if (!('index' in (r as object)))
      throw new Error(`sweep bench run failed: ${(r as { error: string }).error}`);
    const res = r as SweepRunResult;
    if (res.error) throw new Error(`sweep bench run ${res.id} failed: ${res.error}`);
    return res;
  });
  return { seconds, steadySeconds, steadyRuns, results };
}

export async function benchSweep(): Promise<Record<string, number>> {
  const runs = expandSweep(spec);
  const out: Record<string, number> = {
    runs: runs.length,
    steps_per_run: SWEEP_BENCH_STEPS,
    cpus: os.cpus().length,
    load_avg_1m_before: os.loadavg()[0],
  };
  const by: Record<number, SweepRunResult[]> = {};
  for (const workers of [1, 2]) {
    const { seconds, steadySeconds, steadyRuns, results } = await timePool(runs, workers);
    out[`steady_runs_per_min_${workers}w`] = (steadyRuns / steadySeconds) * 60;
    by[workers] = results;
    out[`seconds_${workers}w`] = seconds;
    out[`seconds_per_run_${workers}w`] = seconds / runs.length;
    out[`runs_per_min_${workers}w`] = (runs.length / seconds) * 60;
  }
  out.speedup_2w = out.runs_per_min_2w / out.runs_per_min_1w;
  out.steady_speedup_2w = out.steady_runs_per_min_2w / out.steady_runs_per_min_1w;
  out.efficiency_2w = out.speedup_2w / 2;
  out.identical_results =
    JSON.stringify(by[1].map((r) => r.metrics)) === JSON.stringify(by[2].map((r) => r.metrics)) ? 1 : 0;
  return out;
}
