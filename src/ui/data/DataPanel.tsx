import { useId, useMemo, useRef, useState, type DragEvent } from 'react';
import type { Panel } from '../../../workers/protocol.ts';
import type { EnumField } from '../../core/experiment/fields.ts';
import { DATA_FIELDS } from '../../core/experiment/vocabulary.ts';
import { workflowFieldOf } from '../../core/workflows/registry.ts';
import { flatValues, splitMode } from '../../store/experiment.ts';
import { useLab } from '../../store/index.ts';
import type { PanelProps } from '../App.tsx';
import { fmtCompact } from '../charts/format.ts';
import { TimeSeriesChart } from '../charts/TimeSeriesChart.tsx';
import { ExperimentFields } from '../common/Field.tsx';
import { useStagedSections } from '../common/staged.ts';
import { sectionFields, useWorkflow } from '../common/workflow.ts';
import { LearnButton } from '../learn/LearnButton.tsx';
import { usePanel, useRuntime } from '../runtime/context.tsx';
import { importFiles } from './loader.ts';
import { splitRows, SplitTimeline } from './SplitTimeline.tsx';

const KIND_FIELD = DATA_FIELDS.find((f) => f.path === 'data.kind') as EnumField;
const NAME_FIELD = DATA_FIELDS.find((f) => f.path === 'data.name') as EnumField;
type Kind = 'embedded' | 'synthetic' | 'panel';

/** The data choices of the workflow: each embedded dataset, the synthetic market, CSV files. */
function sourceOptions(kinds: readonly Kind[]): { kind: Kind; name?: string; label: string }[] {
  return kinds.flatMap((kind): { kind: Kind; name?: string; label: string }[] =>
    kind === 'embedded'
      ? NAME_FIELD.options.map((o) => ({ kind, name: o.value, label: o.label }))
      : [{ kind, label: KIND_FIELD.options.find((o) => o.value === kind)?.label ?? kind }],
  );
}

export function DataPanel(_: PanelProps) {
  const kind = useLab((s) => s.experiment.values['data.kind'] as Kind);
  const name = useLab((s) => s.experiment.values['data.name']);
  const setSource = useLab((s) => s.setDataSource);
  const workflow = useWorkflow();
  const panel = usePanel();
  if (workflow.data.kinds.length === 0)
    return (
      <div className="stack">
        <section className="panel" aria-labelledby="data-h">
          <h2 id="data-h">Data</h2>
          <p data-testid="no-data-needed">
            {workflow.title} needs {workflow.data.needs}. Nothing to load here: its settings are in Setup, and
            Train starts it.
          </p>
        </section>
      </div>
    );
  return (
    <div className="stack">
      <section className="panel" aria-labelledby="data-h">
        <h2 id="data-h">Data</h2>
        <p className="muted">
          {workflow.title} needs {workflow.data.needs}.
        </p>
        <fieldset className="pill-group" aria-label="Dataset">
          {sourceOptions(workflow.data.kinds).map((o) => (
            <label key={`${o.kind}:${o.name ?? ''}`}>
              <input
                type="radio"
                name="dataset"
                value={o.name ?? o.kind}
                checked={kind === o.kind && (o.name === undefined || name === o.name)}
                onChange={() => setSource(o.kind, o.name)}
              />
              {o.label}
            </label>
          ))}
        </fieldset>
        {kind === 'synthetic' && <SyntheticKnobs />}
        <CsvLoader />
        <LoadStatus />
      </section>
      {workflow.postsSource && <SignalsLoader path={workflow.postsSource} />}
      {panel && (
        <>
          <section className="panel" aria-labelledby="assets-h">
            <h2 id="assets-h">Assets and splits</h2>
            <AssetPicker panel={panel} />
            <h3>
              Splits <LearnButton id="splits" />
            </h3>
            <SplitTimeline panel={panel} />
            <SplitFields panel={panel} />
          </section>
          <section className="panel" aria-labelledby="preview-h">
            <h2 id="preview-h">Preview</h2>
            <PriceCharts panel={panel} />
            <PreviewTable panel={panel} />
          </section>
        </>
      )}
    </div>
  );
}

/**
 * A workflow's posts (kol's, the ensemble's news): generated, or the user's signals CSV, read by
 * the import worker into a report naming file, line and column; the run parses the same file again.
 */
function SignalsLoader({ path }: { path: string }) {
  const rt = useRuntime();
  const inputId = useId();
  const field = workflowFieldOf(path);
  const options = field?.kind === 'enum' ? field.options : [];
  const source = useLab((s) => flatValues(s.experiment)[path]);
  const setValue = useLab((s) => s.setValue);
  const signals = useLab((s) => s.signals);
  const setSignals = useLab((s) => s.setSignals);
  const scorer = useLab((s) => String(flatValues(s.experiment)['kol.scorer']));
  const onFile = async (file: File | undefined) => {
    if (!file) return;
    setSignals({ name: file.name, size: file.size, status: 'loading', posts: 0, report: '' });
    try {
      const r = await rt.importer().call((w) => w.importSignals(file, scorer));
      rt.signalsFile = r.ok ? file : null;
      setSignals({
        name: file.name,
        size: file.size,
        status: r.ok ? 'ok' : 'error',
        posts: r.posts,
        report: r.report,
      });
    } catch (e) {
      rt.signalsFile = null;
      setSignals({ name: file.name, size: file.size, status: 'error', posts: 0, report: String(e) });
    }
  };
  return (
    <section className="panel" aria-labelledby="signals-h">
      <h2 id="signals-h">Posts</h2>
      <p className="muted">{field?.help}</p>
      <fieldset className="pill-group" aria-label="Posts">
        {options.map((o) => (
          <label key={o.value}>
            <input
              type="radio"
              name="signals-source"
              checked={source === o.value}
              onChange={() => setValue(path, o.value)}
            />
            {o.value === 'file' ? 'My signals CSV' : o.label}
          </label>
        ))}
      </fieldset>
      {source === 'file' && (
        <div className="stack" style={{ marginTop: 12 }}>
          <p>
            <label htmlFor={inputId}>
              <strong>Load signals CSV</strong>
            </label>{' '}
            <input
              id={inputId}
              type="file"
              accept=".csv,.tsv,.txt,text/csv"
              aria-label="Load signals CSV"
              onChange={(e) => {
                void onFile(e.target.files?.[0]);
                e.target.value = '';
              }}
            />
          </p>
          <p className="muted">
            One row per post: date, ticker, and sentiment (−1..1) with confidence (0..1), or the text (scored
            by a finance-aware lexicon); optional author, post id, url. Columns are found by header.
          </p>
          {signals && (
            <section aria-label="Signals import report" data-status={signals.status}>
              {signals.status === 'loading' ? (
                <p role="status">Reading {signals.name}…</p>
              ) : (
                <>
                  <p>
                    <strong>{signals.name}</strong>{' '}
                    {signals.status === 'ok' ? (
                      <span className="badge ok">loaded · {signals.posts.toLocaleString('en-US')} posts</span>
                    ) : (
                      <span className="badge bad">not loaded</span>
                    )}
                  </p>
                  <pre className="report-text">{signals.report}</pre>
                </>
              )}
            </section>
          )}
        </div>
      )}
    </section>
  );
}

function SyntheticKnobs() {
  const workflow = useWorkflow();
  const fields = sectionFields(workflow, 'data').filter((f) => f.path.startsWith('data.config.'));
  return (
    <div className="stack" style={{ marginTop: 12 }}>
      <h3>Synthetic market</h3>
      <ExperimentFields fields={fields} />
    </div>
  );
}

function CsvLoader() {
  const rt = useRuntime();
  const inputId = useId();
  const [over, setOver] = useState(false);
  const files = useLab((s) => s.files);
  const inputRef = useRef<HTMLInputElement>(null);
  const onFiles = (list: FileList | null) => {
    if (!list || list.length === 0) return;
    void importFiles(rt, [...list]);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    onFiles(e.dataTransfer.files);
  };
  return (
    <div className="stack" style={{ marginTop: 12 }}>
      <div
        className={`drop-zone${over ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <label htmlFor={inputId}>
          <strong>Load CSV</strong>
        </label>{' '}
        <input
          id={inputId}
          ref={inputRef}
          type="file"
          accept=".csv,.txt,text/csv"
          multiple
          aria-label="Load CSV"
          onChange={(e) => {
            onFiles(e.target.files);
            e.target.value = '';
          }}
        />
        <p className="muted">
          or drop files here — Yahoo layout (one file per ticker), long (date, symbol, OHLCV) or wide (date,
          AAPL, MSFT, …). Files stay on this computer.
          <LearnButton id="import-report" />
        </p>
      </div>
      {files.length > 0 && (
        <section aria-label="Import report">
          <h3>Import report</h3>
          <ul className="report-list">
            {files.map((f) => (
              <li
                key={f.name}
                className={f.status === 'error' ? 'error' : f.status === 'warning' ? 'warning' : ''}
                data-file={f.name}
              >
                <strong>{f.name}</strong>{' '}
                {f.status === 'error' ? (
                  <span className="badge bad">not loaded</span>
                ) : (
                  <span className="badge ok">
                    loaded · {f.assets.join(', ')} · {f.rows} rows
                  </span>
                )}
                {f.messages.length > 0 && (
                  <ul>
                    {f.messages.slice(0, 30).map((m, i) => (
                      <li key={i} className={m.level}>
                        {m.level === 'error' ? 'Error: ' : m.level === 'warning' ? 'Warning: ' : ''}
                        {m.text}
                      </li>
                    ))}
                    {f.messages.length > 30 && <li>… and {f.messages.length - 30} more</li>}
                  </ul>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function LoadStatus() {
  const load = useLab((s) => s.dataLoad);
  if (load.status === 'loading')
    return (
      <div className="row" role="status" aria-live="polite" style={{ marginTop: 12 }}>
        <progress max={1} value={load.progress} aria-label="Import progress" />
        <span>{load.phase}</span>
      </div>
    );
  if (load.status === 'error')
    return (
      <div className="error-box" role="alert" style={{ marginTop: 12 }}>
        Data could not be loaded: {load.error}
      </div>
    );
  if (load.status === 'ready' && load.meta)
    return (
      <p className="muted" role="status" style={{ marginTop: 12 }} data-testid="dataset-meta">
        {load.meta.label}: {load.meta.assets.length} asset{load.meta.assets.length === 1 ? '' : 's'} ×{' '}
        {load.meta.rows} dates, {load.meta.start} → {load.meta.end}
      </p>
    );
  return null;
}

function AssetPicker({ panel }: { panel: Panel }) {
  const selected = useLab((s) => s.experiment.assets);
  const setAssets = useLab((s) => s.setAssets);
  const all = selected.length === 0;
  const toggle = (a: string) => {
    const current = all ? panel.assets : selected;
    const next = current.includes(a) ? current.filter((x) => x !== a) : [...current, a];
    // Everything selected is stored as "all" so links stay short and robust.
    setAssets(next.length === panel.assets.length ? [] : next.length === 0 ? current : next);
  };
  return (
    <fieldset className="pill-group" aria-label="Assets">
      {panel.assets.map((a) => (
        <label key={a}>
          <input type="checkbox" checked={all || selected.includes(a)} onChange={() => toggle(a)} />
          {a}
        </label>
      ))}
    </fieldset>
  );
}

/** The split fields: dates, or shares of the rows; switching keeps where the boundaries are. */
function SplitFields({ panel }: { panel: Panel }) {
  const workflow = useWorkflow();
  const experiment = useLab((s) => s.experiment);
  const setSplits = useLab((s) => s.setSplits);
  const values = flatValues(experiment);
  const mode = splitMode(values);
  const toMode = (next: 'dates' | 'fractions') => {
    if (next === mode) return;
    const rows = splitRows(panel.dates, values);
    const T = panel.dates.length;
    if (next === 'fractions') {
      const share = (n: number) => Math.min(0.98, Math.max(0.01, Math.round((1000 * n) / T) / 1000));
      setSplits(
        {
          'splits.fractions.train': share(rows[1].start),
          'splits.fractions.valid': share(Math.max(rows[2].start - rows[1].start, 1)),
        },
        true,
      );
    } else {
      const v: Record<string, string> = {};
      for (const r of rows) {
        v[`splits.${r.name}.start`] = panel.dates[Math.min(r.start, T - 1)];
        v[`splits.${r.name}.end`] = panel.dates[Math.max(Math.min(r.end, T) - 1, 0)];
      }
      setSplits(v, true);
    }
  };
  return (
    <>
      <fieldset className="pill-group" aria-label="Split by">
        {(['dates', 'fractions'] as const).map((m) => (
          <label key={m}>
            <input type="radio" name="split-mode" checked={mode === m} onChange={() => toMode(m)} />
            {m === 'dates' ? 'Dates' : 'Shares of the rows'}
          </label>
        ))}
      </fieldset>
      <ExperimentFields fields={sectionFields(workflow, 'splits')} />
    </>
  );
}

const MAX_PRICE_CHARTS = 8;

function PriceCharts({ panel }: { panel: Panel }) {
  const selected = useLab((s) => s.experiment.assets);
  const shown = (selected.length > 0 ? selected : panel.assets).slice(0, MAX_PRICE_CHARTS);
  const N = panel.assets.length;
  const charts = useMemo(
    () =>
      shown.map((a) => {
        const j = panel.assets.indexOf(a);
        const values = new Float64Array(panel.dates.length);
        for (let t = 0; t < values.length; t++) values[t] = panel.close[t * N + j];
        return { asset: a, series: [{ key: 'close', label: `${a} close`, values }] };
      }),
    [panel, shown.join(','), N], // eslint-disable-line react-hooks/exhaustive-deps
  );
  // One chart per task: each draws and rasterises its canvas when it mounts (~5–10 ms apiece).
  const stage = useStagedSections(charts.length, charts);
  return (
    <div className="chart-grid">
      {charts.slice(0, stage).map((c) => (
        <div key={c.asset} className="chart-card">
          <h3>{c.asset}</h3>
          <TimeSeriesChart
            title={`${c.asset} close price`}
            x={panel.dates}
            series={c.series}
            yFormat={fmtCompact}
            height={200}
            yLabel="price"
          />
        </div>
      ))}
      {(selected.length > 0 ? selected : panel.assets).length > MAX_PRICE_CHARTS && (
        <p className="muted">
          Showing the first {MAX_PRICE_CHARTS} assets; select assets above to choose which.
        </p>
      )}
    </div>
  );
}

function PreviewTable({ panel }: { panel: Panel }) {
  const N = panel.assets.length;
  const T = panel.dates.length;
  const rows = useMemo(() => {
    const idx = T <= 10 ? [...Array(T).keys()] : [0, 1, 2, 3, 4, -1, T - 5, T - 4, T - 3, T - 2, T - 1];
    return idx;
  }, [T]);
  const asset = 0;
  return (
    <div>
      <h3>
        First and last rows ({panel.assets[asset]}
        {N > 1 ? ` of ${N} assets` : ''})
      </h3>
      <div className="table-scroll">
        <table className="data" aria-label="Data preview">
          <thead>
            <tr>
              <th>Date</th>
              <th>Open</th>
              <th>High</th>
              <th>Low</th>
              <th>Close</th>
              <th>Volume</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((t, k) =>
              t < 0 ? (
                <tr key={`gap-${k}`}>
                  <td colSpan={6}>⋮ {T - 10} more rows</td>
                </tr>
              ) : (
                <tr key={t}>
                  <td>{panel.dates[t]}</td>
                  <td>{fmtCompact(panel.open[t * N + asset])}</td>
                  <td>{fmtCompact(panel.high[t * N + asset])}</td>
                  <td>{fmtCompact(panel.low[t * N + asset])}</td>
                  <td>{fmtCompact(panel.close[t * N + asset])}</td>
                  <td>{fmtCompact(panel.volume[t * N + asset])}</td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
