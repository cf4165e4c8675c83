import { useShallow } from 'zustand/react/shallow';
import { needsPriceData, progressUnit } from '../../core/workflows/registry.ts';
import { trainBlockers, useLab } from '../../store/index.ts';
import { fmtDuration } from '../charts/format.ts';
import { useRuntime } from '../runtime/context.tsx';
import { pauseTraining, resumeTraining, startTraining, stopTraining } from './controller.ts';

/** Always-visible controls: Train / Pause / Resume / Stop, progress, steps/s, ETA and the backend. */
export function TrainBar({ onShowTrain }: { onShowTrain(): void }) {
  const rt = useRuntime();
  const status = useLab((s) => s.status);
  const progress = useLab((s) => s.progress);
  const phase = useLab((s) => s.phase);
  const unit = useLab((s) => progressUnit(s.experiment.workflow));
  const dataReady = useLab((s) => s.dataLoad.status === 'ready' || !needsPriceData(s.experiment.workflow));
  const blockers = useLab(useShallow(trainBlockers));
  const active =
    status === 'starting' ||
    status === 'running' ||
    status === 'paused' ||
    status === 'stopping' ||
    status === 'evaluating';
  const blockedReason = !dataReady
    ? 'Load a dataset first'
    : blockers.length > 0
      ? `Fix first: ${blockers.join('; ')}`
      : undefined;
  const onTrain = () => {
    onShowTrain();
    void startTraining(rt);
  };
  const fraction = progress ? Math.min(1, progress.step / Math.max(1, progress.total)) : 0;
  return (
    <div className="train-bar" role="group" aria-label="Training controls">
      <button
        type="button"
        className="primary"
        onClick={onTrain}
        disabled={active || blockedReason !== undefined}
        title={blockedReason}
      >
        Train
      </button>
      <button type="button" onClick={() => void pauseTraining(rt)} disabled={status !== 'running'}>
        Pause
      </button>
      <button type="button" onClick={() => void resumeTraining(rt)} disabled={status !== 'paused'}>
        Resume
      </button>
      <button
        type="button"
        onClick={() => void stopTraining(rt)}
        disabled={status !== 'running' && status !== 'paused'}
      >
        Stop
      </button>
      <div className="progress" aria-live="polite">
        <progress max={1} value={fraction} aria-label="Training progress" />
        <span data-testid="train-progress">
          {progress && phase === 'collecting dataset' ? (
            // Offline algorithms first roll out the behaviour policy: transitions, not training steps.
            <>
              collecting dataset · {progress.step.toLocaleString('en-US')} /{' '}
              {progress.total.toLocaleString('en-US')} transitions
            </>
          ) : progress ? (
            <>
              {progress.step.toLocaleString('en-US')} / {progress.total.toLocaleString('en-US')} {unit} ·{' '}
              {/* A tournament plays about a world a second: one decimal keeps its rate from reading 0. */}
              {progress.sps < 10
                ? progress.sps.toFixed(1)
                : Math.round(progress.sps).toLocaleString('en-US')}{' '}
              {unit}/s · ETA {fmtDuration(progress.etaS)}
            </>
          ) : active ? (
            phase || 'starting…'
          ) : null}
        </span>
        <span className="badge" data-testid="train-status">
          {status === 'paused'
            ? 'paused'
            : status === 'done'
              ? phase === 'stopped'
                ? 'stopped'
                : 'finished'
              : status === 'failed'
                ? 'failed'
                : active
                  ? phase || status
                  : 'idle'}
        </span>
      </div>
      <BackendBadge />
    </div>
  );
}

export function BackendBadge() {
  const backend = useLab((s) => s.backend);
  const error = useLab((s) => s.backendError);
  const text = backend
    ? `${backend.backend}${backend.backend === 'wasm' ? ` (${backend.simd ? 'SIMD' : 'no SIMD'}, ${backend.threads ? `${backend.threadsCount ?? ''} threads`.trim() : '1 thread'})` : ''}`
    : error
      ? `unavailable: ${error}`
      : 'starting…';
  return (
    <span
      className={`badge${backend ? ' ok' : error ? ' bad' : ''}`}
      data-testid="backend"
      title={backend?.notes.join('\n')}
    >
      Backend: {text}
    </span>
  );
}
