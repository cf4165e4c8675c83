/**
 * Sweep plots: metric vs parameter (scatter, one dot per run, the point means joined), parallel
 * coordinates (one line per point), a heatmap for 2-D grids and the equity overlays of the top
 * points. Recharts where it has the chart; small SVGs where it does not (parallel coordinates,
 * heatmap cells are a table so screen readers can read the numbers).
 */
import { memo, useMemo } from 'react';
import {
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
  ZAxis,
} from 'recharts';
import type { PointSummary, SweepRunResult } from '../../core/sweeps/results.ts';
import type { Scalar } from '../../core/sweeps/spec.ts';
import { fmtCompact } from '../charts/format.ts';
import { colorAt } from '../charts/palette.ts';
import { TimeSeriesChart, type LineSeries } from '../charts/TimeSeriesChart.tsx';
import { labelOf } from './keys.ts';

/** Category positions for non-numeric parameter values (strings, booleans) in first-seen order. */
function axisOf(values: Scalar[]): {
  numeric: boolean;
  pos: (v: Scalar) => number;
  ticks: { value: number; label: string }[];
} {
  const numeric = values.every((v) => typeof v === 'number');
  if (numeric) return { numeric, pos: (v) => v as number, ticks: [] };
  const cats = [...new Set(values.map(String))];
  return {
    numeric,
    pos: (v) => cats.indexOf(String(v)),
    ticks: cats.map((c, i) => ({ value: i, label: c })),
  };
}

export const MetricScatter = memo(function MetricScatter(props: {
  results: SweepRunResult[];
  points: PointSummary[];
  param: string;
  metric: string;
  logX: boolean;
}) {
  const { results, points, param, metric, logX } = props;
  const ok = results.filter(
    (r) => !r.error && Number.isFinite(r.metrics[metric]) && r.point[param] !== undefined,
  );
  const axis = axisOf(ok.map((r) => r.point[param]));
  const runs = ok.map((r) => ({ x: axis.pos(r.point[param]), y: r.metrics[metric], id: r.id }));
  const means = points
    .filter((p) => Number.isFinite(p.mean[metric]) && p.point[param] !== undefined)
    .map((p) => ({ x: axis.pos(p.point[param]), y: p.mean[metric], id: `point ${p.pointIndex} mean` }));
  const useLog = logX && axis.numeric && runs.every((r) => r.x > 0);
  return (
    <figure
      className="chart"
      role="figure"
      aria-label={`Scatter of ${metric} against ${labelOf(param)}`}
      data-points={runs.length}
    >
      {runs.length === 0 ? (
        <div className="chart-empty" style={{ height: 260 }}>
          No finished runs yet
        </div>
      ) : (
        <ResponsiveContainer width="100%" height={260}>
          <ScatterChart margin={{ top: 8, right: 16, bottom: 18, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ea" />
            <XAxis
              type="number"
              dataKey="x"
              name={labelOf(param)}
              scale={useLog ? 'log' : 'auto'}
              domain={axis.numeric ? ['auto', 'auto'] : [-0.5, axis.ticks.length - 0.5]}
              ticks={axis.numeric ? undefined : axis.ticks.map((t) => t.value)}
              tickFormatter={(v: number) => (axis.numeric ? fmtCompact(v) : (axis.ticks[v]?.label ?? ''))}
              tick={{ fontSize: 11 }}
              label={{ value: labelOf(param), position: 'insideBottom', offset: -10, fontSize: 11 }}
            />
            <YAxis
              type="number"
              dataKey="y"
              name={metric}
              tick={{ fontSize: 11 }}
              width={64}
              tickFormatter={(v: number) => fmtCompact(v)}
            />
            <ZAxis range={[40, 40]} />
            <Tooltip
              isAnimationActive={false}
              formatter={(v) => (typeof v === 'number' ? fmtCompact(v) : String(v))}
            />
            <Legend verticalAlign="top" wrapperStyle={{ fontSize: 12 }} />
            <Scatter
              name="runs (one dot per seed)"
              data={runs}
              fill={colorAt(0)}
              fillOpacity={0.55}
              isAnimationActive={false}
            />
            <Scatter
              name="mean over seeds"
              data={means}
              fill={colorAt(5)}
              shape="diamond"
              isAnimationActive={false}
            />
          </ScatterChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
});

/** Parallel coordinates: an axis per parameter and one for the metric; one line per point, coloured by the metric. */
export const ParallelCoordinates = memo(function ParallelCoordinates(props: {
  points: PointSummary[];
  params: string[];
  metric: string;
}) {
  const { points, params, metric } = props;
  // Drawn at about the size it is shown in a chart card, so the labels stay readable.
  const W = 440;
  const H = 260;
  const pad = { l: 44, r: 52, t: 24, b: 28 };
  const axes = useMemo(() => [...params, metric], [params, metric]);
  const data = useMemo(() => points.filter((p) => Number.isFinite(p.mean[metric])), [points, metric]);
  const scales = useMemo(
    () =>
      axes.map((a, i) => {
        const vals: Scalar[] = data.map((p) => (i === axes.length - 1 ? p.mean[metric] : p.point[a]));
        const numeric = vals.every((v) => typeof v === 'number');
        if (numeric) {
          const ns = vals as number[];
          const lo = Math.min(...ns);
          const hi = Math.max(...ns);
          const log = i < axes.length - 1 && lo > 0 && hi / lo > 20;
          const f = (v: number) => (log ? Math.log(v) : v);
          return {
            y: (v: Scalar) => (hi === lo ? 0.5 : (f(v as number) - f(lo)) / (f(hi) - f(lo))),
            lo: fmtCompact(lo),
            hi: fmtCompact(hi),
          };
        }
        const cats = [...new Set(vals.map(String))];
        return {
          y: (v: Scalar) => (cats.length === 1 ? 0.5 : cats.indexOf(String(v)) / (cats.length - 1)),
          lo: cats[0] ?? '',
          hi: cats.at(-1) ?? '',
        };
      }),
    [axes, data, metric],
  );
  const x = (i: number) => pad.l + (i * (W - pad.l - pad.r)) / Math.max(1, axes.length - 1);
  const y = (u: number) => pad.t + (1 - u) * (H - pad.t - pad.b);
  const ms = data.map((p) => p.mean[metric]);
  const mlo = Math.min(...ms);
  const mhi = Math.max(...ms);
  const color = (v: number) => {
    const u = mhi === mlo ? 0.5 : (v - mlo) / (mhi - mlo);
    return `hsl(${Math.round(10 + 200 * u)}, 70%, 42%)`;
  };
  return (
    <figure
      className="chart"
      role="figure"
      aria-label={`Parallel coordinates of the parameters and ${metric}`}
      data-points={data.length}
    >
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" height={H} role="img" aria-label={`${data.length} points`}>
        {data.map((p) => (
          <polyline
            key={p.pointIndex}
            fill="none"
            stroke={color(p.mean[metric])}
            strokeWidth={1.8}
            strokeOpacity={0.8}
            points={axes
              .map((a, i) => `${x(i)},${y(scales[i].y(i === axes.length - 1 ? p.mean[metric] : p.point[a]))}`)
              .join(' ')}
          >
            <title>{`point ${p.pointIndex}: ${params.map((k) => `${labelOf(k)}=${String(p.point[k])}`).join(', ')} → ${metric} ${fmtCompact(p.mean[metric])}`}</title>
          </polyline>
        ))}
        {axes.map((a, i) => (
          <g key={a}>
            <line x1={x(i)} x2={x(i)} y1={y(0)} y2={y(1)} stroke="#555" />
            <text x={x(i)} y={H - 8} textAnchor="middle" fontSize={11}>
              {i === axes.length - 1 ? metric : labelOf(a)}
            </text>
            <text x={x(i) + 4} y={y(1) - 6} fontSize={10} fill="#555">
              {scales[i].hi}
            </text>
            <text x={x(i) + 4} y={y(0) + 12} fontSize={10} fill="#555">
              {scales[i].lo}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
});

/** A 2-D grid: rows = values of the first parameter, columns = the second; cells = mean metric. */
export function Heatmap(props: { points: PointSummary[]; rowKey: string; colKey: string; metric: string }) {
  const { points, rowKey, colKey, metric } = props;
  const rows = [...new Set(points.map((p) => String(p.point[rowKey])))];
  const cols = [...new Set(points.map((p) => String(p.point[colKey])))];
  const cell = new Map(points.map((p) => [`${String(p.point[rowKey])}|${String(p.point[colKey])}`, p]));
  const vals = points.map((p) => p.mean[metric]).filter(Number.isFinite);
  const lo = Math.min(...vals);
  const hi = Math.max(...vals);
  const bg = (v: number) => {
    if (!Number.isFinite(v)) return '#eee';
    const u = hi === lo ? 0.5 : (v - lo) / (hi - lo);
    return `hsl(${Math.round(10 + 200 * u)}, 65%, ${Math.round(88 - 30 * Math.abs(u - 0.5))}%)`;
  };
  return (
    <figure
      className="chart"
      role="figure"
      aria-label={`Heatmap of ${metric} over ${labelOf(rowKey)} × ${labelOf(colKey)}`}
    >
      <table className="heatmap" aria-label={`Heatmap of ${metric}`}>
        <thead>
          <tr>
            <th scope="col">
              {labelOf(rowKey)} ↓ / {labelOf(colKey)} →
            </th>
            {cols.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r}>
              <th scope="row">{r}</th>
              {cols.map((c) => {
                const p = cell.get(`${r}|${c}`);
                const v = p ? p.mean[metric] : NaN;
                return (
                  <td
                    key={c}
                    style={{ background: bg(v), textAlign: 'center', padding: '6px 10px' }}
                    data-value={Number.isFinite(v) ? v : ''}
                  >
                    {p && Number.isFinite(v) ? `${fmtCompact(v)} ± ${fmtCompact(p.std[metric])}` : '—'}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** Validation equity of the top-k points (mean over their seeds), with buy-and-hold on the same rows. */
export function EquityOverlay(props: { results: SweepRunResult[]; top: PointSummary[] }) {
  const { results, top } = props;
  const { dates, series } = useMemo(() => {
    let dates: string[] = [];
    const series: LineSeries[] = [];
    let bh: number[] | undefined;
    top.forEach((p, i) => {
      const curves = results
        .filter((r) => r.pointIndex === p.pointIndex && !r.error && r.equity)
        .map((r) => r.equity!);
      if (curves.length === 0) return;
      const n = Math.min(...curves.map((c) => c.agent.length));
      if (dates.length === 0) dates = curves[0].dates.slice(0, n);
      bh ??= curves[0].benchmark?.slice(0, n);
      const mean = Array.from(
        { length: Math.min(n, dates.length) },
        (_, t) => curves.reduce((s, c) => s + c.agent[t], 0) / curves.length,
      );
      const label = `#${i + 1} ${Object.entries(p.point)
        .map(([k, v]) => `${labelOf(k)}=${String(v)}`)
        .join(', ')}`;
      series.push({ key: `p${p.pointIndex}`, label, values: mean, color: colorAt(i) });
    });
    if (bh)
      series.push({
        key: 'bh',
        label: 'buy-and-hold',
        values: bh.slice(0, dates.length),
        color: '#777',
        dashed: true,
      });
    return { dates, series };
  }, [results, top]);
  return (
    <TimeSeriesChart
      title="Validation equity of the top points (mean over seeds) and buy-and-hold"
      x={dates}
      series={series}
      yLabel="equity (×)"
      yFormat={(v) => v.toFixed(2)}
      baseline={1}
    />
  );
}

/**
 * Seed 000's fidelity–return frontier: one dot per point (mean over seeds) at its fidelity (mean
 * |policy − baseline|) and return on a split, and the frontier through the points no other point
 * beats on both (less deviation and more return).
 */
export const FrontierChart = memo(function FrontierChart(props: {
  points: PointSummary[];
  split: 'train' | 'valid' | 'test';
  ret: 'total_return' | 'sharpe';
}) {
  const { points, split, ret } = props;
  const fx = `${split}/fidelity`;
  const fy = `${split}/${ret}`;
  const dots = useMemo(
    () =>
      points
        .filter((p) => Number.isFinite(p.mean[fx]) && Number.isFinite(p.mean[fy]))
        .map((p) => ({
          x: p.mean[fx],
          y: p.mean[fy],
          id: Object.entries(p.point)
            .map(([k, v]) => `${labelOf(k)} ${String(v)}`)
            .join(', '),
        })),
    [points, fx, fy],
  );
  const frontier = useMemo(() => {
    const sorted = [...dots].sort((a, b) => a.x - b.x || b.y - a.y);
    const out: typeof dots = [];
    for (const d of sorted) if (out.length === 0 || d.y > out[out.length - 1].y) out.push(d);
    return out;
  }, [dots]);
  return (
    <figure
      className="chart"
      role="figure"
      aria-label={`Fidelity–${ret} frontier on ${split}`}
      data-points={dots.length}
    >
      {dots.length === 0 ? (
        <div className="chart-empty" style={{ height: 260 }}>
          No finished kol runs yet
        </div>
      ) : (
        <ResponsiveContainer width="100%" height={260}>
          <ScatterChart margin={{ top: 8, right: 16, bottom: 18, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ea" />
            <XAxis
              type="number"
              dataKey="x"
              name="fidelity"
              tickFormatter={(v: number) => fmtCompact(v)}
              tick={{ fontSize: 11 }}
              label={{
                value: `${split} fidelity: mean |policy − baseline|`,
                position: 'insideBottom',
                offset: -10,
                fontSize: 11,
              }}
            />
            <YAxis
              type="number"
              dataKey="y"
              name={ret}
              tick={{ fontSize: 11 }}
              width={64}
              tickFormatter={(v: number) => fmtCompact(v)}
            />
            <ZAxis range={[40, 40]} />
            <Tooltip
              isAnimationActive={false}
              formatter={(v) => (typeof v === 'number' ? fmtCompact(v) : String(v))}
            />
            <Legend verticalAlign="top" wrapperStyle={{ fontSize: 12 }} />
            <Scatter
              name="points (mean over seeds)"
              data={dots}
              fill={colorAt(0)}
              fillOpacity={0.6}
              isAnimationActive={false}
            />
            <Scatter
              name="frontier"
              data={frontier}
              fill={colorAt(5)}
              line
              shape="diamond"
              isAnimationActive={false}
            />
          </ScatterChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
});
