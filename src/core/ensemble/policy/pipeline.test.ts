/** Seed 004 end to end in memory: every stage's output, the checklist recomputed from them, callbacks and Stop. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../agents/backend.ts';
import { splitSpecOf } from '../../experiment/config.ts';
import { RunControl } from '../../run/control.ts';
import { bookMetrics } from '../report.ts';
import { randomPanel } from '../testing.ts';
import { runEnsemblePipeline, type EnsemblePipelineSettings } from './pipeline.ts';

const panel = randomPanel(360, 1, 21);
const settings: EnsemblePipelineSettings = {
  splitSpec: splitSpecOf({ fractions: { train: 0.6, valid: 0.2 } }, panel.dates),
  annualization: 252,
  bc: { epochs: 4, patience: 0 },
  finetune: { totalSteps: 1024, numEnvs: 2, numSteps: 128, episodeLength: 64 },
  source: 'random',
};

beforeAll(async () => {
  await initBackend('wasm');
});

describe('runEnsemblePipeline', () => {
  it('analysts → dataset → BC → 4th analyst → PPO → per-split books; the checklist follows from the outputs', async () => {
    const phases: string[] = [];
    const steps: number[] = [];
    const progress: number[] = [];
    const r = await runEnsemblePipeline(panel, settings, {
      onPhase: (p, d) => phases.push(`${p}: ${d}`),
      onMetrics: (rows) => rows.forEach((x) => steps.push(x.step)),
      onProgress: (s, total) => progress.push(s / total),
    });
    try {
      expect(r.status).toBe('completed');
      expect(r.dataset.size).toBe(panel.dates.length);
      expect(r.counts.train + r.counts.valid + r.counts.test).toBe(r.dataset.size);
      expect(r.bc.trained.report.epochs.length).toBe(4);
      expect(phases[0]).toMatch(/^building features/);
      expect(phases).toContain('training: behaviour cloning');
      expect(phases).toContain('training: PPO fine-tuned from BC');
      expect(phases.at(-1)).toMatch(/^evaluating/);
      // One global step for BC and then PPO-from-BC: increasing.
      expect(steps.length).toBeGreaterThan(4);
      for (let k = 1; k < steps.length; k++) expect(steps[k]).toBeGreaterThan(steps[k - 1]);
      expect(Math.max(...progress)).toBeCloseTo(1, 6);

      const e = r.evaluation;
      expect(e.rl.status).toBe('used');
      expect(e.ppo.status).toBe('trained');
      for (const s of e.splits) {
        for (const k of ['ensemble', 'ensemble_rl', 'bc', 'ppo_bc', 'ppo_scratch', 'buy_and_hold'] as const)
          expect(s[k]?.equity.length).toBe(s.rows.end - s.rows.start);
        const i = e.ppo.initial![s.split];
        expect(i.ppo_bc_log_return).toBeCloseTo(i.bc_log_return, 5);
      }
      // The checklist recomputed from the run's own outputs.
      const b = r.bc.trained.report.best;
      const c = r.checklist.items;
      expect(c.model_validated).toMatchObject({ value: b.val_accuracy, pass: b.val_accuracy > 0.7 });
      expect(c.no_overfitting.value).toBeCloseTo(b.val_loss - b.train_loss, 12);
      expect(c.no_overfitting.pass).toBe(b.val_loss - b.train_loss < 0.2);
      expect(c.inference_speed).toMatchObject({
        value: r.bc.inference.median_ms,
        pass: r.bc.inference.median_ms < 10,
      });
      expect(c.model_versioned.pass).toBe(r.bc.reloadedValAccuracy === b.val_accuracy);
      const valid = e.splits.find((s) => s.split === 'valid')!;
      const delta =
        (bookMetrics(panel, valid.ensemble_rl!, 252).sharpe as number) -
        (bookMetrics(panel, valid.ensemble, 252).sharpe as number);
      expect(c.backtested.value).toBeCloseTo(delta, 12);
      expect(c.backtested.pass).toBe(delta > 0);
      expect(c.ppo_inference_speed.value).toBe(e.ppo.inference_ms);
      expect(r.checklist.pending).toEqual([]);
      expect(r.checklist.pass).toBe(Object.values(c).every((x) => x.pass === true));
    } finally {
      r.bc.trained.learner.dispose();
    }
  }, 120_000);

  it('Stop during BC: no PPO, the ensemble and the 4th analyst are still evaluated', async () => {
    const control = new RunControl();
    const r = await runEnsemblePipeline(
      panel,
      { ...settings, bc: { epochs: 30, patience: 0 } },
      { control, onMetrics: () => control.stop() },
    );
    try {
      expect(r.status).toBe('stopped');
      expect(r.bc.trained.report.epochs.length).toBeLessThan(30);
      expect(r.evaluation.ppo.status).toBe('skipped');
      expect(r.evaluation.splits.every((s) => s.ensemble_rl !== undefined && s.ppo_bc === undefined)).toBe(
        true,
      );
    } finally {
      r.bc.trained.learner.dispose();
    }
  }, 120_000);
});
