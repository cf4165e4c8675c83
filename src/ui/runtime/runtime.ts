import type { ImportApi } from '../../../workers/import.worker.ts';
import type { CheckpointData, Panel } from '../../../workers/protocol.ts';
import type { TrainerApi } from '../../../workers/trainer.worker.ts';
import { createImporter, createTrainer } from './workers.ts';
import type { WorkerHandle } from './workerHandle.ts';

/**
 * Everything the UI holds that is not serialisable config: the workers and the loaded panel.
 * Created once per app (in a ref), never in the store.
 */
export class LabRuntime {
  private trainerHandle: WorkerHandle<TrainerApi> | null = null;
  private importerHandle: WorkerHandle<ImportApi> | null = null;
  private panelValue: Panel | null = null;
  private panelId: string | null = null;
  private readonly panelListeners = new Set<() => void>();
  /** The posts file a kol run reads (kol.signals = 'file'); its import report is in the store. */
  signalsFile: File | null = null;
  /** The newest checkpoint the running training pushed: what survives a crash. */
  lastCheckpoint: CheckpointData | null = null;

  /** The trainer worker, started on first use and again after a crash. */
  trainer(): WorkerHandle<TrainerApi> {
    if (!this.trainerHandle || this.trainerHandle.crash) this.trainerHandle = createTrainer();
    return this.trainerHandle;
  }

  /** Ends the trainer worker (squoosh style: abort = terminate); the next call starts a fresh one. */
  killTrainer(reason: string): void {
    this.trainerHandle?.terminate(reason);
    this.trainerHandle = null;
  }

  importer(): WorkerHandle<ImportApi> {
    if (!this.importerHandle || this.importerHandle.crash) this.importerHandle = createImporter();
    return this.importerHandle;
  }

  get panel(): Panel | null {
    return this.panelValue;
  }

  get currentPanelId(): string | null {
    return this.panelId;
  }

  setPanel(id: string | null, panel: Panel | null): void {
    this.panelId = id;
    this.panelValue = panel;
    for (const l of this.panelListeners) l();
  }

  subscribePanel(listener: () => void): () => void {
    this.panelListeners.add(listener);
    return () => this.panelListeners.delete(listener);
  }

  dispose(): void {
    this.trainerHandle?.terminate('page closed');
    this.importerHandle?.terminate('page closed');
  }
}
