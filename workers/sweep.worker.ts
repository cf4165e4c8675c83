/**
 * A sweep worker: a thin comlink face over core's runSweepJob (the same function `lab sweep` runs in
 * Node worker threads), so the same seeds on the same backend give the same numbers (to ~1e-14:
 * Chromium's and Node's V8 round Math.exp/log differently in the last bit). The lab starts several
 * (cores − 1); each initialises its tfjs backend once, keeps one panel per data source and runs one
 * sweep run at a time. Also resolves and validates specs for the builder, so tfjs (pulled in by the
 * algorithm registry's defaults) stays out of the main bundle.
 */
import * as Comlink from 'comlink';
import sp500Url from '@vega-data/sp500-2000.csv?url';
import stocksUrl from '@vega-data/stocks.csv?url';
import { initBackend, type BackendInfo, type BackendPref } from '../src/core/agents/backend.ts';
import type { EmbeddedFileName } from '../src/core/data/embedded.ts';
import type { Panel } from '../src/core/data/types.ts';
import {
  leafPaths,
  resolveExperimentConfig,
  type DataSourceConfig,
  type ResolvedExperimentConfig,
} from '../src/core/experiment/config.ts';
import { loadExperimentPanel } from '../src/core/experiment/data.ts';
import type { RunEvaluation } from '../src/core/experiment/types.ts';
import { RunControl } from '../src/core/run/control.ts';
import { cachedPanelProvider, runSweepJob, type SweepJobProgress } from '../src/core/sweeps/job.ts';
import type { SweepRunResult } from '../src/core/sweeps/results.ts';
import { parseSweepSpec, type SweepRun } from '../src/core/sweeps/spec.ts';
import { validateSweep } from '../src/core/sweeps/validate.ts';
import { wasmPaths } from './wasmAssets.ts';

const EMBEDDED_URLS: Record<EmbeddedFileName, string> = {
  'sp500-2000.csv': sp500Url,
  'stocks.csv': stocksUrl,
};

let backend: BackendInfo | null = null;
let userPanel: Panel | null = null;
let control: RunControl | null = null;

const provider = cachedPanelProvider((data: DataSourceConfig) =>
  loadExperimentPanel(data, {
    readEmbedded: async (f) => {
      const res = await fetch(EMBEDDED_URLS[f]);
      if (!res.ok) throw new Error(`could not load ${f} (HTTP ${res.status})`);
      return res.text();
    },
    userPanel,
  }),
);

export interface SweepRunOutcome {
  result: SweepRunResult;
  /** Every split, agent and baselines (transferred), for saving the run like a single one. */
  evaluation: RunEvaluation | null;
}

function transferables(ev: RunEvaluation | null): ArrayBuffer[] {
  if (!ev) return [];
  const out: ArrayBuffer[] = [];
  for (const s of ev.splits) {
    for (const a of [
      ...Object.values(s.equity),
      ...Object.values(s.returns),
      ...Object.values(s.drawdown),
      s.weights,
      s.rollingSharpe,
    ])
      out.push(a.buffer as ArrayBuffer);
  }
  return out;
}

const api = {
  async init(preference: BackendPref = 'auto'): Promise<BackendInfo> {
    if (backend && backend.requested === preference) return backend;
    backend = await initBackend(preference, { wasmPaths });
    return backend;
  },

  /** The user's own panel (data kind 'panel'); a copy is kept per worker. */
  setUserPanel(panel: Panel | null): void {
    userPanel = panel;
  },

  /** The base config with every key and default, and its sweepable keys (leaf paths). */
  async describe(base: unknown): Promise<{ resolved: ResolvedExperimentConfig; keys: string[] }> {
    const resolved = await resolveExperimentConfig(base);
    return { resolved, keys: leafPaths(resolved) };
  },

  /** Validates a spec against ExperimentConfig (keys exist, every point resolves); resolves with the run count or rejects naming the problem. */
  async validate(spec: unknown): Promise<number> {
    const { runs } = await validateSweep(parseSweepSpec(spec));
    return runs.length;
  },

  /** Runs one sweep run; progress is throttled by the run loop (≤ 10 per second). */
  async run(job: SweepRun, onProgress: (p: SweepJobProgress) => void): Promise<SweepRunOutcome> {
    if (control) throw new Error('a sweep run is already running in this worker');
    if (!backend) await api.init('auto');
    control = new RunControl();
    let evaluation: RunEvaluation | null = null;
    let last = 0;
    try {
      const result = await runSweepJob(job, provider, {
        control,
        backend: backend!.backend,
        onEvaluation: (ev) => (evaluation = ev),
        onProgress: (p) => {
          const now = performance.now();
          if (p.phase === 'training' && now - last < 200) return;
          last = now;
          onProgress(p);
        },
      });
      return Comlink.transfer({ result, evaluation }, transferables(evaluation));
    } finally {
      control = null;
    }
  },
  pause(): void {
    control?.pause();
  },
  resume(): void {
    control?.resume();
  },
  stop(): void {
    control?.stop();
  },
};

export type SweepWorkerApi = typeof api;
Comlink.expose(api);
