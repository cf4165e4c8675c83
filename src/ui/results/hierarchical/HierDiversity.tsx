import { useMemo } from 'react';
import type { HierDiversityExtra } from '../../../core/hier/extras.ts';
import { fmtNum } from '../../charts/format.ts';
import { CHART_INK, PALETTE } from '../../charts/palette.ts';
import { TimeSeriesChart, type LineSeries } from '../../charts/TimeSeriesChart.tsx';
import type { WorkflowSectionProps } from '../sections.tsx';

const fmt3 = (v: number) => fmtNum(v, 3);

/** Last finite value of a series (NaN when none). */
function lastFinite(v: ArrayLike<number>): number {
  for (let i = v.length - 1; i >= 0; i--) if (Number.isFinite(v[i])) return v[i];
  return NaN;
}

/**
 * Diversity of the experts over training: MAPD between their action distributions against the
 * seed's floor (dashed), and the mean KL of each expert to the experts' mean policy.
 */
export function HierDiversity({ evaluation }: WorkflowSectionProps) {
  const x = evaluation.extras?.['hierarchical-diversity'] as HierDiversityExtra | undefined;
  const charts = useMemo(() => {
    if (!x) return null;
    const n = Math.min(x.step.length, x.mapd.length);
    const mapd: LineSeries[] = [
      {
        key: 'mapd',
        label: 'MAPD between experts',
        values: Float64Array.from(x.mapd).subarray(0, n),
        color: PALETTE[0],
        width: 2,
      },
      {
        key: 'target',
        label: `target ≥ ${fmt3(x.target)}`,
        values: new Float64Array(n).fill(x.target),
        color: CHART_INK.reference,
        dashed: true,
        width: 1,
      },
    ];
    const kl: LineSeries[] = [
      {
        key: 'kl',
        label: 'mean KL to the mean policy',
        values: Float64Array.from(x.klToMean).subarray(0, n),
        color: PALETTE[5],
      },
    ];
    return { step: Float64Array.from(x.step).subarray(0, n), mapd, kl, n };
  }, [x]);
  if (!x) return <p className="muted">This run recorded no diversity curve.</p>;
  if (!charts || charts.n === 0)
    return <p className="muted">No diversity measured yet (no training steps logged).</p>;
  const last = lastFinite(x.mapd);
  return (
    <div className="stack">
      <p data-testid="diversity-summary">
        Last MAPD {fmt3(last)} (
        {Number.isFinite(last) ? (last >= x.target ? 'meets' : 'below') : 'no value for'} the seed’s floor of{' '}
        {fmt3(x.target)}); last KL to the mean policy {fmt3(lastFinite(x.klToMean))} nats.
      </p>
      {charts.n === 1 ? (
        <p className="muted">Measured once, at step {charts.step[0]}: the curves need two measurements.</p>
      ) : (
        <div className="chart-grid">
          <TimeSeriesChart
            title="MAPD between the experts' action distributions over training"
            x={charts.step}
            series={charts.mapd}
            yFormat={fmt3}
            xLabel="global step"
            yLabel="MAPD"
            yDomain={[0, 'auto']}
            height={220}
          />
          <TimeSeriesChart
            title="Mean KL of each expert to the experts' mean policy"
            x={charts.step}
            series={charts.kl}
            yFormat={fmt3}
            xLabel="global step"
            yLabel="nats"
            yDomain={[0, 'auto']}
            height={220}
          />
        </div>
      )}
    </div>
  );
}
