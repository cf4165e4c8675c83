/**
 * The hierarchy population on a pool of lanes (pool.ts, what the lab's member workers run) against
 * the same population in this thread: lanes here are in-process HierLaneHosts behind a structured
 * clone both ways (what postMessage does to a worker's calls), one call at a time (one tfjs engine).
 * Same seed → same scores, copies, hyperparameters and best member for k = 2 and 3; the best member
 * restored from its snapshot scores what the population recorded; a stop reaches the lanes mid-round;
 * a lane's error is the run's error; every lane is disposed and no tensors are left behind.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../agents/backend.ts';
import type { CheckpointArtifacts } from '../agents/checkpoint.ts';
import { RunControl, type RunState } from '../run/control.ts';
import type { HierPbtExtra } from './extras.ts';
import {
  HierLaneHost,
  LaneExecutor,
  type HierLane,
  type HierLaneSpec,
  type HierMemberStats,
} from './pool.ts';
import type { RoundJob } from './population.ts';
import { trainHierPopulation, type HierPoolFactory } from './populationRun.ts';
import { runHierarchical } from './runner.ts';
import { tinyPopulation } from './testing.ts';
import { hierConfigOf } from './workflow.ts';

// One tfjs engine in this process: the lanes' calls take turns, as one worker's do.
let turn: Promise<unknown> = Promise.resolve();
function serial<T>(f: () => Promise<T>): Promise<T> {
  const p = turn.then(f);
  turn = p.catch(() => undefined);
  return p;
}

/** A lane as a worker would be: its own members, every argument and answer structured-cloned. */
class CloneLane implements HierLane {
  private readonly host: HierLaneHost;
  readonly ran = new Set<number>();
  readonly states: RunState[] = [];
  disposed = false;

  constructor(
    spec: HierLaneSpec,
    private readonly hooks: { onRound?(round: number): void } = {},
  ) {
    this.host = new HierLaneHost(structuredClone(spec));
  }

  snapshots(round: number, members: number[]): Promise<Map<number, CheckpointArtifacts>> {
    return serial(async () => structuredClone(await this.host.snapshots(round, structuredClone(members))));
  }

  runRound(round: number, jobs: RoundJob[]): Promise<number[]> {
    this.hooks.onRound?.(round);
    for (const j of jobs) this.ran.add(j.member);
    return serial(async () => structuredClone(await this.host.runRound(round, structuredClone(jobs))));
  }

  stats(member: number): Promise<HierMemberStats> {
    return serial(async () => structuredClone(await this.host.stats(member)));
  }

  setState(state: RunState): void {
    this.states.push(state);
    this.host.setState(state);
  }

  dispose(): Promise<void> {
    return serial(async () => {
      this.disposed = true;
      this.host.dispose();
    });
  }
}

function pool(k: number, hooks: { onRound?(round: number): void } = {}) {
  const lanes: CloneLane[] = [];
  const factory: HierPoolFactory = (spec) => {
    expect(spec.members).toBe(4);
    for (let i = 0; i < k; i++) lanes.push(new CloneLane(spec, hooks));
    return new LaneExecutor(lanes);
  };
  return { lanes, factory };
}

const noPerf = (rows: { step: number; values: Record<string, number> }[] | undefined) =>
  (rows ?? []).map((r) => ({
    step: r.step,
    values: Object.fromEntries(Object.entries(r.values).filter(([k]) => !k.startsWith('perf/'))),
  }));

describe('hierarchy population on a pool of lanes (member m in lane m mod k)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('gives the same population and best member as this thread for k = 2 and k = 3', async () => {
    const { panel, config } = tinyPopulation();
    const before = tf.memory().numTensors;
    const local = await runHierarchical(config, panel, { keepRows: true });
    expect(local.status).toBe('completed');
    const localPbt = local.evaluation!.extras!['hierarchical-pbt'] as HierPbtExtra;
    expect(localPbt.workers).toBeUndefined();
    for (const k of [2, 3]) {
      const { lanes, factory } = pool(k);
      const res = await runHierarchical(config, panel, { keepRows: true, populationPool: factory });
      expect(res.status, res.error).toBe('completed');
      const pbt = res.evaluation!.extras!['hierarchical-pbt'] as HierPbtExtra;
      expect(pbt.workers).toBe(k);
      expect(res.notes).toContain(`population: 4 members on ${k} member workers`);
      // Scores, copies and hyperparameters of every member in every round, bit for bit.
      expect(pbt.rounds).toEqual(localPbt.rounds);
      expect(noPerf(res.rows)).toEqual(noPerf(local.rows));
      // The best member, restored in this thread, evaluates as the live one did.
      expect(res.steps).toBe(local.steps);
      expect(res.episodes).toBe(local.episodes);
      for (const [i, s] of res.evaluation!.splits.entries())
        expect(s.metrics.agent).toEqual(local.evaluation!.splits[i].metrics.agent);
      lanes.forEach((l, i) => {
        expect([...l.ran].sort()).toEqual([0, 1, 2, 3].filter((m) => m % k === i));
        expect(l.disposed).toBe(true);
      });
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('restores the best member from its snapshot and it scores what the population recorded', async () => {
    const { panel, config } = tinyPopulation();
    const { factory } = pool(2);
    const res = await trainHierPopulation(config, panel, hierConfigOf(config), 3, {
      populationPool: factory,
    });
    try {
      const last = Math.max(...res.extra.rounds.map((r) => r.round));
      const final = res.extra.rounds.filter((r) => r.round === last);
      const best = final.reduce((a, b) => (b.score > a.score ? b : a));
      expect(Number.isFinite(best.score)).toBe(true);
      expect(res.restoredScore).toBe(best.score);
      expect(res.hierarchy.envSteps).toBe(160);
    } finally {
      res.hierarchy.dispose();
    }
  }, 60_000);

  it('a stop during a round reaches every lane before it trains, and the pool is disposed', async () => {
    const { panel, config } = tinyPopulation();
    const control = new RunControl();
    // The stop comes as the lanes get round 0's jobs: the mirror must pass it on at once.
    const { lanes, factory } = pool(2, { onRound: () => control.stop() });
    const res = await runHierarchical(config, panel, { control, populationPool: factory });
    expect(res.status).toBe('stopped');
    for (const l of lanes) {
      expect(l.states).toEqual(['stopping']);
      expect(l.disposed).toBe(true);
    }
    const pbt = res.evaluation!.extras!['hierarchical-pbt'] as HierPbtExtra;
    expect(pbt.rounds).toHaveLength(4);
    // Nobody trained its 80 steps of the round.
    expect(res.steps).toBeLessThan(80);
  }, 60_000);

  it('a stop before the first round ends the population with its member 0 untrained, evaluated here', async () => {
    const { panel, config } = tinyPopulation();
    const control = new RunControl();
    control.stop();
    const { lanes, factory } = pool(2);
    const res = await runHierarchical(config, panel, { control, populationPool: factory });
    expect(res.status, res.error).toBe('stopped');
    expect(res.steps).toBe(0);
    expect(res.evaluation!.splits.length).toBeGreaterThan(0);
    expect((res.evaluation!.extras!['hierarchical-pbt'] as HierPbtExtra).rounds).toHaveLength(0);
    for (const l of lanes) {
      expect(l.ran.size).toBe(0);
      expect(l.disposed).toBe(true);
    }
  }, 60_000);

  it('a lane’s error is the run’s error, and every lane is still disposed', async () => {
    const { panel, config } = tinyPopulation();
    const before = tf.memory().numTensors;
    const { lanes, factory } = pool(2, {
      onRound: (round) => {
        if (round === 1) throw new Error('member worker 1: out of memory');
      },
    });
    const res = await runHierarchical(config, panel, { populationPool: factory });
    expect(res.status).toBe('failed');
    expect(res.error).toBe('member worker 1: out of memory');
    expect(res.evaluation).toBeNull();
    for (const l of lanes) expect(l.disposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});
