import { useMemo } from 'react';
import type { KolDeviationExtra } from '../../../core/kol/runner.ts';
import { TimeSeriesChart } from '../../charts/TimeSeriesChart.tsx';
import { AGENT_COLOR } from '../../charts/palette.ts';
import { fmtNum } from '../../charts/format.ts';
import type { WorkflowSectionProps } from '../sections.tsx';

// Deviations start at ~1e-6 (a tight λ or a short run): four decimals would read 0.0000 on every tick.
const fmtDeviation = (v: number) => (v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(1) : fmtNum(v, 4));

/** Mean |trained − baseline| weight per day, for the splits shown, with each split's fidelity and edge test. */
export function KolDeviation({ evaluation, splits }: WorkflowSectionProps) {
  const all = (evaluation.extras?.['kol-deviation'] ?? []) as KolDeviationExtra[];
  const shown = all.filter((d) => splits.some((s) => s.split === d.split));
  const chart = useMemo(() => {
    const x: string[] = [];
    const y: number[] = [];
    for (const d of shown) {
      x.push(...d.dates);
      for (const v of d.deviation) y.push(v);
    }
    return { x, y, markers: shown.slice(1).map((d) => ({ x: d.dates[0], label: d.split })) };
  }, [shown]);
  if (shown.length === 0) return <p className="muted">No deviation recorded for this split.</p>;
  return (
    <div className="stack">
      <TimeSeriesChart
        title="Deviation of the trained book from the baseline: mean |trained − baseline| weight per day"
        x={chart.x}
        series={[
          { key: 'deviation', label: 'mean |trained − baseline|', values: chart.y, color: AGENT_COLOR },
        ]}
        markers={chart.markers}
        yFormat={fmtDeviation}
        yLabel="weight"
        height={220}
      />
      <ul className="muted">
        {shown.map((d) => (
          <li key={d.split}>
            {d.split}: fidelity (mean |policy − baseline| over the ticker-days) {fmtNum(d.fidelity, 4)};{' '}
            {d.edge.verdict}
          </li>
        ))}
      </ul>
    </div>
  );
}
