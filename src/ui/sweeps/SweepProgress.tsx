/** The running sweep: status, per-run progress on the worker pool, ETA (core/sweeps/view.ts), pause / resume / cancel. */
import { meanRunSeconds, sweepEta } from '../../core/sweeps/view.ts';
import { useLab } from '../../store/index.ts';
import { fmtCompact, fmtDuration } from '../charts/format.ts';
import { cancelSweep, pauseSweep, resumeSweep } from './controller.ts';
import { labelOf } from './keys.ts';

export function Progress() {
  const status = useLab((s) => s.sweep.status);
  const runs = useLab((s) => s.sweep.runs);
  const progress = useLab((s) => s.sweep.progress);
  const results = useLab((s) => s.sweep.results);
  const startedAt = useLab((s) => s.sweep.startedAt);
  const workers = useLab((s) => s.sweep.workers);
  const backend = useLab((s) => s.sweep.backend);
  const metric = useLab((s) => s.sweep.metric);
  const finished = results.length;
  const total = runs.length;
  const eta = total > finished ? sweepEta(total - finished, meanRunSeconds(results), workers) : null;
  const label = status === 'validating' ? 'checking the spec' : status === 'done' ? 'finished' : status;
  return (
    <section className="panel" aria-labelledby="sweep-progress-h">
      <h2 id="sweep-progress-h">Sweep progress</h2>
      <div className="row">
        <span data-testid="sweep-status">{label}</span>
        <span data-testid="sweep-count">
          {finished}/{total} runs finished
        </span>
        {backend && <span className="badge">Backend: {backend}</span>}
        {status === 'running' && eta !== null && <span className="muted">ETA {fmtDuration(eta)}</span>}
        {startedAt && status !== 'running' && status !== 'paused' && status !== 'validating' && (
          <span className="muted">took {fmtDuration((Date.now() - startedAt) / 1000)}</span>
        )}
        {status === 'running' && (
          <button type="button" onClick={pauseSweep}>
            Pause sweep
          </button>
        )}
        {status === 'paused' && (
          <button type="button" onClick={resumeSweep}>
            Resume sweep
          </button>
        )}
        {(status === 'running' || status === 'paused') && (
          <button type="button" onClick={cancelSweep}>
            Cancel sweep
          </button>
        )}
      </div>
      <progress className="progress" max={Math.max(1, total)} value={finished} aria-label="Sweep progress" />
      <div className="table-scroll" style={{ maxHeight: 320 }}>
        <table className="data" aria-label="Sweep runs">
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Point</th>
              <th scope="col">Seed</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
              <th scope="col">{metric}</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => {
              const p = progress[r.index];
              const res = results.find((x) => x.index === r.index);
              return (
                <tr key={r.index} data-run={r.id} data-state={p?.state}>
                  <td>{r.id}</td>
                  <td>
                    {Object.entries(r.point)
                      .map(([k, v]) => `${labelOf(k)}=${String(v)}`)
                      .join(', ')}
                  </td>
                  <td>{r.seed}</td>
                  <td title={p?.phase}>
                    {p?.state === 'failed' ? `failed: ${p.phase}` : (p?.state ?? 'queued')}
                  </td>
                  <td>
                    <progress
                      max={Math.max(1, p?.total ?? 1)}
                      value={p?.state === 'done' ? (p.total ?? 1) : (p?.step ?? 0)}
                      aria-label={`Progress of ${r.id}`}
                    />
                  </td>
                  <td>{res && !res.error ? fmtCompact(res.metrics[metric]) : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
