/**
 * runTraining: the one training loop behind the trainer worker and `lab train`. Environment-agnostic:
 * no DOM, no Node APIs, no timers of its own (the clock is injected), so it runs the same in a Web
 * Worker, in Node and in tests.
 *
 * Usage (worker or CLI):
 *
 *   const control = new RunControl();            // control.pause() / resume() / stop() from messages
 *   const result = await runTraining({
 *     algo: 'ppo', preset: 'standard', config: { seed: 1, totalSteps: 100_000 },
 *     makeEnv: (i) => new CartPoleEnv(),         // training env i (seeded seed + i by the vector env)
 *     makeEvalEnv: () => new CartPoleEnv(),      // optional: evaluated every evalEvery steps and at the end
 *     evalEvery: 20_000, evalEpisodes: 10,
 *     callbacks: {
 *       onMetrics: (rows) => post(rows),         // throttled: ≤ maxBatchesPerSecond batches per second
 *       onEval: (e) => post(e),                  // e.market.equity for market envs
 *       onCheckpoint: (ckpt, info) => save(ckpt),
 *       onStatus: (s) => post(s),
 *     },
 *     control,
 *   });
 *   result.learner.dispose();                    // the caller owns the trained learner
 *
 * The loop: resume from a checkpoint if given → per iteration: wait while paused, stop if asked,
 * collect + update (one Learner.iterate()), emit the iteration's metrics and finished episodes as
 * MetricRows keyed by global step, evaluate / checkpoint on schedule, yield to the event loop.
 * Errors never escape: a NaN/Inf loss ends the run with status 'failed', its message, and a
 * checkpoint of the last good weights (the bad update is never applied); any other error ends it
 * with status 'failed' and the message.
 */
import type { Action, Env } from '../envs/types.ts';
import type { CheckpointArtifacts } from '../agents/checkpoint.ts';
import { getAlgorithm, type Learner } from './algorithms.ts';
import { RunControl, yieldToEventLoop, type RunState } from './control.ts';
import { evaluatePolicy, type EvalResult } from '../experiment/evaluation.ts';
import { MetricThrottle, type MetricRow } from './metrics.ts';

export interface TrainingCallbacks {
  /** Batches of metric rows, throttled. */
  onMetrics?(batch: MetricRow[]): void;
  /** Every evaluation (periodic and final). */
  onEval?(result: EvalResult & { step: number; final: boolean }): void;
  /** Checkpoints: periodic, at the end, on stop, and after a non-finite loss (last good weights). */
  onCheckpoint?(
    checkpoint: CheckpointArtifacts,
    info: { step: number; reason: CheckpointReason },
  ): void | Promise<void>;
  /** State changes and progress. */
  onStatus?(status: TrainingStatus): void;
}

export type CheckpointReason = 'periodic' | 'final' | 'stopped' | 'non-finite';

export interface TrainingStatus {
  /** 'collecting': an offline learner collects its dataset (step / totalSteps count transitions). */
  state: RunState | 'collecting' | 'done' | 'failed';
  step: number;
  totalSteps: number;
  message?: string;
}

export interface TrainingOptions {
  algo: string;
  preset?: string;
  /** Config overrides (seed, totalSteps, numEnvs, network, …); unknown keys are an error. */
  config?: Record<string, unknown>;
  makeEnv: (index: number) => Env<Action>;
  /** Evaluation env (e.g. the validation split). */
  makeEvalEnv?: () => Env<Action>;
  /** Env steps between evaluations; 0 = only at the end. */
  evalEvery?: number;
  /** Episodes per evaluation. Default 10 (use 1 for a deterministic market split). */
  evalEpisodes?: number;
  /** Env steps between checkpoints; 0 = only at the end. */
  checkpointEvery?: number;
  /** Continue from this checkpoint (same algorithm and network). */
  resumeFrom?: CheckpointArtifacts;
  callbacks?: TrainingCallbacks;
  control?: RunControl;
  /** ms clock for throttling; default performance.now. */
  clock?: () => number;
  /** ≤ 10 metric batches per second by default. */
  maxBatchesPerSecond?: number;
  /** Keep every MetricRow in the result (CLI: learning.csv). Default false. */
  keepRows?: boolean;
}

export interface TrainingResult {
  status: 'completed' | 'stopped' | 'failed';
  /** Why it failed, in one clear sentence. */
  error?: string;
  globalStep: number;
  iterations: number;
  wallMs: number;
  episodes: number;
  /** Mean return of the last 20 training episodes (NaN when none finished). */
  recentReturn: number;
  finalEval?: EvalResult;
  /** Every row emitted, when keepRows. */
  rows?: MetricRow[];
  /** The trained learner; the caller disposes it. Null if construction failed. */
  learner: Learner | null;
}

export async function runTraining(opts: TrainingOptions): Promise<TrainingResult> {
  const clock = opts.clock ?? (() => performance.now());
  const cb = opts.callbacks ?? {};
  const control = opts.control ?? new RunControl();
  const rows: MetricRow[] | undefined = opts.keepRows ? [] : undefined;
  const throttle = new MetricThrottle(
    (batch) => cb.onMetrics?.(batch),
    clock,
    opts.maxBatchesPerSecond ?? 10,
  );
  const emit = (row: MetricRow) => {
    rows?.push(row);
    throttle.push(row);
  };
  const t0 = clock();
  let learner: Learner | null = null;
  let episodes = 0;
  const recent: number[] = [];
  let finalEval: EvalResult | undefined;
  const evalEnv = opts.makeEvalEnv?.();

  const status = (state: TrainingStatus['state'], message?: string) =>
    cb.onStatus?.({
      state,
      step: learner?.globalStep ?? 0,
      totalSteps: learner?.totalSteps ?? 0,
      ...(message ? { message } : {}),
    });
  const evaluate = async (final: boolean) => {
    if (!learner || !evalEnv) return;
    const res = await evaluatePolicy(learner, evalEnv, { episodes: opts.evalEpisodes ?? 10 });
    emit({ step: learner.globalStep, values: res.metrics });
    cb.onEval?.({ ...res, step: learner.globalStep, final });
    if (final) finalEval = res;
  };
  const checkpoint = async (reason: CheckpointReason) => {
    if (!learner || !cb.onCheckpoint) return;
    await cb.onCheckpoint(await learner.saveCheckpoint({ reason }), { step: learner.globalStep, reason });
  };
  const result = (s: TrainingResult['status'], error?: string): TrainingResult => {
    throttle.flush();
    const recentReturn = recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : NaN;
    return {
      status: s,
      ...(error ? { error } : {}),
      globalStep: learner?.globalStep ?? 0,
      iterations: learner?.iteration ?? 0,
      wallMs: clock() - t0,
      episodes,
      recentReturn,
      ...(finalEval ? { finalEval } : {}),
      ...(rows ? { rows } : {}),
      learner,
    };
  };

  try {
    learner = await getAlgorithm(opts.algo).create({
      config: opts.config,
      preset: opts.preset,
      makeEnv: opts.makeEnv,
      onProgress: (p) => cb.onStatus?.({ state: 'collecting', step: p.done, totalSteps: p.total }),
    });
    if (opts.resumeFrom) await learner.loadCheckpoint(opts.resumeFrom);
  } catch (e) {
    const message = errorMessage(e);
    status('failed', message);
    return result('failed', message);
  }

  const evalEvery = opts.evalEvery ?? 0;
  const ckptEvery = opts.checkpointEvery ?? 0;
  let nextEval = evalEvery > 0 ? learner.globalStep + evalEvery : Infinity;
  let nextCkpt = ckptEvery > 0 ? learner.globalStep + ckptEvery : Infinity;
  status('running');
  try {
    while (!learner.done) {
      if (control.current === 'paused') {
        throttle.flush();
        status('paused');
        await control.waitWhilePaused();
        if (!control.stopRequested) status('running');
      }
      if (control.stopRequested) {
        await checkpoint('stopped');
        status('stopping');
        return result('stopped');
      }
      const report = await learner.iterate();
      for (const ep of report.episodes) {
        episodes++;
        recent.push(ep.return);
        if (recent.length > 20) recent.shift();
        emit({
          step: ep.step,
          values: { 'charts/episodic_return': ep.return, 'charts/episodic_length': ep.length },
        });
      }
      emit({ step: report.globalStep, values: report.metrics });
      if (report.globalStep >= nextEval) {
        await evaluate(false);
        while (nextEval <= report.globalStep) nextEval += evalEvery;
      }
      if (report.globalStep >= nextCkpt) {
        await checkpoint('periodic');
        while (nextCkpt <= report.globalStep) nextCkpt += ckptEvery;
      }
      await yieldToEventLoop();
    }
    await evaluate(true);
    await checkpoint('final');
    status('done');
    return result('completed');
  } catch (e) {
    const message = errorMessage(e);
    if (e instanceof Error && e.name === 'NonFiniteLossError') {
      // The bad update was not applied: what the learner holds now is the last good state.
      try {
        await checkpoint('non-finite');
      } catch (inner) {
        status('failed', `${message} (saving the last good checkpoint failed too: ${errorMessage(inner)})`);
        return result('failed', message);
      }
    }
    status('failed', message);
    return result('failed', message);
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
