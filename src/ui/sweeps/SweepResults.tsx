/**
 * A sweep's results: model selection on validation (test shown for the chosen point only), the
 * table of mean ± std per point sorted by any column, scatter, parallel coordinates, equity of the
 * top k and a heatmap for 2-D grids (sorting and top k from core/sweeps/view.ts), CSV / JSON export.
 */
import { useMemo, useState } from 'react';
import { higherIsBetterFor, summarizeSweep, summaryMetricKeys } from '../../core/sweeps/results.ts';
import { nextSort, sortPoints, topPoints, type PointSort } from '../../core/sweeps/view.ts';
import { useLab } from '../../store/index.ts';
import { fmtCompact } from '../charts/format.ts';
import { EquityOverlay, FrontierChart, Heatmap, MetricScatter, ParallelCoordinates } from './charts.tsx';
import { exportCsv, exportJson } from './export.ts';
import { labelOf } from './keys.ts';

/** Metrics offered for selection and plots (validation split; test only for the chosen point). */
const SELECT_METRICS = [
  'valid/sharpe',
  'valid/total_return',
  'valid/cagr',
  'valid/sortino',
  'valid/calmar',
  'valid/max_drawdown',
  'valid/excess_return',
  'valid/annual_volatility',
  'valid/turnover',
  'train/sharpe',
  'train/total_return',
  'training/episodic_return',
];
const TABLE_METRICS = [
  'valid/sharpe',
  'valid/total_return',
  'valid/max_drawdown',
  'valid/excess_return',
  'train/sharpe',
];
const TEST_METRICS = [
  'test/sharpe',
  'test/total_return',
  'test/cagr',
  'test/max_drawdown',
  'test/excess_return',
];

export function Results() {
  const spec = useLab((s) => s.sweep.spec);
  const results = useLab((s) => s.sweep.results);
  const metric = useLab((s) => s.sweep.metric);
  const backend = useLab((s) => s.sweep.backend);
  const runs = useLab((s) => s.sweep.runs);
  const params = useMemo(
    () => (spec ? spec.params.flatMap((p) => [p.key, ...Object.keys(p.tied ?? {})]) : []),
    [spec],
  );
  const summary = useMemo(() => summarizeSweep(results, metric), [results, metric]);
  // A workflow without market splits (a tournament) reports run-level keys instead of valid/*.
  const ownKeys = useMemo(() => summaryMetricKeys(summary.points), [summary.points]);
  const splitless = ownKeys.length > 0 && !summary.points.some((p) => 'valid/sharpe' in p.mean);
  const selectMetrics = splitless ? ownKeys : [...SELECT_METRICS, ...ownKeys];
  const tableMetrics = splitless ? ownKeys.slice(0, 6) : TABLE_METRICS;
  const [sort, setSort] = useState<PointSort>({ key: metric, dir: -1 });
  const [scatterParam, setScatterParam] = useState<string>('');
  const [topK, setTopK] = useState(3);
  const xParam = params.includes(scatterParam) ? scatterParam : (params[0] ?? '');
  const higher = higherIsBetterFor(metric);

  const sorted = useMemo(() => sortPoints(summary.points, sort), [summary.points, sort]);
  const top = useMemo(
    () => topPoints(summary.points, metric, topK, higher),
    [summary.points, metric, higher, topK],
  );
  if (!spec) return null;
  const grid2d = spec.mode === 'grid' && spec.params.length === 2 && !spec.params.some((p) => p.tied);
  const header = (key: string, label: string) => {
    const active = sort.key === key;
    return (
      <th scope="col" aria-sort={active ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}>
        <button type="button" className="seg" onClick={() => setSort(nextSort(sort, key))}>
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
          <select
            aria-label="Selection metric"
            value={metric}
            onChange={(e) => useLab.getState().setSweep({ metric: e.target.value })}
          >
            {[...new Set([metric, ...selectMetrics])].map((m) => (
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
              — {fmtCompact(best.valid[metric]?.mean ?? NaN)} ± {fmtCompact(best.valid[metric]?.std ?? NaN)}{' '}
              over {best.n} seed{best.n === 1 ? '' : 's'}.
            </p>
            {!splitless && (
              <table className="data" aria-label="Test metrics of the chosen point">
                <caption>
                  <strong>TEST split, chosen point only</strong> — reported after the choice, never used to
                  make it.
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
                        {best.test[m]
                          ? `${fmtCompact(best.test[m].mean)} ± ${fmtCompact(best.test[m].std)}`
                          : '—'}
                      </td>
                    ))}
                  </tr>
                </tbody>
              </table>
            )}
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
              {[...new Set([metric, ...tableMetrics])].map((m) => header(m, m))}
            </tr>
          </thead>
          <tbody>
            {sorted.map((p) => (
              <tr
                key={p.pointIndex}
                data-point={p.pointIndex}
                aria-current={best?.pointIndex === p.pointIndex ? 'true' : undefined}
                style={best?.pointIndex === p.pointIndex ? { fontWeight: 600 } : undefined}
              >
                {params.map((k) => (
                  <td key={k}>{String(p.point[k])}</td>
                ))}
                <td>
                  {p.n}
                  {p.failed ? ` (+${p.failed} failed)` : ''}
                </td>
                {[...new Set([metric, ...tableMetrics])].map((m) => (
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
            <select
              aria-label="Scatter parameter"
              value={xParam}
              onChange={(e) => setScatterParam(e.target.value)}
            >
              {params.map((k) => (
                <option key={k} value={k}>
                  {labelOf(k)}
                </option>
              ))}
            </select>
          </label>
          <MetricScatter
            results={results}
            points={summary.points}
            param={xParam}
            metric={metric}
            logX={spec.params.find((p) => p.key === xParam)?.values.kind === 'log-range'}
          />
        </div>
        {spec.params.some((p) => p.key.startsWith('kol.')) && (
          <div className="chart-card">
            <h3>Fidelity–return frontier (test)</h3>
            <FrontierChart points={summary.points} split="test" ret="total_return" />
          </div>
        )}
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
            <Heatmap
              points={summary.points}
              rowKey={spec.params[0].key}
              colKey={spec.params[1].key}
              metric={metric}
            />
          </div>
        )}
      </div>
    </section>
  );
}
