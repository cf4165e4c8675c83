import * as Comlink from 'comlink';
import type { RunEvaluation, SplitEvaluation } from '../../../workers/protocol.ts';
import { algoOf, hashOfExperiment } from '../../store/experiment.ts';
import { useLab } from '../../store/index.ts';
import type { RunSummary, SplitName } from '../../store/types.ts';
import type { LabRuntime } from '../runtime/runtime.ts';
import { panelTransferables } from '../runtime/panel.ts';
import { trainRequest } from '../train/request.ts';
import { checkpointFromJson } from './exporters.ts';
import { persistRun } from './history.ts';

/**
 * Loads a downloaded model into the trainer worker and evaluates it on the data and splits now in
 * the editor; the evaluation is saved as a run of its own.
 */
export async function evaluateModelFile(rt: LabRuntime, file: File): Promise<void> {
  const checkpoint = checkpointFromJson(await file.text(), file.name);
  const s = useLab.getState();
  if (!rt.panel) throw new Error('Load a dataset first: the model is evaluated on the current data.');
  if (s.status === 'running' || s.status === 'paused' || s.status === 'starting')
    throw new Error('Wait for the current training to finish.');
  const experiment = structuredClone(s.experiment);
  const t0 = Date.now();
  const trainer = rt.trainer();
  const data = trainRequest(experiment, rt.panel);
  // The worker gets a copy of the weights (transferred): the model itself is saved with the run below.
  const toWorker = { ...checkpoint, weights: checkpoint.weights.slice(0) };
  const { notes } = await trainer.call((r) =>
    r.importCheckpoint(
      Comlink.transfer(toWorker, [toWorker.weights]),
      Comlink.transfer(data, panelTransferables(data.panel)),
    ),
  );
  const splits: SplitEvaluation[] = [];
  for (const split of ['train', 'valid', 'test'] as SplitName[]) {
    const request = trainRequest(experiment, rt.panel);
    splits.push(
      await trainer.call((r) =>
        r.evaluate(split, Comlink.transfer(request, panelTransferables(request.panel))),
      ),
    );
  }
  const evaluation: RunEvaluation = {
    splits,
    boundaries: splits.map((sp) => ({ split: sp.split, date: sp.dates[0] })),
  };
  const id = `eval-${Date.now().toString(36)}`;
  const metrics: RunSummary['metrics'] = {};
  for (const sp of splits)
    if (sp.metrics.agent) metrics[sp.split] = sp.metrics.agent as RunSummary['metrics'][SplitName];
  const summary: RunSummary = {
    id,
    name: `Evaluation of ${file.name}`,
    createdAt: Date.now(),
    status: 'complete',
    endReason: [`model ${checkpoint.algo} at step ${checkpoint.step}, evaluated only`, ...notes].join('; '),
    algo: (checkpoint.algo as RunSummary['algo']) ?? algoOf(experiment),
    dataLabel:
      s.dataLoad.meta?.label ?? String(experiment.values['data.name'] ?? experiment.values['data.kind']),
    backend: useLab.getState().backend?.backend ?? 'unknown',
    steps: checkpoint.step,
    seed: experiment.values.seed as number,
    experiment,
    hash: hashOfExperiment(experiment),
    metrics,
    hasCheckpoint: true,
    durationMs: Date.now() - t0,
  };
  await persistRun(summary, { id, learning: {}, evaluation, checkpoint });
  useLab.getState().selectRun(id);
}
