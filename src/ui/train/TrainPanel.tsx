import { useEffect, useMemo, useState } from 'react';
import { needsPriceData } from '../../core/workflows/registry.ts';
import { useLab } from '../../store/index.ts';
import type { SeriesPoint } from '../../store/types.ts';
import type { PanelProps } from '../App.tsx';
import { fmtNum } from '../charts/format.ts';
import { LiveChart, type LiveSeries } from '../charts/LiveChart.tsx';
import { AGENT_COLOR, BASELINE_COLORS } from '../charts/palette.ts';
import { CHART_GROUPS, chartOf } from '../../core/run/metricKeys.ts';
import { ExperimentFields } from '../common/Field.tsx';
import { sectionFields, useWorkflow } from '../common/workflow.ts';
import { LearnButton } from '../learn/LearnButton.tsx';
import {
  disableThreads,
  enableThreads,
  isIsolated,
  isolationWorkerActive,
  serviceWorkerAvailable,
} from '../runtime/isolation.ts';

function LiveCurves({
  title,
  learn,
  keys,
  live,
}: {
  title: string;
  learn: string;
  keys: string[];
  live: Record<string, SeriesPoint[]>;
}) {
  const series = useMemo<LiveSeries[]>(
    () => keys.map((k) => ({ label: k, x: live[k].map((p) => p.step), y: live[k].map((p) => p.value) })),
    [keys, live],
  );
  return (
    <div className="chart-card">
      <h3>
        {title} <LearnButton id={learn} />
      </h3>
      <LiveChart title={`${title} by training step`} series={series} xLabel="steps" />
    </div>
  );
}

export function TrainPanel(_: PanelProps) {
  const live = useLab((s) => s.live);
  const equity = useLab((s) => s.liveEquity);
  const failure = useLab((s) => s.failure);
  const backend = useLab((s) => s.backend);
  const status = useLab((s) => s.status);
  const workflowId = useLab((s) => s.experiment.workflow);
  const keys = Object.keys(live).filter((k) => live[k].length > 0);
  // One chart per group of core's metric catalogue, whatever the algorithm (A2C, PPO, BC, IQL).
  const grouped = CHART_GROUPS.map((g) => ({ ...g, keys: keys.filter((k) => chartOf(k) === g.id) }));
  const eqSeries = useMemo<LiveSeries[]>(() => {
    if (!equity) return [];
    const x = equity.agent.map((_, i) => i);
    const s: LiveSeries[] = [{ label: 'agent', x, y: equity.agent, color: AGENT_COLOR }];
    if (equity.benchmark)
      s.push({
        label: 'buy-and-hold',
        x,
        y: equity.benchmark,
        color: BASELINE_COLORS['buy-and-hold'],
        dashed: true,
      });
    return s;
  }, [equity]);
  const dates = equity?.dates;
  const dateOf = useMemo(() => (i: number) => dates?.[Math.round(i)] ?? '', [dates]);
  return (
    <div className="stack">
      {failure && (
        <div className="error-box" role="alert" data-testid="train-failure">
          <strong>
            {failure.kind === 'nan'
              ? 'Training stopped: a loss became NaN/Inf.'
              : failure.kind === 'crash'
                ? 'The trainer worker crashed.'
                : 'Training could not run.'}
          </strong>{' '}
          {failure.message}
          {failure.step > 0 && ` (at step ${failure.step.toLocaleString('en-US')})`}.{' '}
          {failure.kind !== 'error' &&
            (failure.checkpointKept
              ? 'The last good checkpoint was kept with the run (see Runs).'
              : 'No checkpoint had been saved yet.')}
        </div>
      )}
      <section className="panel" aria-labelledby="train-h">
        <h2 id="train-h">Training</h2>
        <RunSettings />
        <h3>Now</h3>
        <div className="kv">
          <span className="muted">Status</span>
          <span>{status}</span>
          <span className="muted">Backend in use</span>
          <span>
            {backend ? backend.backend : '—'} <LearnButton id="backend" />
          </span>
          <span className="muted">wasm threads</span>
          <ThreadsControl />
          {backend && backend.notes.length > 0 && (
            <>
              <span className="muted">Backend notes</span>
              <span>{backend.notes.join(' · ')}</span>
            </>
          )}
        </div>
      </section>
      <section className="panel" aria-labelledby="live-h">
        <h2 id="live-h">Live learning curves</h2>
        {keys.length === 0 && (
          <p className="muted">Charts appear here as soon as training reports its first update.</p>
        )}
        {keys.length > 0 && (
          <p className="muted">
            Every metric of the run (perf/*, learning rate, …) is in its Learning CSV (Runs).
          </p>
        )}
        <div className="chart-grid">
          {grouped
            .filter((g) => g.keys.length > 0)
            .map((g) => (
              <LiveCurves key={g.title} title={g.title} learn={g.learn} keys={g.keys} live={live} />
            ))}
        </div>
      </section>
      {needsPriceData(workflowId) && (
        <section className="panel" aria-labelledby="valid-eq-h">
          <h2 id="valid-eq-h">
            Validation equity <LearnButton id="equity" />
          </h2>
          {equity ? (
            <>
              <p className="muted">
                At step {equity.step.toLocaleString('en-US')} — refreshed every evaluation interval.
              </p>
              <LiveChart
                title="Validation equity of the agent vs buy-and-hold"
                series={eqSeries}
                xFormat={dateOf}
                yFormat={(v) => fmtNum(v, 2)}
                baseline={1}
              />
            </>
          ) : (
            <p className="muted">
              The first validation evaluation appears after the first evaluation interval.
            </p>
          )}
        </section>
      )}
    </div>
  );
}

/** Threads need cross-origin isolation: say whether it is on, and offer the service-worker route. */
function ThreadsControl() {
  const [error, setError] = useState<string | null>(null);
  const [swActive, setSwActive] = useState(false);
  useEffect(() => {
    void isolationWorkerActive().then(setSwActive);
  }, []);
  if (isIsolated()) {
    return (
      <span>
        available (page is cross-origin isolated{swActive ? ' by the service worker' : ''}){' '}
        {swActive && (
          <button type="button" onClick={() => void disableThreads()}>
            Disable wasm threads
          </button>
        )}
      </span>
    );
  }
  return (
    <span>
      off — the page is not cross-origin isolated, so wasm runs single-threaded (SIMD).{' '}
      {serviceWorkerAvailable() && (
        <button
          type="button"
          onClick={() => enableThreads().catch((e: unknown) => setError(String(e)))}
          title="Registers a small service worker that adds COOP/COEP headers, then reloads"
        >
          Enable wasm threads
        </button>
      )}
      {error && <span className="field-error"> {error}</span>}
    </span>
  );
}

function RunSettings() {
  const workflow = useWorkflow();
  const status = useLab((s) => s.status);
  const busy = status === 'starting' || status === 'running' || status === 'paused' || status === 'stopping';
  return <ExperimentFields fields={sectionFields(workflow, 'run')} disabled={busy} />;
}
