import type { FieldSpec } from '../../core/experiment/fields.ts';
import { getWorkflow, workflowIds, type WorkflowDef } from '../../core/workflows/registry.ts';
import { useLab } from '../../store/index.ts';

/** The active workflow's declaration (core/workflows/registry.ts). */
export function useWorkflow(): WorkflowDef {
  const id = useLab((s) => s.experiment.workflow);
  return getWorkflow(id);
}

/** The fields of one of the workflow's setup sections (empty when it has no such section). */
export function sectionFields(w: WorkflowDef, section: string): readonly FieldSpec[] {
  return w.setup.find((s) => s.id === section)?.fields ?? [];
}

/**
 * What trained a run, for run names and headers: the algorithm, or the workflow's name when its
 * learner is set by its own fields (kol's residual IQL, the ensemble's BC → PPO).
 */
export function learnerLabel(workflow: string, algo: string): string {
  const w = workflowIds().includes(workflow) ? getWorkflow(workflow) : null;
  return w && w.algorithms.length === 0 ? w.id.toUpperCase() : algo.toUpperCase();
}
