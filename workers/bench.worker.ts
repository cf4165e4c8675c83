/**
 * The bench worker: a thin comlink face over core's training benchmark (src/core/bench/train.ts, the
 * same code `lab bench train` runs in Node), for the bench page (src/bench/). One backend per worker:
 * tfjs keeps its backend for the life of the worker, so the page starts a fresh worker per run.
 */
import * as Comlink from 'comlink';
import { initBackend, type BackendInfo } from '../src/core/agents/backend.ts';
import {
  makeQtmrlAgent,
  measureForwardOverhead,
  measureTraining,
  qtmrlFeatures,
  type BenchAlgo,
  type Figures,
} from '../src/core/bench/train.ts';
import { checkResidentMarket } from '../src/core/bench/resident.ts';
import { checkWasmBatchMatMul, wasmBatchMatMulReady } from '../src/core/agents/nets/wasmBatchMatMul.ts';
import { wasmPaths } from './wasmAssets.ts';

export interface BenchRequest {
  backend: 'wasm' | 'webgpu' | 'cpu';
  /**
   * 'train': throughput of each algorithm (plus forward overhead); 'forward': forward overhead only;
   * 'resident': the resident-market correctness check (core/bench/resident.ts) on this backend.
   */
  suite?: 'train' | 'forward' | 'resident';
  algos?: readonly BenchAlgo[];
  /** Timed iterations for A2C (PPO gets half, at least one). Default 3. */
  iterations?: number;
  /** One untimed iteration per algorithm first. Default true. */
  warmup?: boolean;
  /** Override of the rollout length (QTMRL: 50) for very slow backends; reported as `<algo>_batch`. */
  numSteps?: number;
  /** Batch sizes of the forward-overhead figure. Default [1, 8, 16]. */
  forwardBatches?: readonly number[];
  forwardReps?: number;
  /** wasm: XNNPACK threads when cross-origin isolated (default: every core, see initBackend). */
  threads?: number;
  /** A2C: also time the update's forward pass on its own (update = forward + backward + Adam). Default true. */
  updateSplit?: boolean;
  /** TimeCNN width (default: the network's own, 64): to measure a smaller encoder. */
  dModel?: number;
}

export interface BenchResult {
  backend: BackendInfo;
  figures: Figures;
  /** Wall time of the whole run in the worker, ms. */
  totalMs: number;
}

const api = {
  /**
   * Initialises `backend` (reporting the one really in use, never silently another), then runs the
   * requested measurements. `onFigures` receives the figures gathered so far after each part, so a
   * page that gives up on a slow backend still has something to report.
   */
  async run(req: BenchRequest, onFigures?: (partial: BenchResult) => void): Promise<BenchResult> {
    const t0 = performance.now();
    const backend = await initBackend(req.backend, {
      wasmPaths,
      ...(req.threads ? { numThreads: req.threads } : {}),
    });
    const figures: Figures = {};
    const report = (): BenchResult => ({ backend, figures: { ...figures }, totalMs: performance.now() - t0 });
    onFigures?.(report());
    if (backend.backend !== req.backend) return report();
    // 1 when the attention's batched products run on the SIMD kernel (wasmBatchMatMul.ts), not tfjs's loop.
    // …and its largest difference from tfjs's own BatchMatMul here (the unit tests run in Node only).
    if (backend.backend === 'wasm') {
      figures.wasm_batch_matmul_simd = wasmBatchMatMulReady() ? 1 : 0;
      figures.wasm_batch_matmul_max_err = checkWasmBatchMatMul();
    }
    if (req.suite === 'resident') {
      Object.assign(figures, await checkResidentMarket(req.iterations ?? 2));
      return report();
    }
    const tf0 = performance.now();
    qtmrlFeatures();
    figures.features_build_ms = performance.now() - tf0;
    // Forward overhead first: on a slow backend it is the figure most likely to finish in time.
    const network = { encoder: 'timecnn' as const, ...(req.dModel ? { dModel: req.dModel } : {}) };
    const agent = makeQtmrlAgent({ algo: 'a2c', network });
    try {
      const fwd = await measureForwardOverhead(agent.policy, {
        batches: req.forwardBatches ?? [1, 8, 16],
        reps: req.forwardReps ?? 20,
      });
      for (const [k, v] of Object.entries(fwd)) figures[`forward_${k}`] = v;
    } finally {
      agent.dispose();
    }
    onFigures?.(report());
    if (req.suite === 'forward') return report();
    const iterations = req.iterations ?? 3;
    for (const algo of req.algos ?? (['a2c', 'ppo'] as const)) {
      const f = await measureTraining({
        algo,
        iterations: algo === 'a2c' ? iterations : Math.max(1, Math.floor(iterations / 2)),
        warmup: req.warmup ?? true,
        numSteps: req.numSteps,
        network,
        updateSplit: algo === 'a2c' && req.updateSplit !== false,
      });
      for (const [k, v] of Object.entries(f)) figures[`${algo}_${k}`] = v;
      onFigures?.(report());
    }
    return report();
  },
};

export type BenchApi = typeof api;
Comlink.expose(api);
