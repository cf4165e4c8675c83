import type { Panel, TrainRequest } from '../../../workers/protocol.ts';
import type { Experiment } from '../../store/experiment.ts';
import { copyPanel } from '../runtime/toCore.ts';
import { experimentConfigOf } from '../sweeps/mapping.ts';

/**
 * What Train sends: core's ExperimentConfig — built by the same mapping sweeps use, so a sweep run
 * trains exactly what Train would — plus a transferable copy of the loaded panel.
 */
export function trainRequest(e: Experiment, panel: Panel): TrainRequest {
  const config = experimentConfigOf(e);
  return {
    config: { ...config, eval: { ...config.eval, every: e.train.evalEvery as number } },
    panel: copyPanel(panel),
  };
}
