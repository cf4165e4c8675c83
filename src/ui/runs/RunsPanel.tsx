import { useEffect, useMemo, useState } from 'react';
import type { RunEvaluation } from '../../../workers/protocol.ts';
import { experimentOfHash } from '../../store/experiment.ts';
import { cliCommand, copyText, downloadConfig } from '../common/configExport.ts';
import { needsPriceData } from '../../core/workflows/registry.ts';
import { useLab } from '../../store/index.ts';
import type { RunSummary, SplitName } from '../../store/types.ts';
import type { PanelProps } from '../App.tsx';
import { fmtPct } from '../charts/format.ts';
import { colorAt } from '../charts/palette.ts';
import { TimeSeriesChart, type LineSeries } from '../charts/TimeSeriesChart.tsx';
import { useStagedSections } from '../common/staged.ts';
import { learnerLabel } from '../common/workflow.ts';
import { fmtDrawdown, fmtEquity, fmtMetric, METRIC_COLUMNS, UNDERWATER } from '../results/ResultsPanel.tsx';
import { useRuntime } from '../runtime/context.tsx';
import { evaluateModelFile } from './evaluateModel.ts';
import {
  checkpointToJson,
  download,
  equityCsv,
  learningCsv,
  metricsCsv,
  runToJson,
  safeFileName,
} from './exporters.ts';
import { removeRun, renameRun, runDetail } from './history.ts';

export function RunsPanel({ onNavigate }: PanelProps) {
  const runs = useLab((s) => s.runs);
  const loaded = useLab((s) => s.runsLoaded);
  const compareIds = useLab((s) => s.compareIds);
  return (
    <div className="stack">
      <section className="panel" aria-labelledby="runs-h">
        <h2 id="runs-h">Runs</h2>
        <p className="muted">
          Every run is saved in this browser (IndexedDB) with its configuration, metrics, curves and model.
          Tick runs to compare them.
        </p>
        {!loaded && <p role="status">Reading saved runs…</p>}
        {loaded && runs.length === 0 && <p className="muted">No runs yet.</p>}
        {runs.length > 0 && <RunsTable runs={runs} onNavigate={onNavigate} />}
        <LoadModel />
      </section>
      {compareIds.length >= 2 && <Compare ids={compareIds} />}
      {compareIds.length === 1 && <p className="muted">Tick one more run to compare.</p>}
    </div>
  );
}

function RunsTable({ runs, onNavigate }: { runs: RunSummary[]; onNavigate: PanelProps['onNavigate'] }) {
  const compareIds = useLab((s) => s.compareIds);
  const toggle = useLab((s) => s.toggleCompare);
  const selectRun = useLab((s) => s.selectRun);
  const loadExperiment = useLab((s) => s.loadExperiment);
  const [editing, setEditing] = useState<string | null>(null);
  const [draft, setDraft] = useState('');

  const exportRun = async (r: RunSummary, kind: 'json' | 'equity' | 'metrics' | 'learning' | 'model') => {
    const d = await runDetail(r.id);
    const base = safeFileName(r.name);
    if (kind === 'json') download(`${base}.json`, runToJson(r, d));
    else if (kind === 'equity') download(`${base}-equity.csv`, equityCsv(d), 'text/csv');
    else if (kind === 'metrics') download(`${base}-metrics.csv`, metricsCsv(d), 'text/csv');
    else if (kind === 'learning') download(`${base}-learning.csv`, learningCsv(d), 'text/csv');
    else if (d?.checkpoint) download(`${base}-model.json`, checkpointToJson(d.checkpoint));
  };

  return (
    <div className="table-scroll" style={{ maxHeight: 480 }}>
      <table className="data" aria-label="Saved runs">
        <thead>
          <tr>
            <th scope="col">Compare</th>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Steps</th>
            <th scope="col">Backend</th>
            <th scope="col">Test Sharpe</th>
            <th scope="col">Test return</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} data-run={r.id}>
              <td>
                <input
                  type="checkbox"
                  checked={compareIds.includes(r.id)}
                  onChange={() => toggle(r.id)}
                  aria-label={`Compare ${r.name}`}
                />
              </td>
              <td style={{ textAlign: 'left' }}>
                {editing === r.id ? (
                  <form
                    onSubmit={(e) => {
                      e.preventDefault();
                      void renameRun(r.id, draft.trim() || r.name);
                      setEditing(null);
                    }}
                  >
                    <input
                      value={draft}
                      onChange={(e) => setDraft(e.target.value)}
                      aria-label="New run name"
                      autoFocus
                      onBlur={() => setEditing(null)}
                      onKeyDown={(e) => e.key === 'Escape' && setEditing(null)}
                    />
                  </form>
                ) : (
                  <span>{r.name}</span>
                )}
                <div className="muted" style={{ fontSize: 11 }}>
                  {new Date(r.createdAt).toLocaleString()}
                </div>
              </td>
              <td title={r.endReason}>{r.status}</td>
              <td>{r.steps.toLocaleString('en-US')}</td>
              <td>{r.backend}</td>
              <td>{fmtMetric('sharpe', r.metrics.test?.sharpe)}</td>
              <td>{fmtPct(r.metrics.test?.total_return ?? NaN)}</td>
              <td style={{ textAlign: 'left' }}>
                <div className="row" style={{ gap: 4 }}>
                  <button
                    type="button"
                    onClick={() => {
                      selectRun(r.id);
                      onNavigate('results');
                    }}
                  >
                    Results
                  </button>
                  <button
                    type="button"
                    title="Load this run's configuration into the editor"
                    onClick={() => {
                      const { experiment, notices } = experimentOfHash(r.hash);
                      loadExperiment(experiment, notices);
                    }}
                  >
                    Load config
                  </button>
                  <button
                    type="button"
                    aria-label={`Download config of ${r.name}`}
                    title="The run's ExperimentConfig JSON: npx lab train --config FILE reproduces it"
                    onClick={() => downloadConfig(experimentOfHash(r.hash).experiment, r.name)}
                  >
                    Config
                  </button>
                  <button
                    type="button"
                    aria-label={`Copy CLI command of ${r.name}`}
                    title="npx lab train --config <the run's config file> --out runs/<name>"
                    onClick={() =>
                      void copyText(cliCommand(experimentOfHash(r.hash).experiment, r.name), 'command')
                    }
                  >
                    CLI
                  </button>
                  <button
                    type="button"
                    aria-label={`Rename ${r.name}`}
                    onClick={() => {
                      setDraft(r.name);
                      setEditing(r.id);
                    }}
                  >
                    Rename
                  </button>
                  <button type="button" onClick={() => void exportRun(r, 'json')}>
                    JSON
                  </button>
                  <button
                    type="button"
                    onClick={() => void exportRun(r, 'equity')}
                    title="equity.csv (metrics.csv and learning.csv with Shift)"
                  >
                    CSV
                  </button>
                  <button type="button" onClick={() => void exportRun(r, 'metrics')}>
                    Metrics CSV
                  </button>
                  <button type="button" onClick={() => void exportRun(r, 'learning')}>
                    Learning CSV
                  </button>
                  <button
                    type="button"
                    disabled={!r.hasCheckpoint}
                    onClick={() => void exportRun(r, 'model')}
                  >
                    Model
                  </button>
                  <button
                    type="button"
                    aria-label={`Delete ${r.name}`}
                    onClick={() => {
                      if (window.confirm(`Delete the run “${r.name}”?`)) void removeRun(r.id);
                    }}
                  >
                    Delete
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function LoadModel() {
  const rt = useRuntime();
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="row" style={{ marginTop: 12 }}>
      <label>
        <strong>Evaluate a saved model</strong>{' '}
        <input
          type="file"
          accept=".json,application/json"
          aria-label="Load model"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (!f) return;
            setError(null);
            setStatus(`Evaluating ${f.name} on the current data…`);
            evaluateModelFile(rt, f).then(
              () => setStatus(`${f.name} evaluated; see Results.`),
              (err: unknown) => {
                setStatus(null);
                setError(err instanceof Error ? err.message : String(err));
              },
            );
          }}
        />
      </label>
      {status && <span role="status">{status}</span>}
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

function useEvaluations(ids: string[]): Record<string, RunEvaluation | null> {
  const [state, setState] = useState<Record<string, RunEvaluation | null>>({});
  const key = ids.join(',');
  useEffect(() => {
    let alive = true;
    void Promise.all(
      key.split(',').map(async (id) => [id, (await runDetail(id))?.evaluation ?? null] as const),
    ).then((entries) => {
      if (alive) setState(Object.fromEntries(entries));
    });
    return () => {
      alive = false;
    };
  }, [key]);
  return state;
}

function Compare({ ids }: { ids: string[] }) {
  const runs = useLab((s) => s.runs);
  const evals = useEvaluations(ids);
  const [split, setSplit] = useState<SplitName>('test');
  const chosen = ids
    .map((id) => runs.find((r) => r.id === id))
    .filter((r): r is RunSummary => r !== undefined);
  const { equity, drawdown } = useMemo(() => {
    // Overlay on the union of dates of the split (runs may differ in data or splits).
    const dates = [
      ...new Set(chosen.flatMap((r) => evals[r.id]?.splits.find((s) => s.split === split)?.dates ?? [])),
    ].sort();
    const pos = new Map(dates.map((d, i) => [d, i]));
    const eq: LineSeries[] = [];
    const dd: LineSeries[] = [];
    chosen.forEach((r, i) => {
      const s = evals[r.id]?.splits.find((sp) => sp.split === split);
      if (!s) return;
      const e = new Float64Array(dates.length).fill(NaN);
      const d = new Float64Array(dates.length).fill(NaN);
      s.dates.forEach((date, t) => {
        e[pos.get(date)!] = s.equity.agent?.[t] ?? NaN;
        d[pos.get(date)!] = s.drawdown.agent?.[t] ?? NaN;
      });
      eq.push({ key: `r${i}`, label: r.name, values: e, color: colorAt(i) });
      dd.push({ key: `r${i}`, label: r.name, values: d, color: colorAt(i) });
    });
    // The full series: the canvas chart decimates per pixel column.
    return { equity: { x: dates, series: eq }, drawdown: { x: dates, series: dd } };
  }, [chosen.map((r) => r.id).join(','), evals, split]); // eslint-disable-line react-hooks/exhaustive-deps
  // One chart per task (see ResultsPanel): opening or switching the comparison never blocks the page.
  const stage = useStagedSections(3, equity);
  return (
    <section className="panel" aria-labelledby="compare-h">
      <h2 id="compare-h">Compare runs</h2>
      {chosen.some((r) => !needsPriceData(r.experiment.workflow)) && (
        <p className="muted" data-testid="compare-no-splits">
          {chosen
            .filter((r) => !needsPriceData(r.experiment.workflow))
            .map((r) => r.name)
            .join(', ')}{' '}
          made no market splits (a supply-chain tournament): nothing of theirs to overlay or tabulate here;
          their tournament tables are in Results.
        </p>
      )}
      <fieldset className="pill-group" aria-label="Compare split">
        {(['train', 'valid', 'test'] as const).map((s) => (
          <label key={s}>
            <input type="radio" name="compare-split" checked={split === s} onChange={() => setSplit(s)} />
            {s}
          </label>
        ))}
      </fieldset>
      <div className="chart-grid">
        <div className="chart-card">
          <h3>Equity overlay</h3>
          {stage >= 2 && (
            <TimeSeriesChart
              title={`Equity of the compared runs on the ${split} split`}
              x={equity.x}
              series={equity.series}
              yFormat={fmtEquity}
              baseline={1}
            />
          )}
        </div>
        <div className="chart-card">
          <h3>Drawdown overlay</h3>
          {stage >= 3 && (
            <TimeSeriesChart
              title={`Drawdown of the compared runs on the ${split} split`}
              x={drawdown.x}
              series={drawdown.series}
              yFormat={fmtDrawdown}
              yDomain={UNDERWATER}
            />
          )}
        </div>
      </div>
      <h3>Metrics side by side ({split})</h3>
      <div className="table-scroll" style={{ maxHeight: 'none' }}>
        <table className="data" aria-label="Compared metrics">
          <thead>
            <tr>
              <th scope="col">Metric</th>
              {chosen.map((r) => (
                <th key={r.id} scope="col">
                  {r.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {METRIC_COLUMNS.map((c) => (
              <tr key={c.key}>
                <th scope="row">{c.label}</th>
                {chosen.map((r) => (
                  <td key={r.id}>{fmtMetric(c.key, r.metrics[split]?.[c.key])}</td>
                ))}
              </tr>
            ))}
            <tr>
              <th scope="row">Algorithm / seed / backend</th>
              {chosen.map((r) => (
                <td key={r.id}>
                  {learnerLabel(r.experiment.workflow, r.algo)} / {r.seed} / {r.backend}
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
    </section>
  );
}
