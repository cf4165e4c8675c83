import { useEffect, useMemo, useState } from 'react';
import type { RunEvaluation, SplitEvaluation } from '../../../workers/protocol.ts';
import { useLab } from '../../store/index.ts';
import type { PanelProps } from '../App.tsx';
import { fmtNum, fmtPct } from '../charts/format.ts';
import { AGENT_COLOR, BASELINE_COLORS, colorAt } from '../charts/palette.ts';
import type { DomainBound } from '../charts/chartMath.ts';
import { TimeSeriesChart, type LineSeries } from '../charts/TimeSeriesChart.tsx';
import { getWorkflow, needsPriceData, workflowIds } from '../../core/workflows/registry.ts';
import { useStagedSections } from '../common/staged.ts';
import { learnerLabel } from '../common/workflow.ts';
import { LearnButton } from '../learn/LearnButton.tsx';
import { runDetail } from '../runs/history.ts';
import { fmtMetric, METRIC_COLUMNS } from './metricFormat.ts';
import { combine, strategiesOf, type SplitChoice } from './evaluationView.ts';
import { MonthlyReturns } from './MonthlyReturns.tsx';
import { PositionsHeatmap } from './PositionsHeatmap.tsx';
import { TradeLog } from './TradeLog.tsx';
import { WORKFLOW_SECTIONS } from './sections.tsx';

export { fmtMetric, METRIC_COLUMNS } from './metricFormat.ts';

export function strategyColor(name: string, i: number): string {
  return name === 'agent' ? AGENT_COLOR : (BASELINE_COLORS[name] ?? colorAt(i + 1));
}

/** Loads a saved run's evaluation from IndexedDB. */
function useEvaluation(runId: string | null): {
  evaluation: RunEvaluation | null;
  loading: boolean;
  error: string | null;
} {
  const [state, setState] = useState<{
    id: string | null;
    evaluation: RunEvaluation | null;
    error: string | null;
  }>({ id: null, evaluation: null, error: null });
  useEffect(() => {
    if (!runId) return;
    let alive = true;
    runDetail(runId).then(
      (d) =>
        alive &&
        setState({
          id: runId,
          evaluation: d?.evaluation ?? null,
          error: d ? null : 'this run has no saved details',
        }),
      (e: unknown) => alive && setState({ id: runId, evaluation: null, error: String(e) }),
    );
    return () => {
      alive = false;
    };
  }, [runId]);
  if (!runId) return { evaluation: null, loading: false, error: null };
  if (state.id !== runId) return { evaluation: null, loading: true, error: null };
  return { evaluation: state.evaluation, loading: false, error: state.error };
}

export function ResultsPanel(_: PanelProps) {
  const runs = useLab((s) => s.runs);
  const selected = useLab((s) => s.selectedRunId);
  const selectRun = useLab((s) => s.selectRun);
  const runId = selected ?? runs.find((r) => r.status !== 'failed')?.id ?? runs[0]?.id ?? null;
  const run = runs.find((r) => r.id === runId) ?? null;
  const { evaluation, loading, error } = useEvaluation(runId);
  const [choice, setChoice] = useState<SplitChoice>('all');

  if (runs.length === 0) {
    return (
      <section className="panel">
        <h2>Results</h2>
        <p className="muted">
          Train an agent to see its equity, drawdowns and metrics against the baselines here.
        </p>
      </section>
    );
  }
  return (
    <div className="stack">
      <section className="panel" aria-labelledby="results-h">
        <h2 id="results-h">Results</h2>
        <div className="row">
          <label>
            Run{' '}
            <select value={runId ?? ''} onChange={(e) => selectRun(e.target.value)}>
              {runs.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name} ({r.status})
                </option>
              ))}
            </select>
          </label>
          {needsPriceData(run?.experiment.workflow ?? 'market') && (
            <fieldset className="pill-group" aria-label="Split">
              {(['all', 'train', 'valid', 'test'] as const).map((c) => (
                <label key={c}>
                  <input
                    type="radio"
                    name="results-split"
                    checked={choice === c}
                    onChange={() => setChoice(c)}
                  />
                  {c === 'all' ? 'All splits' : c}
                </label>
              ))}
            </fieldset>
          )}
        </div>
        {run && (
          <p className="muted" data-testid="run-header">
            {learnerLabel(run.experiment.workflow, run.algo)} · {run.dataLabel} ·{' '}
            {run.steps.toLocaleString('en-US')} steps · backend {run.backend} · seed {run.seed}
            {run.endReason ? ` · ${run.endReason}` : ''}
          </p>
        )}
        {loading && <p role="status">Loading the run…</p>}
        {error && <p className="error-box">{error}</p>}
        {!loading && !error && !evaluation && (
          <p className="muted">This run ended before it could be evaluated, so it has no equity curves.</p>
        )}
      </section>
      {evaluation && (
        <EvaluationView
          evaluation={evaluation}
          choice={choice}
          workflow={run?.experiment.workflow ?? 'market'}
        />
      )}
    </div>
  );
}

/** One line per strategy: the agent solid and bold, the baselines dashed in their own colours. */
function strategySeries(
  n: number,
  byStrategy: Record<string, Float64Array>,
  strategies: string[],
): LineSeries[] {
  return strategies.map((s, i) => ({
    key: s,
    label: s,
    values: byStrategy[s] ?? new Float64Array(n).fill(NaN),
    color: strategyColor(s, i),
    dashed: s !== 'agent',
    // Thin baselines: a 1-px line rasterises several times faster than a wider one.
    width: s === 'agent' ? 2 : 1,
  }));
}

// Stable formatters and domains: the charts redraw when these change identity.
export const fmtEquity = (v: number) => fmtNum(v, 2);
export const fmtDrawdown = (v: number) => fmtPct(v, 0);
export const fmtSharpe = (v: number) => fmtNum(v, 1);
export const UNDERWATER: readonly [DomainBound, DomainBound] = ['auto', 0];

function EvaluationView({
  evaluation,
  choice,
  workflow,
}: {
  evaluation: RunEvaluation;
  choice: SplitChoice;
  /** The run's workflow (not the one being set up): its declaration lists the sections to draw. */
  workflow: string;
}) {
  const sections = getWorkflow(workflowIds().includes(workflow) ? workflow : 'market').results;
  const own = sections.filter(
    (id) =>
      WORKFLOW_SECTIONS[id] &&
      (evaluation.extras?.[id] !== undefined || WORKFLOW_SECTIONS[id].showWhenAbsent),
  );
  const combined = useMemo(() => combine(evaluation, choice), [evaluation, choice]);
  // A workflow without market splits (supplychain) draws only its own sections, from stage 2 on.
  const noSplits = evaluation.splits.length === 0;
  const first = noSplits ? 2 : 9;
  const stage = useStagedSections(first - 1 + own.length, noSplits ? evaluation : combined);
  const strategies = useMemo(() => strategiesOf(evaluation), [evaluation]);
  // The full series: the canvas charts decimate per pixel column, so nothing is thinned here.
  const equitySeries = useMemo(
    () => combined && strategySeries(combined.dates.length, combined.equity, strategies),
    [combined, strategies],
  );
  const ddSeries = useMemo(
    () => combined && strategySeries(combined.dates.length, combined.drawdown, strategies),
    [combined, strategies],
  );
  const sharpeSeries = useMemo<LineSeries[] | null>(
    () =>
      combined && [
        {
          key: 'rs',
          label: 'agent rolling Sharpe (63 d)',
          values: combined.rollingSharpe,
          color: AGENT_COLOR,
        },
      ],
    [combined],
  );
  const ownSections = own.map((id, i) => {
    if (stage < first + i) return null;
    const { title, Component } = WORKFLOW_SECTIONS[id];
    return (
      <section key={id} className="panel" aria-labelledby={`${id}-h`} data-section={id}>
        <h3 id={`${id}-h`}>{title}</h3>
        <Component evaluation={evaluation} splits={noSplits ? [] : splitsOf(evaluation, choice)} />
      </section>
    );
  });
  if (noSplits) return <>{ownSections}</>;
  if (!combined || !equitySeries || !ddSeries || !sharpeSeries)
    return <p className="muted">No rows in this split.</p>;
  const splits = splitsOf(evaluation, choice);
  return (
    <>
      {sections.includes('equity') && (
        <section className="panel chart-card" aria-labelledby="equity-h">
          <h2 id="equity-h">
            Equity <LearnButton id="equity" />
          </h2>
          {stage >= 2 && (
            <TimeSeriesChart
              title="Equity of the agent and the baselines"
              x={combined.dates}
              series={equitySeries}
              markers={combined.markers}
              yFormat={fmtEquity}
              yLabel="value (start = 1)"
              baseline={1}
              height={340}
            />
          )}
        </section>
      )}
      {stage >= 3 && sections.includes('drawdown') && (
        <section className="panel chart-card" aria-labelledby="drawdown-h">
          <h2 id="drawdown-h">
            Drawdown <LearnButton id="drawdown" />
          </h2>
          <TimeSeriesChart
            title="Underwater chart: fall from the previous peak"
            x={combined.dates}
            series={ddSeries}
            markers={combined.markers}
            yFormat={fmtDrawdown}
            yLabel="drawdown"
            yDomain={UNDERWATER}
            height={240}
          />
        </section>
      )}
      {stage >= 4 && sections.includes('metrics') && (
        <section className="panel" aria-labelledby="metrics-h">
          <h2 id="metrics-h">Metrics</h2>
          <MetricsTable splits={splits} strategies={strategies} />
        </section>
      )}
      {stage >= 5 && (
        <div className="chart-grid">
          {sections.includes('rolling-sharpe') && (
            <section className="panel chart-card" aria-labelledby="rs-h">
              <h3 id="rs-h">
                Rolling Sharpe <LearnButton id="rolling-sharpe" />
              </h3>
              <TimeSeriesChart
                title="Rolling 63-day Sharpe ratio of the agent"
                x={combined.dates}
                series={sharpeSeries}
                markers={combined.markers}
                yFormat={fmtSharpe}
                gaps="break"
                baseline={0}
                height={220}
              />
            </section>
          )}
          {sections.includes('monthly') && (
            <section className="panel chart-card" aria-labelledby="monthly-h">
              <h3 id="monthly-h">
                Monthly returns <LearnButton id="monthly-returns" />
              </h3>
              {stage >= 6 && splits.map((s) => <MonthlyReturns key={s.split} split={s} />)}
            </section>
          )}
        </div>
      )}
      {stage >= 7 && sections.includes('positions') && (
        <section className="panel chart-card" aria-labelledby="positions-h">
          <h3 id="positions-h">
            Positions <LearnButton id="positions" />
          </h3>
          <PositionsHeatmap splits={splits} />
        </section>
      )}
      {stage >= 8 && sections.includes('trades') && (
        <section className="panel" aria-labelledby="trades-h">
          <h3 id="trades-h">Trade log</h3>
          <TradeLog splits={splits} />
        </section>
      )}
      {ownSections}
    </>
  );
}

function splitsOf(evaluation: RunEvaluation, choice: SplitChoice): SplitEvaluation[] {
  return choice === 'all' ? evaluation.splits : evaluation.splits.filter((s) => s.split === choice);
}

function MetricsTable({ splits, strategies }: { splits: SplitEvaluation[]; strategies: string[] }) {
  return (
    <div className="table-scroll" style={{ maxHeight: 'none' }}>
      <table className="data" aria-label="Metrics per split">
        <thead>
          <tr>
            <th scope="col">Split / strategy</th>
            {METRIC_COLUMNS.map((c) => (
              <th key={c.key} scope="col">
                {c.label} <LearnButton id={c.key} />
              </th>
            ))}
          </tr>
        </thead>
        {splits.map((s) => (
          <tbody key={s.split}>
            <tr>
              <th
                colSpan={METRIC_COLUMNS.length + 1}
                scope="rowgroup"
                style={{ textAlign: 'left', background: '#f6f7f9' }}
              >
                {s.split} · {s.dates[0]} → {s.dates.at(-1)} · {s.dates.length} days
              </th>
            </tr>
            {strategies
              .filter((name) => s.metrics[name])
              .map((name) => (
                <tr
                  key={name}
                  data-split={s.split}
                  data-strategy={name}
                  style={name === 'agent' ? { fontWeight: 600 } : undefined}
                >
                  <td>{name}</td>
                  {METRIC_COLUMNS.map((c) => (
                    <td key={c.key} data-metric={c.key}>
                      {fmtMetric(c.key, s.metrics[name][c.key])}
                    </td>
                  ))}
                </tr>
              ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}
