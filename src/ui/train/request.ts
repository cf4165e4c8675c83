import type { ExperimentConfigInput } from '../../core/experiment/config.ts';
import type { Panel, TrainRequest } from '../../../workers/protocol.ts';
import { configOfExperiment, type Experiment } from '../../store/experiment.ts';
import { copyPanel } from '../runtime/panel.ts';

/**
 * What Train sends: core's ExperimentConfig input of the experiment (core's configOf — the same
 * config a share link, a downloaded config file and `lab train --config` describe) plus a
 * transferable copy of the loaded panel.
 */
export function trainRequest(
  e: Experiment,
  panel: Panel,
  signals?: { name: string; text: string },
): TrainRequest {
  return {
    config: configOfExperiment(e) as ExperimentConfigInput,
    panel: copyPanel(panel),
    ...(signals ? { signals } : {}),
  };
}

/** Whether the experiment reads a posts file (kol's posts or the ensemble's news set to 'file'). */
export function readsSignalsFile(e: Experiment): boolean {
  return (
    (e.workflow === 'kol' && e.values['kol.signals'] === 'file') ||
    (e.workflow === 'ensemble' && e.values['ensemble.news'] === 'file')
  );
}
