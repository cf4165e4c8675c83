/**
 * How each workflow runs: prepare → train (core's one training loop) → evaluate. The trainer
 * worker, sweeps and `lab train` call `runWorkflow`, so a config runs the same everywhere.
 */
import type { Panel } from '../data/types.ts';
import { parseExperimentConfig } from '../experiment/config.ts';
import { runExperiment, type ExperimentResult, type RunExperimentOptions } from '../experiment/run.ts';
import { runEnsembleWorkflow } from './ensembleRunner.ts';
import type { HierPopulationOptions } from '../hier/populationRun.ts';
import { runHierarchical } from '../hier/runner.ts';
import { runKol } from '../kol/runner.ts';
import { runSupplyChain } from '../scml/runner.ts';
import { getWorkflow } from './registry.ts';

/** A run's options, plus those a workflow of its own reads (the others ignore them). */
export type WorkflowRunOptions = RunExperimentOptions & HierPopulationOptions;

export type WorkflowRunner = (
  config: unknown,
  panel: Panel,
  opts?: WorkflowRunOptions,
) => Promise<ExperimentResult>;

const RUNNERS: Record<string, WorkflowRunner> = {
  market: runExperiment,
  ensemble: runEnsembleWorkflow,
  kol: runKol,
  supplychain: runSupplyChain,
  hierarchical: runHierarchical,
};

/** Runs an experiment through its workflow's runner (the config names the workflow; default market). */
export async function runWorkflow(
  config: unknown,
  panel: Panel,
  opts: WorkflowRunOptions = {},
): Promise<ExperimentResult> {
  const { workflow } = parseExperimentConfig(config);
  getWorkflow(workflow);
  const runner = RUNNERS[workflow];
  if (!runner) throw new Error(`workflow '${workflow}' has no runner in this build`);
  return runner(config, panel, opts);
}
