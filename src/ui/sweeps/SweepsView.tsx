/**
 * The Sweeps tab: a builder over the current experiment (any setting, list / range / log-range,
 * grid or random, seeds per point, run count and estimated time), the running sweep (pool of
 * workers, per-run progress, pause / cancel) and its results (sortable table of mean ± std per
 * point, scatter, parallel coordinates, equity overlays of the top k, heatmap for 2-D grids,
 * model selection on validation with test shown for the chosen point, CSV / JSON export).
 */
import { useEffect, useMemo, useState } from 'react';
import { higherIsBetterFor, summarizeSweep, type PointSummary } from '../../core/sweeps/results.ts';
import { countRuns } from '../../core/sweeps/spec.ts';
import { getSweepPreset, SWEEP_PRESETS } from '../../core/sweeps/presets.ts';
import { useLab } from '../../store/index.ts';
import type { PanelProps } from '../App.tsx';
import { fmtCompact, fmtDuration } from '../charts/format.ts';
import { useRuntime } from '../runtime/context.tsx';
import { EquityOverlay, Heatmap, MetricScatter, ParallelCoordinates } from './charts.tsx';
import { cancelSweep, currentSpec, pauseSweep, resumeSweep, roughSecondsPerRun, startSweep } from './controller.ts';
import { draftToUrlValue, emptyParam, specToDraft, URL_PARAM, urlValueToDraft, type ParamDraft, type ValuesKind } from './draft.ts';
import { exportCsv, exportJson } from './export.ts';
import { configOfExperiment, flatValues } from '../../store/experiment.ts';
import { labelOf, sweepKeysFor } from './keys.ts';
import { useSweep } from './state.ts';

/** Metrics offered for selection and plots (validation split; test only for the chosen point). */
const SELECT_METRICS = ['valid/sharpe', 'valid/total_return', 'valid/cagr', 'valid/sortino', 'valid/calmar', 'valid/max_drawdown', 'valid/excess_return', 'valid/annual_volatility', 'valid/turnover', 'train/sharpe', 'train/total_return', 'training/episodic_return'];
const TABLE_METRICS = ['valid/sharpe', 'valid/total_return', 'valid/max_drawdown', 'valid/excess_return', 'train/sharpe'];
const TEST_METRICS = ['test/sharpe', 'test/total_return', 'test/cagr', 'test/max_drawdown', 'test/excess_return'];

const RUNNING = ['validating', 'running', 'paused'];

/** Reads `?sweep=` once, then keeps it in step with the form (beside the experiment's #hash). */
function useSweepUrl(): void {
  const steps = useLab((s) => s.experiment.values.totalSteps as number);
  useEffect(() => {
    const value = new URLSearchParams(window.location.search).get(URL_PARAM);
    if (value !== null) {
      const { draft, notice } = urlValueToDraft(value, steps);
      if (draft) useSweep.getState().set({ draft });
      if (notice) useSweep.getState().set({ notice });
    } else if (useSweep.getState().draft.params.length === 0) {
      useSweep.getState().setDraft({ totalSteps: steps });
    }
    let timer: ReturnType<typeof setTimeout> | null = null;
    const stop = useSweep.subscribe((s, prev) => {
      if (s.draft === prev.draft) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        const url = new URL(window.location.href);
        const d = useSweep.getState().draft;
        if (d.params.length > 0) url.searchParams.set(URL_PARAM, draftToUrlValue(d));
        else url.searchParams.delete(URL_PARAM);
        window.history.replaceState(null, '', url.toString());
      }, 200);
    });
    return () => {
      stop();
      if (timer) clearTimeout(timer);
    };
    // Read the link once per mount; the steps default is only a fallback.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
}

export function SweepsView(_props: PanelProps) {
  useSweepUrl();
  const status = useSweep((s) => s.status);
  const results = useSweep((s) => s.results);
  const notice = useSweep((s) => s.notice);
  return (
    <div className="stack">
      {notice && (
        <div className="notice warn" role="status">
          {notice}{' '}
          <button type="button" onClick={() => useSweep.getState().set({ notice: null })}>
            Dismiss
          </button>
        </div>
      )}
      <Builder />
      {status !== 'idle' && <Progress />}
      {results.length > 0 && <Results />}
    </div>
  );
}

function Builder() {
  const rt = useRuntime();
  const experiment = useLab((s) => s.experiment);
  const draft = useSweep((s) => s.draft);
  const draftError = useSweep((s) => s.draftError);
  const workers = useSweep((s) => s.workers);
  const status = useSweep((s) => s.status);
  const setDraft = useSweep((s) => s.setDraft);
  const busy = RUNNING.includes(status);
  const options = sweepKeysFor(experiment);
  const [preset, setPreset] = useState(SWEEP_PRESETS[0].id);

  const { spec, error } = useMemo(() => currentSpec(), [draft, experiment]); // eslint-disable-line react-hooks/exhaustive-deps
  const runs = spec ? countRuns(spec) : null;
  const encoder = flatValues(experiment)['agent.network.encoder'];
  const perRun = roughSecondsPerRun(draft.totalSteps, encoder);
  const eta = runs ? (runs * perRun) / Math.max(1, Math.min(workers, runs)) : null;

  const updateParam = (i: number, patch: Partial<ParamDraft>) => setDraft((d) => ({ ...d, params: d.params.map((p, j) => (j === i ? { ...p, ...patch } : p)) }));
  const addParam = () => {
    const used = new Set(draft.params.map((p) => p.key));
    const next = options.find((o) => !used.has(o.key));
    setDraft((d) => ({ ...d, params: [...d.params, emptyParam(next?.key ?? '', next?.suggest ?? [])] }));
  };
  const loadPreset = () => {
    const base = configOfExperiment(experiment);
    useSweep.getState().set({ draft: specToDraft(getSweepPreset(preset).spec(base), draft.totalSteps), draftError: null });
  };

  return (
    <section className="panel" aria-labelledby="sweeps-h">
      <h2 id="sweeps-h">Sweeps</h2>
      <p className="muted">
        Run the current experiment many times over a grid or a random sample of settings, several seeds per point. The best point is chosen on the
        validation split; the test split is only shown for that choice.
      </p>
      <div className="row">
        <label>
          Preset{' '}
          <select value={preset} onChange={(e) => setPreset(e.target.value)} disabled={busy}>
            {SWEEP_PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.title}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={loadPreset} disabled={busy}>
          Load preset
        </button>
        <span className="muted">{SWEEP_PRESETS.find((p) => p.id === preset)?.description}</span>
      </div>
      <div className="field-grid">
        <label className="field">
          <span className="field-label">Sweep name</span>
          <input type="text" aria-label="Sweep name" value={draft.name} disabled={busy} onChange={(e) => setDraft({ name: e.target.value })} />
        </label>
        <label className="field">
          <span className="field-label">Mode</span>
          <select aria-label="Mode" value={draft.mode} disabled={busy} onChange={(e) => setDraft({ mode: e.target.value as 'grid' | 'random' })}>
            <option value="grid">Grid (every combination)</option>
            <option value="random">Random sample</option>
          </select>
        </label>
        {draft.mode === 'random' && (
          <>
            <NumberInput label="Samples" value={draft.samples} min={1} disabled={busy} onChange={(v) => setDraft({ samples: v })} />
            <NumberInput label="Sample seed" value={draft.sampleSeed} min={0} disabled={busy} onChange={(v) => setDraft({ sampleSeed: v })} />
          </>
        )}
        <NumberInput label="Seeds per point" value={draft.seedsPerPoint} min={1} disabled={busy} onChange={(v) => setDraft({ seedsPerPoint: v })} />
        <NumberInput label="First seed" value={draft.firstSeed} min={0} disabled={busy} onChange={(v) => setDraft({ firstSeed: v })} />
        <NumberInput label="Steps per run" value={draft.totalSteps} min={1} disabled={busy} onChange={(v) => setDraft({ totalSteps: v })} />
        <NumberInput label="Workers" value={workers} min={1} disabled={busy} onChange={(v) => useSweep.getState().set({ workers: v })} />
      </div>

      <h3>Parameters</h3>
      {draft.params.length === 0 && <p className="muted">No parameters yet: add one, or load a preset.</p>}
      {draft.params.map((p, i) => (
        <ParamRow key={i} index={i} param={p} options={options} disabled={busy} onChange={(patch) => updateParam(i, patch)} onRemove={() => setDraft((d) => ({ ...d, params: d.params.filter((_, j) => j !== i) }))} />
      ))}
      <div className="row">
        <button type="button" onClick={addParam} disabled={busy}>
          Add parameter
        </button>
      </div>

      <p role="status" data-testid="sweep-plan">
        {runs !== null
          ? `${runs} run${runs === 1 ? '' : 's'} (${runs / draft.seedsPerPoint} point${runs / draft.seedsPerPoint === 1 ? '' : 's'} × ${draft.seedsPerPoint} seed${draft.seedsPerPoint === 1 ? '' : 's'}), ≈ ${fmtDuration(eta)} on ${Math.min(workers, runs)} worker${Math.min(workers, runs) === 1 ? '' : 's'} (rough estimate; refined as runs finish)`
          : (error ?? '')}
      </p>
      {draftError && (
        <p className="error-box" role="alert">
          {draftError}
        </p>
      )}
      <div className="row">
        <button type="button" onClick={() => void startSweep(rt)} disabled={busy || runs === null}>
          Start sweep
        </button>
      </div>
    </section>
  );
}

function NumberInput(props: { label: string; value: number; min: number; disabled: boolean; onChange(v: number): void }) {
  const [text, setText] = useState(String(props.value));
  useEffect(() => setText(String(props.value)), [props.value]);
  const bad = !/^\d+$/.test(text.trim()) || Number(text) < props.min;
  return (
    <label className={`field${bad ? ' field-invalid' : ''}`}>
      <span className="field-label">{props.label}</span>
      <input
        type="text"
        inputMode="numeric"
        aria-label={props.label}
        aria-invalid={bad}
        value={text}
        disabled={props.disabled}
        onChange={(e) => {
          setText(e.target.value);
          const v = Number(e.target.value);
          if (/^\d+$/.test(e.target.value.trim()) && v >= props.min) props.onChange(v);
        }}
      />
      {bad && <span className="field-error">a whole number ≥ {props.min}</span>}
    </label>
  );
}

function ParamRow(props: { index: number; param: ParamDraft; options: ReturnType<typeof sweepKeysFor>; disabled: boolean; onChange(p: Partial<ParamDraft>): void; onRemove(): void }) {
  const { index, param: p, options, disabled, onChange } = props;
  const known = options.some((o) => o.key === p.key);
  const n = index + 1;
  return (
    <fieldset className="row" aria-label={`Parameter ${n}`} style={{ border: '1px solid #e3e6ea', padding: 8, marginBottom: 6 }}>
      <label>
        Setting{' '}
        <select
          aria-label={`Parameter ${n} setting`}
          value={known ? p.key : '__other'}
          disabled={disabled}
          onChange={(e) => {
            const o = options.find((x) => x.key === e.target.value);
            onChange(o ? { key: o.key, kind: 'list', list: o.suggest.map(String).join(', ') } : { key: '' });
          }}
        >
          {options.map((o) => (
            <option key={o.key} value={o.key}>
              {o.group} · {o.label}
            </option>
          ))}
          <option value="__other">Other (type a key)…</option>
        </select>
      </label>
      {!known && <input type="text" aria-label={`Parameter ${n} key`} placeholder="e.g. agent.vfCoef" value={p.key} disabled={disabled} onChange={(e) => onChange({ key: e.target.value })} />}
      <label>
        Values{' '}
        <select aria-label={`Parameter ${n} values kind`} value={p.kind} disabled={disabled} onChange={(e) => onChange({ kind: e.target.value as ValuesKind })}>
          <option value="list">list</option>
          <option value="range">range</option>
          <option value="log-range">log range</option>
        </select>
      </label>
      {p.kind === 'list' ? (
        <input type="text" aria-label={`Parameter ${n} values`} placeholder="0.001, 0.01" value={p.list} disabled={disabled} onChange={(e) => onChange({ list: e.target.value })} style={{ minWidth: 200 }} />
      ) : (
        <>
          <input type="text" aria-label={`Parameter ${n} min`} placeholder="min" value={p.min} disabled={disabled} onChange={(e) => onChange({ min: e.target.value })} size={8} />
          <input type="text" aria-label={`Parameter ${n} max`} placeholder="max" value={p.max} disabled={disabled} onChange={(e) => onChange({ max: e.target.value })} size={8} />
          <input type="text" aria-label={`Parameter ${n} steps`} placeholder="steps" value={p.steps} disabled={disabled} onChange={(e) => onChange({ steps: e.target.value })} size={4} />
          {p.kind === 'range' && (
            <label>
              <input type="checkbox" checked={p.integer} disabled={disabled} onChange={(e) => onChange({ integer: e.target.checked })} /> integers
            </label>
          )}
        </>
      )}
      {p.tied && <span className="muted">tied: {p.tied.replace(/\n/g, '; ')}</span>}
      <button type="button" aria-label={`Remove parameter ${n}`} onClick={props.onRemove} disabled={disabled}>
        Remove
      </button>
    </fieldset>
  );
}

function Progress() {
  const status = useSweep((s) => s.status);
  const runs = useSweep((s) => s.runs);
  const progress = useSweep((s) => s.progress);
  const results = useSweep((s) => s.results);
  const startedAt = useSweep((s) => s.startedAt);
  const workers = useSweep((s) => s.workers);
  const backend = useSweep((s) => s.backend);
  const metric = useSweep((s) => s.metric);
  const finished = results.length;
  const total = runs.length;
  const wall = results.map((r) => r.wallSeconds ?? 0).filter((w) => w > 0);
  const perRun = wall.length ? wall.reduce((a, b) => a + b, 0) / wall.length : null;
  const eta = perRun !== null && total > finished ? ((total - finished) * perRun) / Math.max(1, Math.min(workers, total - finished)) : null;
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
        {startedAt && status !== 'running' && status !== 'paused' && status !== 'validating' && <span className="muted">took {fmtDuration((Date.now() - startedAt) / 1000)}</span>}
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
                  <td title={p?.phase}>{p?.state === 'failed' ? `failed: ${p.phase}` : (p?.state ?? 'queued')}</td>
                  <td>
                    <progress max={Math.max(1, p?.total ?? 1)} value={p?.state === 'done' ? (p.total ?? 1) : (p?.step ?? 0)} aria-label={`Progress of ${r.id}`} />
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

type SortKey = { key: string; dir: 1 | -1 };

function Results() {
  const spec = useSweep((s) => s.spec);
  const results = useSweep((s) => s.results);
  const metric = useSweep((s) => s.metric);
  const backend = useSweep((s) => s.backend);
  const runs = useSweep((s) => s.runs);
  const params = useMemo(() => (spec ? spec.params.flatMap((p) => [p.key, ...Object.keys(p.tied ?? {})]) : []), [spec]);
  const summary = useMemo(() => summarizeSweep(results, metric), [results, metric]);
  const [sort, setSort] = useState<SortKey>({ key: metric, dir: -1 });
  const [scatterParam, setScatterParam] = useState<string>('');
  const [topK, setTopK] = useState(3);
  const xParam = params.includes(scatterParam) ? scatterParam : (params[0] ?? '');
  const higher = higherIsBetterFor(metric);

  const sorted = useMemo(() => {
    const val = (p: PointSummary) => (sort.key.startsWith('param:') ? p.point[sort.key.slice(6)] : p.mean[sort.key]);
    return [...summary.points].sort((a, b) => {
      const x = val(a);
      const y = val(b);
      if (typeof x === 'number' && typeof y === 'number') {
        if (!Number.isFinite(x)) return 1;
        if (!Number.isFinite(y)) return -1;
        return (x - y) * sort.dir;
      }
      return String(x).localeCompare(String(y)) * sort.dir;
    });
  }, [summary.points, sort]);
  const top = useMemo(
    () =>
      [...summary.points]
        .filter((p) => Number.isFinite(p.mean[metric]))
        .sort((a, b) => (higher ? b.mean[metric] - a.mean[metric] : a.mean[metric] - b.mean[metric]))
        .slice(0, topK),
    [summary.points, metric, higher, topK],
  );
  if (!spec) return null;
  const grid2d = spec.mode === 'grid' && spec.params.length === 2 && !spec.params.some((p) => p.tied);
  const header = (key: string, label: string) => {
    const active = sort.key === key;
    return (
      <th scope="col" aria-sort={active ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}>
        <button type="button" className="seg" onClick={() => setSort({ key, dir: active ? (sort.dir === 1 ? -1 : 1) : -1 })}>
          {label}
          {active ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
        </button>
      </th>
    );
  };
  const best = summary.best;
  return (
    <section className="panel" aria-labelledby="sweep-results-h">
      <h2 id="sweep-results-h">Sweep results</h2>
      <div className="row">
        <label>
          Metric{' '}
          <select aria-label="Selection metric" value={metric} onChange={(e) => useSweep.getState().set({ metric: e.target.value })}>
            {SELECT_METRICS.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => exportCsv(spec, results)}>
          Export CSV
        </button>
        <button type="button" onClick={() => exportJson(spec, results, metric, backend, runs.length)}>
          Export JSON
        </button>
      </div>

      <div className="panel" aria-label="Model selection" data-testid="sweep-selection">
        <h3>Model selection (on the validation split)</h3>
        {best ? (
          <>
            <p>
              Best point by <strong>{metric}</strong> ({higher ? 'higher' : 'lower'} is better):{' '}
              <strong>
                {Object.entries(best.point)
                  .map(([k, v]) => `${labelOf(k)} = ${String(v)}`)
                  .join(', ')}
              </strong>{' '}
              — {fmtCompact(best.valid[metric]?.mean ?? NaN)} ± {fmtCompact(best.valid[metric]?.std ?? NaN)} over {best.n} seed{best.n === 1 ? '' : 's'}.
            </p>
            <table className="data" aria-label="Test metrics of the chosen point">
              <caption>
                <strong>TEST split, chosen point only</strong> — reported after the choice, never used to make it.
              </caption>
              <thead>
                <tr>
                  {TEST_METRICS.map((m) => (
                    <th key={m} scope="col">
                      {m}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                <tr>
                  {TEST_METRICS.map((m) => (
                    <td key={m} data-metric={m}>
                      {best.test[m] ? `${fmtCompact(best.test[m].mean)} ± ${fmtCompact(best.test[m].std)}` : '—'}
                    </td>
                  ))}
                </tr>
              </tbody>
            </table>
          </>
        ) : (
          <p className="muted">No point has a finite {metric} yet.</p>
        )}
      </div>

      <h3>Points (mean ± std over seeds)</h3>
      <div className="table-scroll" style={{ maxHeight: 420 }}>
        <table className="data" aria-label="Sweep results by point">
          <thead>
            <tr>
              {params.map((k) => header(`param:${k}`, labelOf(k)))}
              <th scope="col">Seeds</th>
              {[...new Set([metric, ...TABLE_METRICS])].map((m) => header(m, m))}
            </tr>
          </thead>
          <tbody>
            {sorted.map((p) => (
              <tr key={p.pointIndex} data-point={p.pointIndex} aria-current={best?.pointIndex === p.pointIndex ? 'true' : undefined} style={best?.pointIndex === p.pointIndex ? { fontWeight: 600 } : undefined}>
                {params.map((k) => (
                  <td key={k}>{String(p.point[k])}</td>
                ))}
                <td>
                  {p.n}
                  {p.failed ? ` (+${p.failed} failed)` : ''}
                </td>
                {[...new Set([metric, ...TABLE_METRICS])].map((m) => (
                  <td key={m} data-metric={m}>
                    {Number.isFinite(p.mean[m]) ? `${fmtCompact(p.mean[m])} ± ${fmtCompact(p.std[m])}` : '—'}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <div className="chart-grid">
        <div className="chart-card">
          <h3>Metric vs parameter</h3>
          <label>
            Parameter{' '}
            <select aria-label="Scatter parameter" value={xParam} onChange={(e) => setScatterParam(e.target.value)}>
              {params.map((k) => (
                <option key={k} value={k}>
                  {labelOf(k)}
                </option>
              ))}
            </select>
          </label>
          <MetricScatter results={results} points={summary.points} param={xParam} metric={metric} logX={spec.params.find((p) => p.key === xParam)?.values.kind === 'log-range'} />
        </div>
        <div className="chart-card">
          <h3>Parallel coordinates</h3>
          <ParallelCoordinates points={summary.points} params={params} metric={metric} />
        </div>
        <div className="chart-card">
          <h3>Equity of the top points</h3>
          <label>
            Top k{' '}
            <select aria-label="Top k" value={topK} onChange={(e) => setTopK(Number(e.target.value))}>
              {[1, 3, 5, 8].map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </label>
          <EquityOverlay results={results} top={top} />
        </div>
        {grid2d && (
          <div className="chart-card">
            <h3>Heatmap</h3>
            <Heatmap points={summary.points} rowKey={spec.params[0].key} colKey={spec.params[1].key} metric={metric} />
          </div>
        )}
      </div>
    </section>
  );
}
