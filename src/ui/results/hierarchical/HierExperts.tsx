import { useMemo } from 'react';
import type { HierExpertsExtra } from '../../../core/hier/extras.ts';
import { fmtNum, fmtPct } from '../../charts/format.ts';
import { TimeSeriesChart, type LineSeries } from '../../charts/TimeSeriesChart.tsx';
import type { WorkflowSectionProps } from '../sections.tsx';
import { chainedEquity } from './hierView.ts';
import { expertColor } from './palette.ts';

// Stable: the chart redraws when its formatter changes identity.
const fmtEquity = (v: number) => fmtNum(v, 2);

/** Each expert traded alone over the splits shown (its own book): equity lines and a small table. */
export function HierExperts({ evaluation, splits }: WorkflowSectionProps) {
  const x = evaluation.extras?.['hierarchical-experts'] as HierExpertsExtra | undefined;
  const shown = useMemo(() => splits.map((s) => s.split), [splits]);
  const chart = useMemo(() => {
    if (!x) return null;
    const c = chainedEquity(x, shown);
    const series: LineSeries[] = x.experts.map((name, e) => ({
      key: `e${e}`,
      label: name,
      values: c.equity[e],
      color: expertColor(e),
    }));
    return { ...c, series };
  }, [x, shown]);
  if (!x) return <p className="muted">This run recorded no per-expert results.</p>;
  const present = shown.filter((s) => x.perSplit[s]);
  if (!chart || present.length === 0)
    return (
      <p className="muted">
        No per-expert results for {shown.length === 1 ? `the ${shown[0]} split` : 'the splits shown'}.
      </p>
    );
  return (
    <div className="stack">
      <TimeSeriesChart
        title="Equity of each expert trading alone"
        x={chart.dates}
        series={chart.series}
        markers={chart.markers}
        yFormat={fmtEquity}
        yLabel="value (start = 1)"
        baseline={1}
        height={260}
      />
      <div className="table-scroll" style={{ maxHeight: 'none', alignSelf: 'flex-start' }}>
        <table className="data" aria-label="Per-expert results">
          <thead>
            <tr>
              <th scope="col">Split / expert</th>
              <th scope="col" title="Share of the split's decisions the router gave this expert">
                Router’s usage
              </th>
              <th scope="col">Total return</th>
              <th scope="col">Sharpe</th>
              <th scope="col">Max drawdown</th>
            </tr>
          </thead>
          {present.map((s) => {
            const p = x.perSplit[s]!;
            return (
              <tbody key={s}>
                <tr>
                  <th colSpan={5} scope="rowgroup" style={{ textAlign: 'left', background: '#f6f7f9' }}>
                    {s} · {p.dates[0]} → {p.dates[p.dates.length - 1]}
                  </th>
                </tr>
                {x.experts.map((name, e) => (
                  <tr key={name} data-split={s} data-expert={e}>
                    <td>
                      <i
                        aria-hidden="true"
                        style={{
                          display: 'inline-block',
                          width: 10,
                          height: 10,
                          marginRight: 6,
                          background: expertColor(e),
                        }}
                      />
                      {name}
                    </td>
                    <td>{fmtPct(p.usage[e] ?? NaN, 1)}</td>
                    <td>{fmtPct(p.totalReturn[e] ?? NaN, 1)}</td>
                    <td>{fmtNum(p.sharpe[e] ?? NaN, 2)}</td>
                    <td>{fmtPct(p.maxDrawdown[e] ?? NaN, 1)}</td>
                  </tr>
                ))}
              </tbody>
            );
          })}
        </table>
      </div>
      {present.length < shown.length && (
        <p className="muted">No per-expert results for {shown.filter((s) => !x.perSplit[s]).join(', ')}.</p>
      )}
    </div>
  );
}
