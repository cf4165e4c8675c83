/** The lab's kol runner: settings under `kol`, the shared evaluation shape, the workflow's extras, Stop. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../agents/backend.ts';
import { generateSynthetic } from '../data/synthetic.ts';
import {
  resolveExperimentConfig,
  type DataSourceConfig,
  type ExperimentConfigInput,
} from '../experiment/config.ts';
import { loadExperimentPanel } from '../experiment/data.ts';
import { cachedPanelProvider, runSweepJob } from '../sweeps/job.ts';
import { getSweepPreset } from '../sweeps/presets.ts';
import { expandSweep } from '../sweeps/spec.ts';
import { RunControl } from '../run/control.ts';
import { runWorkflow } from '../workflows/runners.ts';
import type { KolDecisionExtra, KolDeviationExtra } from './runner.ts';

const panel = generateSynthetic({ assets: 4, days: 500, seed: 2 }).panel;
const config = {
  workflow: 'kol',
  seed: 1,
  data: { kind: 'synthetic', config: { assets: 4, days: 500, seed: 2 } },
  kol: { steps: 40, synthetic: { seed: 2, tickerSpread: 0.1 } },
};

describe('kol runner (core/workflows/runners.ts)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('trains through the run loop and evaluates every split: agent = trained book, baselines kol-baseline and buy-and-hold', async () => {
    const phases: string[] = [];
    const metricKeys = new Set<string>();
    const res = await runWorkflow(config, panel, {
      onPhase: (p) => phases.push(p),
      callbacks: {
        onMetrics: (batch) => batch.forEach((r) => Object.keys(r.values).forEach((k) => metricKeys.add(k))),
      },
    });
    expect(res.status).toBe('completed');
    expect(res.steps).toBe(40);
    expect(phases).toEqual(['building features', 'training', 'evaluating']);
    expect(metricKeys.has('losses/q')).toBe(true);
    const ev = res.evaluation!;
    expect(ev.splits.map((s) => s.split)).toEqual(['train', 'valid', 'test']);
    for (const s of ev.splits) {
      expect(Object.keys(s.equity).sort()).toEqual(['agent', 'buy-and-hold', 'kol-baseline']);
      for (const e of Object.values(s.equity)) {
        expect(e.length).toBe(s.dates.length);
        expect(e[0]).toBe(1);
      }
      expect(s.weights.length).toBe(s.dates.length * s.assets.length);
      expect(typeof s.metrics.agent.sharpe).toBe('number');
      expect(s.metrics['kol-baseline'].fidelity).toBe(0);
    }
    const dev = ev.extras!['kol-deviation'] as KolDeviationExtra[];
    expect(dev.map((d) => d.split)).toEqual(['train', 'valid', 'test']);
    expect(dev[2].deviation.length).toBe(dev[2].dates.length);
    const decisions = ev.extras!['kol-decisions'] as Record<string, KolDecisionExtra[]>;
    expect(decisions.test.length).toBeGreaterThan(10);
    const d0 = decisions.test[0];
    expect(Math.sign(d0.trained) * Math.sign(d0.baseline)).toBeGreaterThanOrEqual(0);
  }, 120_000);

  it('a tight λ gives the baseline book; a stopped run stops', async () => {
    const tight = await runWorkflow(
      { ...config, kol: { ...config.kol, steps: 300, fidelityLambda: 1e6, bcEpochs: 0 } },
      panel,
    );
    for (const s of tight.evaluation!.splits)
      s.equity.agent.forEach((v, i) => expect(Math.abs(v - s.equity['kol-baseline'][i])).toBeLessThan(1e-5));
    const control = new RunControl();
    control.stop();
    // The trainer worker hands the runner the resolved config: its kol settings must survive.
    const resolved = await resolveExperimentConfig(config);
    expect((resolved as unknown as { kol: { steps: number } }).kol.steps).toBe(40);
    const stopped = await runWorkflow(resolved, panel, { control });
    expect(stopped.status).toBe('stopped');
    expect(stopped.steps).toBeLessThan(40);
  }, 120_000);

  it("a kol-frontier sweep point runs as a sweep job and reports the frontier's metrics", async () => {
    const spec = getSweepPreset('kol-frontier').spec(config as ExperimentConfigInput);
    const run = expandSweep(spec)[5];
    const provider = cachedPanelProvider((d: DataSourceConfig) => loadExperimentPanel(d));
    const res = await runSweepJob(run, provider);
    expect(res.error).toBeUndefined();
    expect(res.point).toEqual({ 'kol.fidelityLambda': 0, 'kol.residualScale': 0.4, 'kol.maxWeight': 0.2 });
    for (const k of ['test/fidelity', 'test/total_return', 'valid/sharpe', 'test/bh_total_return'])
      expect(Number.isFinite(res.metrics[k]), k).toBe(true);
    expect(res.metrics['test/fidelity']).toBeGreaterThan(0);
  }, 120_000);

  it('rejects a setting out of range, naming its path', async () => {
    await expect(runWorkflow({ ...config, kol: { residualScale: 1.5 } }, panel)).rejects.toThrow(
      /kol\.residualScale/,
    );
  });
});
