/**
 * The best member of a hierarchy population as a run: a fresh member restored from the best's
 * snapshot and given its hyperparameters, evaluated per split as the workflow's runner evaluates a
 * single run (the hierarchy, each expert alone, buy-and-hold, the router by regime), written as
 * `lab hier train` writes its folder: metrics.json, equity.csv, experts.csv.
 */
import { initBackend, type BackendPref } from '../../core/agents/backend.ts';
import type { CheckpointArtifacts } from '../../core/agents/checkpoint.ts';
import type { DataSourceConfig } from '../../core/experiment/config.ts';
import { prepareExperiment } from '../../core/experiment/run.ts';
import type { RunEvaluation } from '../../core/experiment/types.ts';
import { evaluateHierarchySplits } from '../../core/hier/evaluate.ts';
import { createHierMember } from '../../core/hier/member.ts';
import { hierExtras, plantedRegimes, REGIME_NAMES } from '../../core/hier/runner.ts';
import { experimentPanel } from '../dataSources.ts';
import { writeEvaluationFiles } from '../runFiles.ts';

/** lab hier train's writers of metrics.json's summary and experts.csv (commands/hier.ts passes them in). */
export interface HierRunWriters {
  summary(evaluation: RunEvaluation): Record<string, unknown>;
  expertsCsv(dir: string, evaluation: RunEvaluation): void;
}

export async function writeBestHierarchyRun(
  writers: HierRunWriters,
  dir: string,
  member: { config: unknown; dataSpecs: string[] },
  best: { member: number; score: number; hps: Record<string, number>; seed: number },
  snapshot: CheckpointArtifacts,
): Promise<{ score: number; summary: Record<string, unknown> }> {
  const config = member.config as { data: DataSourceConfig; backend?: string };
  // The same backend as the members (with --workers they ran in threads; this is the main thread).
  await initBackend((config.backend ?? 'wasm') as BackendPref);
  const panel = await experimentPanel(config.data, member.dataSpecs, 'hier pbt', { quiet: true });
  const prep = await prepareExperiment(config, panel);
  const m = createHierMember(panel, config, best.seed);
  try {
    await m.restore(snapshot);
    m.setHyperparameters(best.hps);
    // The restored member must score what the population recorded (same weights, same book).
    const score = await m.score();
    const h = await m.hierarchy();
    const c = prep.config;
    const regimeOfRow = plantedRegimes(
      c.data as { kind: string; config?: Record<string, unknown> },
      prep.features.dates,
    );
    const { results, splits } = await evaluateHierarchySplits(h, prep, {
      regimeOfRow,
      regimes: REGIME_NAMES.length,
    });
    const div = h.diversity();
    const evaluation: RunEvaluation = {
      splits,
      boundaries: splits.map((s) => ({ split: s.split, date: s.dates[0] })),
      extras: hierExtras(
        h,
        results,
        { step: [h.envSteps], mapd: [div.mapd], klToMean: [div.klToMean] },
        regimeOfRow !== null,
      ),
    };
    const summary = writers.summary(evaluation);
    writeEvaluationFiles(dir, evaluation, prep.annualization, {
      workflow: 'hierarchical',
      population_member: best.member,
      population_score: best.score,
      restored_score: score,
      global_step: h.envSteps,
      hyperparameters: best.hps,
      ...summary,
    });
    writers.expertsCsv(dir, evaluation);
    return { score, summary };
  } finally {
    m.dispose();
  }
}
