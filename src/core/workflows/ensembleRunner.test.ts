/** The `ensemble` workflow through runWorkflow: its settings, the splits' strategies, extras, callbacks and Stop. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../agents/backend.ts';
import { generateSynthetic } from '../data/synthetic.ts';
import { parseExperimentConfig } from '../experiment/config.ts';
import { RunControl } from '../run/control.ts';
import { runSweepJob } from '../sweeps/job.ts';
import { getWorkflow, workflowValues } from './registry.ts';
import { runWorkflow } from './runners.ts';
import { provideSignals } from './signalsInput.ts';

const data = { kind: 'synthetic', config: { days: 400, assets: 1, seed: 3 } };
const config = {
  workflow: 'ensemble',
  data,
  seed: 1,
  ensemble: { bcEpochs: 3, bcPatience: 0, ppoSteps: 1024, ppoEpisodeLength: 64 },
};
const panel = generateSynthetic(data.config).panel;

beforeAll(async () => {
  await initBackend('wasm');
});

describe('ensemble workflow', () => {
  it('declares its settings once under ensemble.*, with defaults, and names a bad one by its path', () => {
    const w = getWorkflow('ensemble');
    expect(w.fields!.every((f) => f.path.startsWith('ensemble.'))).toBe(true);
    expect(w.algorithms).toEqual([]);
    const v = workflowValues({ workflow: 'ensemble' });
    expect(v['ensemble.bcEpochs']).toBe(40);
    expect(v['ensemble.rlWeight']).toBe(1);
    expect(() => parseExperimentConfig({ workflow: 'ensemble', ensemble: { bcEpochs: 0 } })).toThrow(
      /ensemble\.bcEpochs/,
    );
    expect(() => parseExperimentConfig({ workflow: 'ensemble', ensemble: { bcEpoch: 3 } })).toThrow(
      /ensemble\.bcEpoch: not a setting/,
    );
  });

  it('runs: agent = ensemble + RL analyst beside its baselines per split, the sections’ extras, phases and metrics', async () => {
    const phases: string[] = [];
    const steps: number[] = [];
    let status = 0;
    const r = await runWorkflow(config, panel, {
      keepRows: true,
      onPhase: (p) => phases.push(p),
      callbacks: { onMetrics: (b) => b.forEach((x) => steps.push(x.step)), onStatus: () => status++ },
    });
    expect(r.status).toBe('completed');
    expect(phases[0]).toBe('building features');
    expect(phases).toContain('training');
    expect(phases.at(-1)).toBe('evaluating');
    expect(steps.length).toBeGreaterThan(3);
    expect(status).toBeGreaterThan(0);
    const ev = r.evaluation!;
    expect(ev.splits.map((s) => s.split)).toEqual(['train', 'valid', 'test']);
    for (const s of ev.splits) {
      expect(Object.keys(s.equity).sort()).toEqual(
        ['agent', 'bc', 'buy-and-hold', 'ensemble', 'ppo-bc', 'ppo-scratch'].sort(),
      );
      for (const e of Object.values(s.equity)) expect(e.length).toBe(s.dates.length);
      for (const x of Object.values(s.returns)) expect(x.length).toBe(s.dates.length - 1);
      expect(Number.isFinite(s.metrics.agent.sharpe)).toBe(true);
      expect(s.weights.length).toBe(s.dates.length);
    }
    const x = ev.extras!;
    for (const id of getWorkflow('ensemble').results.filter((k) => k.startsWith('ensemble-')))
      expect(x[id]).toBeDefined();
    const votes = x['ensemble-votes'] as { close: Float64Array; technical: Int8Array; rl: Int8Array };
    expect(votes.close.length).toBe(panel.dates.length);
    expect(votes.rl.length).toBe(panel.dates.length);
    const bc = x['ensemble-bc'] as { epochs: unknown[] };
    expect(bc.epochs.length).toBe(3);
    const c = x['ensemble-checklist'] as { items: Record<string, { pass: unknown }> };
    expect(Object.keys(c.items)).toContain('backtested');
    expect(Object.keys(c.items)).toContain('ppo_inference_speed');
    expect(r.learner).toBeNull();
  }, 120_000);

  it('Stop ends the run early and still evaluates what it has', async () => {
    const control = new RunControl();
    const r = await runWorkflow({ ...config, ensemble: { ...config.ensemble, bcEpochs: 50 } }, panel, {
      control,
      callbacks: { onMetrics: () => control.stop() },
    });
    expect(r.status).toBe('stopped');
    expect(r.evaluation!.splits[0].equity.agent).toBeDefined();
    expect(r.evaluation!.splits[0].equity['ppo-bc']).toBeUndefined();
  }, 120_000);

  it('runs as a sweep job: its flat metrics carry the agent and buy-and-hold per split', async () => {
    const res = await runSweepJob(
      {
        index: 0,
        id: 'p0-s1',
        pointIndex: 0,
        point: { 'ensemble.rlWeight': 2 },
        seed: 1,
        config: { ...config, ensemble: { ...config.ensemble, rlWeight: 2, ppoSteps: 0 } },
      },
      async () => panel,
    );
    expect(res.error).toBeUndefined();
    expect(res.status).toBe('completed');
    // The sweep's flat metrics: the agent's (ensemble + RL analyst) per split, buy-and-hold beside it.
    for (const split of ['train', 'valid', 'test']) {
      expect(Number.isFinite(res.metrics[`${split}/sharpe`])).toBe(true);
      expect(Number.isFinite(res.metrics[`${split}/bh_sharpe`])).toBe(true);
    }
  }, 120_000);

  it('the news analyst reads synthetic news or the loaded signals CSV, and says what is missing', async () => {
    const quick = { ...config, ensemble: { ...config.ensemble, ppoSteps: 0 } };
    const synth = await runWorkflow({ ...quick, ensemble: { ...quick.ensemble, news: 'synthetic' } }, panel);
    expect(synth.notes.join(' ')).toMatch(/news: synthetic, \d+ of \d+ posts used/);
    const votes = synth.evaluation!.extras!['ensemble-votes'] as { news: Int8Array };
    expect(votes.news.some((a) => a > 0)).toBe(true);

    provideSignals(null);
    await expect(
      runWorkflow({ ...quick, ensemble: { ...quick.ensemble, news: 'file' } }, panel),
    ).rejects.toThrow(/ensemble\.news: no signals CSV loaded/);
    const rows = ['date,ticker,text'];
    for (let t = 30; t < panel.dates.length; t += 3)
      rows.push(`${panel.dates[t]},${panel.assets[0]},strong beat bullish upgrade`);
    provideSignals({ name: 'posts.csv', text: rows.join('\n') });
    try {
      const file = await runWorkflow({ ...quick, ensemble: { ...quick.ensemble, news: 'file' } }, panel);
      expect(file.notes.join(' ')).toMatch(/news: file:posts\.csv, \d+ of \d+ posts used/);
    } finally {
      provideSignals(null);
    }
    await expect(
      runWorkflow(
        {
          ...quick,
          data: { kind: 'embedded', name: 'sp500' },
          ensemble: { ...quick.ensemble, news: 'synthetic' },
        },
        panel,
      ),
    ).rejects.toThrow(/choose the synthetic market/);
  });

  it('with bcSeeds 3 the 4th analyst is the seed ensemble of three BC policies', async () => {
    const r = await runWorkflow(
      { ...config, ensemble: { ...config.ensemble, ppoSteps: 0, bcSeeds: 3 } },
      panel,
    );
    const rl = (r.evaluation!.extras!['ensemble-checklist'] as { rl: { status: string; seeds?: number } }).rl;
    expect(rl).toMatchObject({ status: 'used', seeds: 3 });
    const one = await runWorkflow({ ...config, ensemble: { ...config.ensemble, ppoSteps: 0 } }, panel);
    expect((one.evaluation!.extras!['ensemble-checklist'] as { rl: { seeds?: number } }).rl.seeds).toBe(1);
  });
});
