import { memo, useMemo } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { downsampleRows } from './downsample.ts';
import { colorAt } from './palette.ts';

export interface LineSeries {
  key: string;
  label: string;
  values: ArrayLike<number>;
  color?: string;
  dashed?: boolean;
  width?: number;
}

export interface Marker {
  x: string | number;
  label: string;
}

export interface TimeSeriesChartProps {
  /** Accessible description of the chart (read by screen readers, used by tests). */
  title: string;
  x: ArrayLike<string | number>;
  series: readonly LineSeries[];
  yFormat?: (v: number) => string;
  xLabel?: string;
  yLabel?: string;
  markers?: readonly Marker[];
  height?: number;
  maxPoints?: number;
  yDomain?: [number | 'auto' | 'dataMin' | 'dataMax', number | 'auto' | 'dataMin' | 'dataMax'];
  /** Draw y = this value as a reference (e.g. 0 for returns, 1 for equity). */
  baseline?: number;
}

/**
 * A line chart over time (dates or steps) that downsamples for display (LTTB per series) so it
 * stays smooth with many thousand points; the data behind it are untouched.
 */
export const TimeSeriesChart = memo(function TimeSeriesChart(props: TimeSeriesChartProps) {
  const {
    title,
    x,
    series,
    yFormat,
    xLabel,
    yLabel,
    markers,
    height = 260,
    maxPoints = 600,
    yDomain,
    baseline,
  } = props;
  const rows = useMemo(() => {
    const keep: number[] = [];
    if (markers && markers.length > 0) {
      const xs = Array.from(x as ArrayLike<string | number>);
      for (const m of markers) keep.push(xs.indexOf(m.x));
    }
    return downsampleRows(
      x,
      series.map((s) => ({ key: s.key, values: s.values })),
      maxPoints,
      keep,
    );
  }, [x, series, maxPoints, markers]);
  const empty = rows.length === 0;
  return (
    <figure className="chart" role="figure" aria-label={title} data-points={x.length}>
      {empty ? (
        <div className="chart-empty" style={{ height }}>
          No data yet
        </div>
      ) : (
        <ResponsiveContainer width="100%" height={height}>
          <LineChart data={rows} margin={{ top: 8, right: 16, bottom: xLabel ? 18 : 4, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ea" />
            <XAxis
              dataKey="x"
              type={typeof rows[0]?.x === 'number' ? 'number' : 'category'}
              domain={typeof rows[0]?.x === 'number' ? ['dataMin', 'dataMax'] : undefined}
              tick={{ fontSize: 11 }}
              minTickGap={40}
              // A category axis with 'preserveEnd' measures the text of every category, and so does
              // the grid for its vertical lines: ~10 ticks by a fixed interval cost nothing instead.
              interval={
                typeof rows[0]?.x === 'number' ? undefined : Math.max(0, Math.ceil(rows.length / 10) - 1)
              }
              label={
                xLabel ? { value: xLabel, position: 'insideBottom', offset: -10, fontSize: 11 } : undefined
              }
              tickFormatter={typeof rows[0]?.x === 'number' ? (v: number) => compactTick(v) : undefined}
            />
            <YAxis
              tick={{ fontSize: 11 }}
              width={64}
              domain={yDomain ?? ['auto', 'auto']}
              tickFormatter={yFormat}
              label={
                yLabel
                  ? { value: yLabel, angle: -90, position: 'insideLeft', fontSize: 11, offset: 0 }
                  : undefined
              }
            />
            <Tooltip
              isAnimationActive={false}
              formatter={(v) => (typeof v === 'number' && yFormat ? yFormat(v) : String(v))}
              labelFormatter={(l) => String(l)}
            />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {baseline !== undefined && <ReferenceLine y={baseline} stroke="#888" strokeDasharray="2 2" />}
            {markers?.map((m) => (
              <ReferenceLine
                key={`${m.label}-${m.x}`}
                x={m.x}
                stroke="#555"
                strokeDasharray="4 3"
                label={{ value: m.label, position: 'insideTopLeft', fontSize: 11 }}
              />
            ))}
            {series.map((s, i) => (
              <Line
                key={s.key}
                dataKey={s.key}
                name={s.label}
                stroke={s.color ?? colorAt(i)}
                strokeWidth={s.width ?? 1.5}
                strokeDasharray={s.dashed ? '5 4' : undefined}
                dot={false}
                connectNulls
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      )}
      <figcaption className="sr-only">{title}</figcaption>
    </figure>
  );
});

function compactTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(0)}k`;
  return String(v);
}
