/**
 * The hierarchical workflow's population branch (hierarchical.pbtMembers > 0) through the lab's
 * runner, on a tiny synthetic two-regime market: the population's record in extras, the best member
 * evaluated as a single run is, and no tensors left behind by the members that were not kept.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../agents/backend.ts';
import { RunControl } from '../run/control.ts';
import { DEFAULT_HIER } from './config.ts';
import type { HierPbtExtra } from './extras.ts';
import { HIER_PBT_HYPERPARAMETERS } from './member.ts';
import { HIER_PBT_SEARCH } from './population.ts';
import { hierPopulationConfig, pbtFrequencies } from './populationRun.ts';
import { runHierarchical } from './runner.ts';
import { tinyPopulation } from './testing.ts';

describe('population sizes of hierarchical.pbtMembers', () => {
  it('maps sizes to sub-populations and refuses the others, naming the field', () => {
    expect(pbtFrequencies(4)).toEqual([1]);
    expect(pbtFrequencies(8)).toEqual([1, 10]);
    expect(pbtFrequencies(12)).toEqual([1, 10, 25]);
    expect(pbtFrequencies(16)).toEqual([1, 10, 25, 50]);
    expect(pbtFrequencies(32)).toEqual([1, 10, 25, 50]);
    expect(() => pbtFrequencies(6)).toThrow(/hierarchical\.pbtMembers: 6 members do not split/);
    expect(() => pbtFrequencies(20)).toThrow(/hierarchical\.pbtMembers: 20/);
  });

  it('a round is one population cycle; rounds cover totalSteps; the searched paths are the member’s', () => {
    const p = hierPopulationConfig({ ...DEFAULT_HIER, pbtMembers: 16 }, 5);
    expect(p.tReady).toBe(20 * 5 * 8);
    expect(p.rounds).toBe(Math.round(DEFAULT_HIER.totalSteps / 800));
    expect(p.seed).toBe(5);
    for (const h of HIER_PBT_SEARCH) expect(HIER_PBT_HYPERPARAMETERS as readonly string[]).toContain(h.name);
  });
});

describe('runHierarchical with hierarchical.pbtMembers = 4', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('trains a population, evaluates its best member and records the population in extras', async () => {
    const { panel, config } = tinyPopulation();
    const before = tf.memory().numTensors;
    const res = await runHierarchical(config, panel, { keepRows: true });
    expect(res.status).toBe('completed');
    // Every member's tensors are gone: the runner disposed the best, the branch the others.
    expect(tf.memory().numTensors).toBe(before);
    const pbt = res.evaluation!.extras!['hierarchical-pbt'] as HierPbtExtra;
    expect(pbt.hyperparameters).toEqual(HIER_PBT_SEARCH.map((h) => h.name));
    expect(pbt.members).toHaveLength(4);
    // 160 steps in rounds of one cycle (8 decisions × 5 days × 2 envs = 80 steps): 2 rounds.
    expect(pbt.rounds).toHaveLength(2 * 4);
    expect(pbt.rounds.filter((r) => r.round === 1).every((r) => r.parentNetwork === r.member)).toBe(true);
    // Round 0's bottom member copied round 0's best.
    const r0 = pbt.rounds.filter((r) => r.round === 0);
    const order = [...r0].sort(
      (a, b) => (Number.isNaN(b.score) ? -Infinity : b.score) - (Number.isNaN(a.score) ? -Infinity : a.score),
    );
    expect(order[3].parentNetwork).toBe(order[0].member);
    expect(res.rows?.map((r) => r.step)).toEqual([80, 160]);
    expect(res.evaluation!.splits.map((s) => s.split)).toContain('valid');
    expect(res.evaluation!.extras!['hierarchical-usage']).toBeDefined();
  }, 120_000);

  it('Stop ends the population after the current round and still evaluates its best member', async () => {
    const { panel, config } = tinyPopulation();
    const control = new RunControl();
    const res = await runHierarchical(config, panel, {
      control,
      callbacks: { onMetrics: () => control.stop() },
    });
    expect(res.status).toBe('stopped');
    const pbt = res.evaluation!.extras!['hierarchical-pbt'] as HierPbtExtra;
    expect(pbt.rounds).toHaveLength(4);
    expect(pbt.rounds.every((r) => r.parentNetwork === r.member)).toBe(true);
    expect(res.evaluation!.splits.length).toBeGreaterThan(0);
  }, 120_000);
});
