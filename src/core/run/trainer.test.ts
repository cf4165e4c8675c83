import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../agents/backend.ts';
import { CartPoleEnv } from '../envs/cartpole.ts';
import { ContextualBanditEnv } from '../envs/bandit.ts';
import type { Info, StepResult } from '../envs/types.ts';
import type { CheckpointArtifacts } from '../agents/checkpoint.ts';
import { RunControl } from './control.ts';
import { MetricThrottle, metricKeys, metricRowsToCsv, type MetricRow } from './metrics.ts';
import { runTraining, type TrainingStatus } from './trainer.ts';
import { algorithmNames, getAlgorithm, resolveConfig } from './algorithms.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const small = { numEnvs: 4, numSteps: 16, totalSteps: 64 * 6 };

describe('MetricThrottle', () => {
  it('emits at most maxPerSecond batches per second of the injected clock, and flushes the rest', () => {
    let now = 0;
    const batches: MetricRow[][] = [];
    const t = new MetricThrottle(
      (b) => batches.push(b),
      () => now,
      10,
    );
    for (let i = 0; i < 1000; i++) {
      now = i; // 1 ms apart: 1 s of pushes
      t.push({ step: i, values: { 'perf/sps': i } });
    }
    expect(batches.length).toBeLessThanOrEqual(11);
    t.flush();
    expect(batches.flat().map((r) => r.step)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});

describe('metric schema', () => {
  it('documents every key the agents emit', async () => {
    const res = await runTraining({
      algo: 'ppo',
      config: small,
      makeEnv: () => new CartPoleEnv(),
      keepRows: true,
    });
    const keys = new Set(res.rows!.flatMap((r) => Object.keys(r.values)));
    for (const k of keys) expect(Object.keys(metricKeys), k).toContain(k);
    for (const k of [
      'losses/policy',
      'losses/value',
      'losses/entropy',
      'losses/approx_kl',
      'losses/clipfrac',
      'charts/episodic_return',
      'charts/learning_rate',
      'perf/sps',
    ])
      expect(keys, k).toContain(k);
    res.learner?.dispose();
  });

  it('writes learning.csv with a step column and empty cells for absent keys', () => {
    const csv = metricRowsToCsv([
      { step: 8, values: { 'charts/episodic_return': 12 } },
      { step: 16, values: { 'losses/policy': -0.5, 'perf/sps': NaN } },
    ]);
    expect(csv).toBe('step,losses/policy,charts/episodic_return,perf/sps\n8,,12,\n16,-0.5,,NaN\n');
  });
});

describe('runTraining', () => {
  it('trains, reports throttled metrics keyed by global step, evaluates on schedule and at the end, checkpoints', async () => {
    const batches: MetricRow[][] = [];
    const evals: { step: number; final: boolean }[] = [];
    const ckpts: string[] = [];
    const statuses: string[] = [];
    const res = await runTraining({
      algo: 'a2c',
      config: { numEnvs: 4, numSteps: 5, totalSteps: 400, learningRate: 3e-3 },
      makeEnv: () => new ContextualBanditEnv(),
      makeEvalEnv: () => new ContextualBanditEnv(),
      evalEvery: 100,
      evalEpisodes: 5,
      checkpointEvery: 200,
      callbacks: {
        onMetrics: (b) => batches.push(b),
        onEval: (e) => evals.push({ step: e.step, final: e.final }),
        onCheckpoint: (_c, info) => void ckpts.push(`${info.reason}@${info.step}`),
        onStatus: (s) => statuses.push(s.state),
      },
    });
    expect(res.status).toBe('completed');
    expect(res.globalStep).toBe(400);
    expect(res.episodes).toBe(400); // one-step episodes
    const rows = batches.flat();
    expect(rows.filter((r) => 'losses/policy' in r.values).map((r) => r.step)).toEqual(
      Array.from({ length: 20 }, (_, i) => 20 * (i + 1)),
    );
    expect(evals).toEqual([
      ...[100, 200, 300, 400].map((step) => ({ step, final: false })),
      { step: 400, final: true },
    ]);
    expect(rows.some((r) => 'eval/mean_return' in r.values)).toBe(true);
    expect(ckpts).toEqual(['periodic@200', 'periodic@400', 'final@400']);
    expect(statuses[0]).toBe('running');
    expect(statuses.at(-1)).toBe('done');
    expect(res.finalEval!.returns).toHaveLength(5);
    res.learner?.dispose();
  });

  it('pauses, resumes and stops cooperatively between updates (a stopped run saves a checkpoint)', async () => {
    const control = new RunControl();
    const statuses: TrainingStatus[] = [];
    let stepAtPause = -1;
    let ckptReason = '';
    const run = runTraining({
      algo: 'ppo',
      config: { ...small, totalSteps: 1_000_000 },
      makeEnv: () => new CartPoleEnv(),
      control,
      callbacks: {
        onStatus: (s) => {
          statuses.push(s);
          if (s.state === 'paused') stepAtPause = s.step;
        },
        onCheckpoint: (_c, info) => void (ckptReason = info.reason),
      },
    });
    // Let it run a little, then pause: the loop yields each update, so the timer gets through.
    await new Promise((r) => setTimeout(r, 300));
    control.pause();
    await new Promise((r) => setTimeout(r, 300));
    expect(statuses.at(-1)!.state).toBe('paused');
    const paused = statuses.at(-1)!.step;
    await new Promise((r) => setTimeout(r, 200));
    expect(statuses.at(-1)!.step).toBe(paused); // no progress while paused
    control.resume();
    await new Promise((r) => setTimeout(r, 200));
    control.stop();
    const res = await run;
    expect(res.status).toBe('stopped');
    expect(stepAtPause).toBeGreaterThan(0);
    expect(res.globalStep).toBeGreaterThan(stepAtPause);
    expect(res.globalStep).toBeLessThan(1_000_000);
    expect(ckptReason).toBe('stopped');
    res.learner?.dispose();
  });

  it('a NaN loss stops the run with a clear message and hands over the last good checkpoint', async () => {
    class NaNAfter extends CartPoleEnv {
      steps = 0;
      override step(a: number): StepResult<Info> {
        const r = super.step(a);
        return ++this.steps > 100 ? { ...r, reward: NaN } : r;
      }
    }
    let saved: { ckpt: CheckpointArtifacts; reason: string } | null = null;
    const res = await runTraining({
      algo: 'a2c',
      config: { numEnvs: 2, numSteps: 5, totalSteps: 10_000 },
      makeEnv: () => new NaNAfter(),
      callbacks: { onCheckpoint: (ckpt, info) => void (saved = { ckpt, reason: info.reason }) },
    });
    expect(res.status).toBe('failed');
    // Each of the 2 envs turns NaN after its 100th step: global step 200, the 21st update.
    expect(res.error).toMatch(
      /A2C: non-finite .* at global step 200 \(update 21\); the update was not applied/,
    );
    expect(saved!.reason).toBe('non-finite');
    expect(saved!.ckpt.modelTopology.meta.globalStep).toBe(200);
    res.learner?.dispose();
  });

  it('never throws: unknown algorithms and config keys come back as a failed run with the reason', async () => {
    const bad = await runTraining({ algo: 'dqn', makeEnv: () => new CartPoleEnv() });
    expect(bad.status).toBe('failed');
    expect(bad.error).toMatch(/unknown algorithm 'dqn' \(known: a2c, ppo/);
    const typo = await runTraining({
      algo: 'ppo',
      config: { learningrate: 1 },
      makeEnv: () => new CartPoleEnv(),
    });
    expect(typo.error).toMatch(/unknown ppo config key 'learningrate' \(known: seed, totalSteps/);
  });

  it('resumes from a checkpoint and continues the step count', async () => {
    let ckpt: CheckpointArtifacts | null = null;
    const first = await runTraining({
      algo: 'ppo',
      config: { ...small, totalSteps: 64 * 3 },
      makeEnv: () => new CartPoleEnv(),
      callbacks: { onCheckpoint: (c) => void (ckpt = c) },
    });
    first.learner?.dispose();
    const second = await runTraining({
      algo: 'ppo',
      config: { ...small, totalSteps: 64 * 5 },
      makeEnv: () => new CartPoleEnv(),
      resumeFrom: ckpt!,
      keepRows: true,
    });
    expect(second.status).toBe('completed');
    expect(second.rows!.filter((r) => 'losses/policy' in r.values).map((r) => r.step)).toEqual([256, 320]);
    second.learner?.dispose();
  });
});

describe('algorithm registry', () => {
  it('lists a2c and ppo with their presets and defaults', async () => {
    expect(algorithmNames()).toEqual(expect.arrayContaining(['a2c', 'ppo']));
    expect(getAlgorithm('a2c').presets).toEqual(['standard', 'qtmrl']);
    expect((await getAlgorithm('a2c').defaults('qtmrl')).gamma).toBe(0.96);
    expect(() => resolveConfig('x', { a: 1 }, { b: 2 })).toThrow(/unknown x config key 'b' \(known: a\)/);
  });
});
