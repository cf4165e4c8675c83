import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState, type PointerEvent } from 'react';
import {
  axisNumber,
  dateTicks,
  describeChart,
  drawnIndices,
  finiteExtent,
  hitIndex,
  nanPrefix,
  niceTicks,
  summarise,
  yDomain,
  type DomainBound,
} from './chartMath.ts';
import { CHART_INK, colorAt } from './palette.ts';

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
  /** The figure's accessible name (read by screen readers, used by tests). */
  title: string;
  /** One x per row: ISO dates (a calendar axis over the rows) or ascending numbers (a linear axis). */
  x: ArrayLike<string | number>;
  /** Values per row, NaN where a series has none. Pass the full series: drawing decimates per pixel. */
  series: readonly LineSeries[];
  yFormat?: (v: number) => string;
  xLabel?: string;
  yLabel?: string;
  /** Vertical dashed lines at these x (e.g. where the valid and test splits begin). */
  markers?: readonly Marker[];
  height?: number;
  yDomain?: readonly [DomainBound, DomainBound];
  /** Draw y = this value as a reference (e.g. 0 for returns, 1 for equity). */
  baseline?: number;
  /** 'connect' (default) joins the points around NaN rows; 'break' leaves a gap there. */
  gaps?: 'connect' | 'break';
}

const FONT = '11px system-ui, sans-serif';

const swatch = (color: string, dashed?: boolean) =>
  dashed ? `repeating-linear-gradient(90deg, ${color} 0 4px, transparent 4px 6px)` : color;

/** Re-renders when the page moves to a screen with another pixel density (or the user zooms). */
function useDevicePixelRatio(): number {
  const [dpr, setDpr] = useState(() => window.devicePixelRatio || 1);
  useEffect(() => {
    const mq = window.matchMedia(`(resolution: ${dpr}dppx)`);
    const onChange = () => setDpr(window.devicePixelRatio || 1);
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, [dpr]);
  return dpr;
}

/** Sizes a canvas's backing store to CSS size × devicePixelRatio; returns its context in CSS pixels. */
function prepare(el: HTMLCanvasElement, width: number, height: number, dpr: number) {
  const w = Math.round(width * dpr);
  const h = Math.round(height * dpr);
  if (el.width !== w) el.width = w;
  if (el.height !== h) el.height = h;
  const ctx = el.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return ctx;
}

/**
 * A line chart over time on canvas: several series, legend, calendar (or numeric) x axis, split
 * markers, a crosshair with the values under the pointer, drawn at the screen's pixel density and
 * redrawn when its container resizes. It replaces recharts for Results, Compare, Data and Sweeps:
 * recharts built an SVG node per point and tick and its mount was the page's longest task (up to
 * 165 ms of CPU); this mounts a few DOM nodes and draws in a few ms. For screen readers the canvas
 * is an image whose name summarises every line, and a visually hidden table gives the numbers.
 */
export const TimeSeriesChart = memo(function TimeSeriesChart({
  title,
  x,
  series,
  yFormat = axisNumber,
  xLabel,
  yLabel,
  markers,
  height = 260,
  yDomain: domain,
  baseline,
  gaps = 'connect',
}: TimeSeriesChartProps) {
  const wrap = useRef<HTMLDivElement>(null);
  const base = useRef<HTMLCanvasElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  const [hover, setHover] = useState(-1);
  const dpr = useDevicePixelRatio();
  const empty = x.length === 0 || series.length === 0;

  useLayoutEffect(() => {
    const el = wrap.current;
    if (!el) return; // empty: no plot to measure until data arrive
    // Measured now, so the chart draws in the task that mounts it: waiting for the observer's first
    // report would draw every chart mounted in that frame (and rasterise them) in one task.
    setWidth(Math.floor(el.getBoundingClientRect().width));
    const ro = new ResizeObserver((entries) => setWidth(Math.floor(entries[0].contentRect.width)));
    ro.observe(el);
    return () => ro.disconnect();
  }, [empty]);

  const data = useMemo(() => {
    const n = x.length;
    const numeric = n > 0 && typeof x[0] === 'number';
    const xs = numeric ? Float64Array.from(x as ArrayLike<number>) : undefined;
    const x0 = xs ? xs[0] : 0;
    const x1 = xs ? xs[n - 1] : n - 1;
    const text = (i: number) => (xs ? axisNumber(xs[i]) : String(x[i]));
    const markerRows = (markers ?? []).map((m) => {
      let i = 0;
      while (i < n && x[i] !== m.x) i++;
      return { row: i, label: m.label };
    });
    return {
      n,
      xs,
      x0: x1 > x0 ? x0 : x0 - 0.5,
      x1: x1 > x0 ? x1 : x1 + 0.5,
      text,
      markerRows: markerRows.filter((m) => m.row < n),
      extent: finiteExtent(series.map((s) => s.values)),
      summaries: series.map((s) => summarise(s.label, s.values)),
      nans: gaps === 'break' ? series.map((s) => nanPrefix(s.values)) : null,
    };
  }, [x, series, markers, gaps]);

  const layout = useMemo(() => {
    const pad = { left: yLabel ? 72 : 58, right: 12, top: 8, bottom: xLabel ? 40 : 26 };
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;
    const [y0, y1] = yDomain(data.extent[0], data.extent[1], { domain, baseline });
    const sx = (v: number) => pad.left + ((v - data.x0) / (data.x1 - data.x0)) * plotW;
    return {
      pad,
      plotW,
      plotH,
      y0,
      y1,
      sx,
      sy: (v: number) => pad.top + (1 - (v - y0) / (y1 - y0)) * plotH,
      xOf: (i: number) => sx(data.xs ? data.xs[i] : i),
    };
  }, [data, width, height, xLabel, yLabel, domain, baseline]);

  useEffect(() => {
    const el = base.current;
    const { pad, plotW, plotH, y0, y1, sx, sy, xOf } = layout;
    if (!el || width === 0 || data.n === 0 || plotW <= 0 || plotH <= 0) return;
    const ctx = prepare(el, width, height, dpr);
    if (!ctx) return;
    ctx.font = FONT;
    ctx.lineWidth = 1;
    // Grid and y axis.
    ctx.strokeStyle = CHART_INK.grid;
    ctx.fillStyle = CHART_INK.text;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of niceTicks(y0, y1, Math.max(2, Math.min(6, Math.floor(plotH / 50))))) {
      const y = Math.round(sy(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(pad.left, y);
      ctx.lineTo(pad.left + plotW, y);
      ctx.stroke();
      ctx.fillText(yFormat(t), pad.left - 6, y);
    }
    // x axis: calendar ticks over dates, round numbers over a numeric x.
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const maxTicks = Math.max(2, Math.floor(plotW / 90));
    const ticks = data.xs
      ? niceTicks(data.x0, data.x1, maxTicks).map((v) => ({ px: sx(v), label: axisNumber(v) }))
      : dateTicks(Array.from(x as ArrayLike<string>), maxTicks).map((t) => ({
          px: sx(t.index),
          label: t.label,
        }));
    for (const t of ticks) {
      const px = Math.round(t.px) + 0.5;
      ctx.beginPath();
      ctx.moveTo(px, pad.top + plotH);
      ctx.lineTo(px, pad.top + plotH + 4);
      ctx.stroke();
      ctx.fillText(t.label, px, pad.top + plotH + 6);
    }
    if (xLabel) ctx.fillText(xLabel, pad.left + plotW / 2, pad.top + plotH + 22);
    if (yLabel) {
      ctx.save();
      ctx.translate(12, pad.top + plotH / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(yLabel, 0, -6);
      ctx.restore();
    }
    ctx.strokeStyle = CHART_INK.frame;
    ctx.strokeRect(pad.left + 0.5, pad.top + 0.5, plotW, plotH);
    if (baseline !== undefined) {
      ctx.strokeStyle = CHART_INK.reference;
      ctx.setLineDash([2, 2]);
      ctx.beginPath();
      ctx.moveTo(pad.left, Math.round(sy(baseline)) + 0.5);
      ctx.lineTo(pad.left + plotW, Math.round(sy(baseline)) + 0.5);
      ctx.stroke();
    }
    // Split boundaries.
    ctx.strokeStyle = CHART_INK.marker;
    ctx.setLineDash([4, 3]);
    ctx.textAlign = 'left';
    ctx.fillStyle = CHART_INK.marker;
    for (const m of data.markerRows) {
      const px = Math.round(xOf(m.row)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(px, pad.top);
      ctx.lineTo(px, pad.top + plotH);
      ctx.stroke();
      ctx.fillText(m.label, px + 3, pad.top + 3);
    }
    ctx.setLineDash([]);
    // The lines, clipped to the plot.
    ctx.save();
    ctx.beginPath();
    ctx.rect(pad.left, pad.top, plotW, plotH);
    ctx.clip();
    let drawn = 0;
    series.forEach((s, k) => {
      const idx = drawnIndices(s.values, plotW);
      if (idx.length === 0) return;
      drawn++;
      const nan = data.nans?.[k];
      ctx.strokeStyle = s.color ?? colorAt(k);
      ctx.fillStyle = ctx.strokeStyle;
      ctx.lineWidth = s.width ?? 1.5;
      ctx.setLineDash(s.dashed ? [5, 4] : []);
      ctx.beginPath();
      for (let j = 0; j < idx.length; j++) {
        const i = idx[j];
        const px = xOf(i);
        const py = sy(s.values[i]);
        // A NaN row between two drawn points breaks the line in 'break' mode.
        if (j === 0 || (nan && nan[i] > nan[idx[j - 1]])) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      }
      ctx.stroke();
      if (idx.length === 1) ctx.fillRect(xOf(idx[0]) - 1.5, sy(s.values[idx[0]]) - 1.5, 3, 3);
    });
    ctx.restore();
    // Tests read this: how many series have something on the canvas.
    el.dataset.drawnSeries = String(drawn);
  }, [layout, data, series, x, width, height, dpr, yFormat, xLabel, yLabel, baseline]);

  // The crosshair and the points under it, on their own canvas so hovering never redraws the lines.
  useEffect(() => {
    const el = overlay.current;
    const { pad, plotH, y0, y1, sy, xOf } = layout;
    if (!el || width === 0) return;
    const ctx = prepare(el, width, height, dpr);
    if (!ctx || hover < 0 || hover >= data.n) return;
    const px = Math.round(xOf(hover)) + 0.5;
    ctx.strokeStyle = CHART_INK.crosshair;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(px, pad.top);
    ctx.lineTo(px, pad.top + plotH);
    ctx.stroke();
    series.forEach((s, k) => {
      const v = s.values[hover];
      if (!Number.isFinite(v) || v < y0 || v > y1) return;
      ctx.fillStyle = s.color ?? colorAt(k);
      ctx.beginPath();
      ctx.arc(px, sy(v), 3, 0, 2 * Math.PI);
      ctx.fill();
    });
  }, [layout, hover, series, data, width, height, dpr]);

  const onMove = (e: PointerEvent<HTMLCanvasElement>) => {
    const { pad, plotW } = layout;
    const i = hitIndex(e.nativeEvent.offsetX - pad.left, plotW, data.x0, data.x1, data.n, data.xs);
    setHover(i);
  };

  const description = useMemo(
    () =>
      data.n === 0
        ? `${title}: no data.`
        : describeChart(title, data.summaries, data.text(0), data.text(data.n - 1), yFormat),
    [title, data, yFormat],
  );

  if (empty) {
    return (
      <figure className="chart" role="figure" aria-label={title} data-points={0}>
        <div className="chart-empty" style={{ height }}>
          No data yet
        </div>
      </figure>
    );
  }
  const hovered = hover >= 0 && hover < data.n;
  return (
    <figure className="chart" role="figure" aria-label={title} data-points={data.n}>
      <div ref={wrap} style={{ position: 'relative', width: '100%', height }}>
        <canvas
          ref={base}
          role="img"
          aria-label={description}
          style={{ position: 'absolute', inset: 0, width: '100%', height }}
        />
        <canvas
          ref={overlay}
          aria-hidden="true"
          style={{ position: 'absolute', inset: 0, width: '100%', height, cursor: 'crosshair' }}
          onPointerMove={onMove}
          onPointerLeave={() => setHover(-1)}
        />
        {hovered && (
          <div
            className="live-tooltip"
            role="presentation"
            style={{ left: Math.max(0, Math.min(layout.xOf(hover) + 12, width - 220)) }}
          >
            <div className="muted">{data.text(hover)}</div>
            {series.map((s, k) => (
              <div key={s.key} style={{ color: s.color ?? colorAt(k) }}>
                {s.label}: {Number.isFinite(s.values[hover]) ? yFormat(s.values[hover]) : '—'}
              </div>
            ))}
          </div>
        )}
      </div>
      <figcaption className="live-legend">
        {series.map((s, k) => (
          <span key={s.key}>
            <i style={{ background: swatch(s.color ?? colorAt(k), s.dashed) }} />
            {s.label}
          </span>
        ))}
      </figcaption>
      <table className="sr-only">
        <caption>
          {title}, {data.text(0)} to {data.text(data.n - 1)}: first, last, lowest and highest value
        </caption>
        <thead>
          <tr>
            <th scope="col">Series</th>
            <th scope="col">First</th>
            <th scope="col">Last</th>
            <th scope="col">Lowest</th>
            <th scope="col">Highest</th>
          </tr>
        </thead>
        <tbody>
          {data.summaries.map((s, k) => (
            <tr key={series[k].key}>
              <th scope="row">{s.label}</th>
              <td>{s.points ? yFormat(s.first) : '—'}</td>
              <td>{s.points ? yFormat(s.last) : '—'}</td>
              <td>{s.points ? yFormat(s.min) : '—'}</td>
              <td>{s.points ? yFormat(s.max) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
});
