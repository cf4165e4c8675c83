/**
 * The lab's supplychain runner: the same scores as core's tournament for the same seed, the result
 * sections' shapes (full logs for the replay configuration only), Stop between worlds, errors naming
 * the setting, and train-hrl mode (BC → PPO, then the trained agent in a held-out tournament).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../agents/backend.ts';
import { RunControl } from '../run/control.ts';
import { flattenEvaluation } from '../sweeps/job.ts';
import { runWorkflow } from '../workflows/runners.ts';
import { workflowSettingsError } from '../workflows/registry.ts';
import type {
  BalanceExtra,
  GoalsExtra,
  HealthExtra,
  NegotiationExtra,
  PricesExtra,
  ScoresExtra,
} from './extras.ts';
import { HELD_OUT_OFFSET } from './runner.ts';
import { runWorld, summarizeScores, tournamentRuns, type Row, type TournamentSpec } from './tournament.ts';
import { emptyPanel } from '../data/types.ts';

const panel = emptyPanel();

const builtinsOnly = { penguin: true, greedy: true, syncrandom: false, random: true, hrl: false };

function config(supplychain: Record<string, unknown>) {
  return { workflow: 'supplychain', supplychain };
}

describe('supplychain runner (core/workflows/runners.ts)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('scores match core tournament.ts for the same seed; sections have their shapes', async () => {
    const settings = { agents: builtinsOnly, worlds: 2, seed: 5, days: 30, processes: 2, replayConfig: 1 };
    const steps: number[] = [];
    const keys = new Set<string>();
    const res = await runWorkflow(config(settings), panel, {
      callbacks: {
        onMetrics: (rows) =>
          rows.forEach((r) => {
            steps.push(r.step);
            Object.keys(r.values).forEach((k) => keys.add(k));
          }),
      },
    });
    expect(res.status).toBe('completed');
    expect(res.evaluation?.splits).toEqual([]);
    // 2 configurations × 3 rotations, one metric row per world keyed by worlds done.
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    expect(keys).toContain('charts/mean_score/penguin');

    const spec: TournamentSpec = {
      agents: ['penguin', 'greedy', 'random'],
      configs: 2,
      seed: 5,
      configOptions: { nSteps: 30, nProcesses: 2 },
    };
    const rows: Row[] = [];
    for (const run of tournamentRuns(spec))
      rows.push(...runWorld(spec, run, { negotiations: false, daily: false }).scores);
    const expected = summarizeScores(rows);
    const ex = res.evaluation!.extras!;
    const scores = ex['supplychain-scores'] as ScoresExtra;
    expect(scores.worldsDone).toBe(6);
    expect(scores.stats.map((s) => s.agentType)).toEqual(expected.map((s) => s.agentType));
    scores.stats.forEach((s, i) => {
      expect(s.mean).toBeCloseTo(expected[i].mean, 12);
      expect(s.truncatedMean).toBeCloseTo(expected[i].truncatedMean, 12);
      expect(s.min).toBeLessThanOrEqual(s.q1);
      expect(s.q1).toBeLessThanOrEqual(s.median);
      expect(s.median).toBeLessThanOrEqual(s.q3);
      expect(s.q3).toBeLessThanOrEqual(s.max);
    });
    const health = ex['supplychain-health'] as HealthExtra;
    expect(health.rows.map((r) => r.factories)).toEqual(expected.map((s) => s.n));
    // The run-level summary a sweep tabulates (flattenEvaluation) carries the same scores.
    const flat = flattenEvaluation(res.evaluation!);
    for (const t of expected) {
      expect(flat[`score/${t.agentType}`]).toBeCloseTo(t.mean, 12);
      expect(flat[`bankrupt_rate/${t.agentType}`]).toBe(t.bankruptRate);
    }

    // Full logs only for configuration 1's three rotations (world runs 3, 4, 5).
    const balance = ex['supplychain-balance'] as BalanceExtra;
    expect(balance.worlds.map((w) => w.index)).toEqual([3, 4, 5]);
    const w0 = balance.worlds[0];
    expect(w0.balance.length).toBe(w0.agents.length * 30);
    expect(w0.balance.every(Number.isFinite)).toBe(true);
    const neg = (ex['supplychain-negotiation'] as NegotiationExtra).worlds[0];
    const nSeg = neg.segDay.length;
    expect(neg.segStart.length).toBe(nSeg + 1);
    expect(neg.segStart[nSeg]).toBe(neg.price.length);
    for (let s = 0; s < nSeg; s++) {
      // Each thread-day's offers are contiguous and in round order; the seller is on the lower level.
      for (let i = neg.segStart[s]; i < neg.segStart[s + 1]; i++) {
        expect([neg.segSeller[s], neg.segBuyer[s]]).toContain(neg.proposer[i]);
        if (i > neg.segStart[s]) {
          expect(neg.round[i]).toBeGreaterThanOrEqual(neg.round[i - 1]);
          // Alternating offers: a counter-offer comes from the other side.
          expect(neg.proposer[i]).not.toBe(neg.proposer[i - 1]);
        }
      }
      expect(neg.agents[neg.segSeller[s]].level).toBe(neg.agents[neg.segBuyer[s]].level - 1);
    }
    const prices = (ex['supplychain-prices'] as PricesExtra).worlds[0];
    expect(prices.tradingPrice.length).toBe(3 * 30);
    // Agreed prices lie inside the day's range around the trading price of the day before.
    for (let d = 1; d < 30; d++) {
      const p = prices.contractPrice[30 + d];
      if (Number.isNaN(p)) continue;
      const tp = prices.tradingPrice[30 + d - 1];
      expect(p).toBeGreaterThanOrEqual(Math.floor(0.9 * tp) - 1e-9);
      expect(p).toBeLessThanOrEqual(Math.floor(1.1 * tp) + 1e-9);
    }
    const goals = ex['supplychain-goals'] as GoalsExtra;
    expect(goals.played).toBe(false);
    expect(goals.message).toMatch(/No LitaAgent-HRL/);
  });

  it('records the HRL agent’s goals beside what it executed', async () => {
    const res = await runWorkflow(
      config({ agents: { ...builtinsOnly, hrl: true, greedy: false, random: false }, worlds: 1, days: 25 }),
      panel,
    );
    const goals = res.evaluation!.extras!['supplychain-goals'] as GoalsExtra;
    expect(goals.played).toBe(true);
    expect(goals.worlds).toHaveLength(2);
    const w = goals.worlds[0];
    expect(w.hrl.length).toBeGreaterThan(0);
    expect(w.goal.length).toBe(w.hrl.length * 25 * 4);
    const day1 = w.goal.subarray(4, 8);
    expect(Number.isFinite(day1[0])).toBe(true);
    expect(goals.summary[0].agentType).toBe('lita:l1');
    expect(goals.summary[0].days).toBeGreaterThan(0);
    expect(goals.summary[0].doneSell).toBeGreaterThanOrEqual(0);
  });

  it('stops between worlds with the worlds played so far', async () => {
    const control = new RunControl();
    const res = await runWorkflow(
      config({ agents: builtinsOnly, worlds: 3, days: 20, processes: 2, replayConfig: 0 }),
      panel,
      { control, callbacks: { onMetrics: (rows) => rows[0].step === 2 && control.stop() } },
    );
    expect(res.status).toBe('stopped');
    const scores = res.evaluation!.extras!['supplychain-scores'] as ScoresExtra;
    expect(scores.worldsDone).toBe(2);
    expect(scores.worldsTotal).toBe(9);
    expect(scores.stats.reduce((n, s) => n + s.n, 0)).toBeGreaterThan(0);
  });

  it('names the setting that is wrong', async () => {
    await expect(runWorkflow(config({ worlds: 2, replayConfig: 2 }), panel)).rejects.toThrow(
      /supplychain\.replayConfig/,
    );
    expect(workflowSettingsError(config({ worlds: 0 }))).toMatch(/supplychain\.worlds/);
    expect(workflowSettingsError(config({ mode: 'league' }))).toMatch(/supplychain\.mode/);
  });

  it('train-hrl: trains L2 (BC, PPO) and plays it on held-out seeds', async () => {
    const res = await runWorkflow(
      config({
        mode: 'train-hrl',
        agents: { ...builtinsOnly, greedy: false, random: false },
        worlds: 1,
        days: 20,
        processes: 2,
        trainWorlds: 1,
        bcEpochs: 2,
        ppoSteps: 512,
        ppoDays: 20,
        l3Epochs: 0,
        microIters: 0,
      }),
      panel,
    );
    expect(res.status).toBe('completed');
    const scores = res.evaluation!.extras!['supplychain-scores'] as ScoresExtra;
    expect(scores.seed).toBe(HELD_OUT_OFFSET);
    expect(scores.agents).toEqual(['lita:ppo', 'lita:bc', 'penguin']);
    expect(scores.training?.ppoSteps).toBe(512);
    expect(scores.training?.samples).toBeGreaterThan(0);
    expect(scores.training?.micro).toBeUndefined();
    const goals = res.evaluation!.extras!['supplychain-goals'] as GoalsExtra;
    expect(goals.summary.map((s) => s.agentType)).toEqual(['lita:ppo', 'lita:bc']);
  }, 60_000);

  it('train-hrl with L3/L4: residuals pretrained, MAPPO iterations on the live chart, lita:full plays first', async () => {
    const seen: number[] = [];
    const res = await runWorkflow(
      config({
        mode: 'train-hrl',
        agents: { ...builtinsOnly, greedy: false, random: false },
        worlds: 1,
        days: 20,
        processes: 2,
        trainWorlds: 1,
        bcEpochs: 2,
        ppoSteps: 0,
        l3Epochs: 1,
        microIters: 2,
        ablations: false,
      }),
      panel,
      { callbacks: { onMetrics: (rows) => rows.forEach((r) => seen.push(r.step)) } },
    );
    expect(res.status).toBe('completed');
    const scores = res.evaluation!.extras!['supplychain-scores'] as ScoresExtra;
    // Without PPO the clone is L2 (lita:bc plays as the goal layer of lita:full).
    expect(scores.agents).toEqual(['lita:full', 'lita:bc', 'penguin']);
    const micro = scores.training?.micro;
    expect(micro?.iterations).toBe(2);
    expect(micro?.samples).toBeGreaterThan(0);
    expect(micro?.l3ValLoss).toBeLessThan(micro!.l3ValLossZero);
    expect(Number.isFinite(micro?.pairedGain)).toBe(true);
    // Two MAPPO iterations, then one row per held-out world (3: one configuration × 3 rotations), on one
    // increasing global step.
    expect(seen.length).toBe(5);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]);
    expect(scores.stats.find((t) => t.agentType === 'lita:full')?.n).toBeGreaterThan(0);
  }, 90_000);
});
