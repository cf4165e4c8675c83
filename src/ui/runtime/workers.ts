import type { ImportApi } from '../../../workers/import.worker.ts';
import type { TrainerApi } from '../../../workers/trainer.worker.ts';
import { WorkerHandle } from './workerHandle.ts';

/** The trainer worker (tfjs lives only there, so the main bundle stays small). */
export function createTrainer(): WorkerHandle<TrainerApi> {
  return new WorkerHandle<TrainerApi>(
    'trainer',
    () =>
      new Worker(new URL('../../../workers/trainer.worker.ts', import.meta.url), {
        type: 'module',
        name: 'trainer',
      }),
  );
}

/** The CSV import worker (PapaParse + core importer off the main thread). */
export function createImporter(): WorkerHandle<ImportApi> {
  return new WorkerHandle<ImportApi>(
    'import',
    () =>
      new Worker(new URL('../../../workers/import.worker.ts', import.meta.url), {
        type: 'module',
        name: 'import',
      }),
  );
}
