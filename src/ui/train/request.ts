import type { ExperimentConfigInput } from '../../core/experiment/config.ts';
import type { Panel, TrainRequest } from '../../../workers/protocol.ts';
import { readsSignalsFile } from '../../core/workflows/registry.ts';
import { configOfExperiment, flatValues, type Experiment } from '../../store/experiment.ts';
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

/** Whether the experiment reads the signals CSV loaded in the Data panel (core's workflow declaration says). */
export function readsSignalsFileOf(e: Experiment): boolean {
  return readsSignalsFile(e.workflow, flatValues(e));
}
