/** The `hierarchical` workflow through runWorkflow: its settings, the shapes of its sections, Stop, no leaked tensors. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../agents/backend.ts';
import { generateSynthetic } from '../data/synthetic.ts';
import { parseExperimentConfig } from '../experiment/config.ts';
import { unflatten } from '../experiment/vocabulary.ts';
import { RunControl } from '../run/control.ts';
import { getWorkflow, workflowValues } from '../workflows/registry.ts';
import { runWorkflow } from '../workflows/runners.ts';
import type {
  HierDiversityExtra,
  HierExpertsExtra,
  HierPeriodsExtra,
  HierRegimesExtra,
  HierUsageExtra,
} from './extras.ts';

const start = unflatten(getWorkflow('hierarchical').start) as { data: { config: Record<string, unknown> } };
const data = { kind: 'synthetic', config: { ...start.data.config, days: 500 } };
const tiny = {
  numEnvs: 2,
  routerEvery: 2,
  expertEvery: 1,
  totalSteps: 120,
  episodeLength: 40,
  batchSize: 16,
  lookback: 20,
};
const config = { ...start, data, workflow: 'hierarchical', seed: 2, hierarchical: tiny };
const panel = generateSynthetic(data.config).panel;

beforeAll(async () => {
  await initBackend('wasm');
});

describe('hierarchical workflow', () => {
  it('declares its settings once under hierarchical.*, with the seed’s defaults, and names a bad one by its path', () => {
    const w = getWorkflow('hierarchical');
    expect(w.fields!.every((f) => f.path.startsWith('hierarchical.'))).toBe(true);
    expect(new Set(w.fields!.map((f) => f.path)).size).toBe(w.fields!.length);
    const v = workflowValues({ workflow: 'hierarchical' });
    expect(v['hierarchical.miRewardWeight']).toBe(0.5);
    expect(v['hierarchical.klLambda']).toBe(0.1);
    expect(v['hierarchical.entCoef']).toBe(0.01);
    expect([
      v['hierarchical.routerEvery'],
      v['hierarchical.expertEvery'],
      v['hierarchical.populationEvery'],
    ]).toEqual([10, 5, 20]);
    expect(() => parseExperimentConfig({ workflow: 'hierarchical', hierarchical: { experts: 1 } })).toThrow(
      /hierarchical\.experts/,
    );
    expect(() => parseExperimentConfig({ workflow: 'hierarchical', hierarchical: { expert: 3 } })).toThrow(
      /hierarchical\.expert: not a setting/,
    );
  });

  it('fills the shared splits (agent, buy-and-hold, every expert) and its sections; tf.memory() back to where it was', async () => {
    const n0 = tf.memory().numTensors;
    const rows: number[] = [];
    const res = await runWorkflow(config, panel, {
      callbacks: { onMetrics: (b) => rows.push(...b.map((r) => r.step)) },
    });
    expect(res.status).toBe('completed');
    expect(tf.memory().numTensors).toBe(n0);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    const ev = res.evaluation!;
    expect(ev.splits.map((s) => s.split)).toEqual(['train', 'valid', 'test']);
    const K = 3;
    for (const s of ev.splits) {
      for (const key of ['agent', 'buy-and-hold', 'expert-0', 'expert-1', 'expert-2'])
        expect(s.equity[key].length, `${s.split} ${key}`).toBe(s.dates.length);
    }
    const usage = ev.extras!['hierarchical-usage'] as HierUsageExtra;
    const experts = ev.extras!['hierarchical-experts'] as HierExpertsExtra;
    const regimes = ev.extras!['hierarchical-regimes'] as HierRegimesExtra;
    const diversity = ev.extras!['hierarchical-diversity'] as HierDiversityExtra;
    expect(usage.regimes).toEqual(['trending', 'mean-reverting']);
    const u = usage.perSplit.test!;
    expect(u.expert.length).toBe(u.dates.length);
    expect(u.expert[0]).toBe(-1);
    expect(Array.from(u.expert.subarray(1)).every((e) => e >= 0 && e < K)).toBe(true);
    // The regime per day is the generator's planted schedule: quarters of 63 days from day 0.
    const dayOf = new Map(panel.dates.map((d, i) => [d, i]));
    u.dates.forEach((d, i) => expect(u.regime[i]).toBe(Math.floor(dayOf.get(d)! / 63) % 2));
    const e = experts.perSplit.test!;
    expect(e.equity.length).toBe(K);
    expect(e.usage.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    const r = regimes.perSplit.test!;
    expect(r.counts.length).toBe(2);
    expect(r.counts.flat().reduce((a, b) => a + b, 0)).toBe(Math.ceil((u.dates.length - 1) / 5)); // one decision every routerInterval = 5 days
    expect(r.mutualInformation).toBeGreaterThanOrEqual(0);
    expect(diversity.mapd.length).toBe(diversity.step.length);
    expect(diversity.target).toBe(0.25);
  }, 60_000);

  it("encoder 'timesnet': the router sees the FFT periods' amplitudes and the run reports the periods", async () => {
    const res = await runWorkflow({ ...config, hierarchical: { ...tiny, encoder: 'timesnet' } }, panel);
    const p = res.evaluation!.extras!['hierarchical-periods'] as HierPeriodsExtra;
    expect(p.window).toBe(tiny.lookback);
    expect(p.periods.length).toBe(3);
    expect(p.periods.every((x) => Number.isInteger(x) && x >= 1 && x <= tiny.lookback)).toBe(true);
    expect(p.amplitudes[0]).toBeGreaterThanOrEqual(p.amplitudes[2]);
  }, 60_000);

  it('Stop ends training before the first cycle and still evaluates', async () => {
    const control = new RunControl();
    control.stop();
    const res = await runWorkflow(config, panel, { control });
    expect(res.status).toBe('stopped');
    expect(res.steps).toBe(0);
    expect(res.evaluation!.splits.length).toBe(3);
  }, 60_000);
});
