import { memo, useEffect, useRef, useState, type MouseEvent } from 'react';
import { minMaxIndices } from './downsample.ts';
import { axisNumber, niceTicks } from './chartMath.ts';
import { CHART_INK, colorAt } from './palette.ts';

export interface LiveSeries {
  label: string;
  /** x values (training steps, or row indices when `xLabels` names them), ascending. */
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color?: string;
  dashed?: boolean;
}

export interface LiveChartProps {
  title: string;
  series: readonly LiveSeries[];
  height?: number;
  xLabel?: string;
  yFormat?: (v: number) => string;
  /** Tick/tooltip text for an x value (e.g. the date of a row). */
  xFormat?: (x: number) => string;
  /** Horizontal reference line. */
  baseline?: number;
}

const PAD = { left: 58, right: 12, top: 8, bottom: 26 };

const defaultFormat = axisNumber;

/**
 * A canvas line chart for data that changes while training runs. Recharts re-renders SVG and
 * measures text on every update (tens of ms each); this redraws a canvas in a couple of ms, so
 * live updates never make a long task. Points are min/max-decimated to the pixel width (display
 * only). Hover shows the values under the pointer; the legend is plain HTML.
 */
export const LiveChart = memo(function LiveChart({
  title,
  series,
  height = 220,
  xLabel,
  yFormat = defaultFormat,
  xFormat = defaultFormat,
  baseline,
}: LiveChartProps) {
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  const [hover, setHover] = useState<{ px: number; x: number } | null>(null);
  const geometry = useRef<{ x0: number; x1: number; w: number } | null>(null);

  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const ro = new ResizeObserver((entries) => setWidth(Math.floor(entries[0].contentRect.width)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = canvas.current;
    if (!el || width === 0) return;
    const dpr = window.devicePixelRatio || 1;
    el.width = width * dpr;
    el.height = height * dpr;
    const ctx = el.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (const s of series) {
      for (let i = 0; i < s.x.length; i++) {
        const y = s.y[i];
        if (!Number.isFinite(y)) continue;
        x0 = Math.min(x0, s.x[i]);
        x1 = Math.max(x1, s.x[i]);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
    if (baseline !== undefined && Number.isFinite(y0)) {
      y0 = Math.min(y0, baseline);
      y1 = Math.max(y1, baseline);
    }
    const w = width - PAD.left - PAD.right;
    const h = height - PAD.top - PAD.bottom;
    if (!Number.isFinite(x0) || w <= 0) {
      geometry.current = null;
      return;
    }
    if (x1 === x0) {
      x0 -= 1;
      x1 += 1;
    }
    if (y1 === y0) {
      y0 -= Math.abs(y0) * 0.05 || 1;
      y1 += Math.abs(y1) * 0.05 || 1;
    }
    const pad = (y1 - y0) * 0.05;
    y0 -= pad;
    y1 += pad;
    geometry.current = { x0, x1, w };
    const sx = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * w;
    const sy = (y: number) => PAD.top + (1 - (y - y0) / (y1 - y0)) * h;

    ctx.font = '11px system-ui, sans-serif';
    ctx.strokeStyle = CHART_INK.grid;
    ctx.fillStyle = CHART_INK.text;
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of niceTicks(y0, y1, 4)) {
      const y = Math.round(sy(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(PAD.left, y);
      ctx.lineTo(PAD.left + w, y);
      ctx.stroke();
      ctx.fillText(yFormat(t), PAD.left - 6, y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const xt = niceTicks(x0, x1, Math.max(2, Math.floor(w / 110)));
    // A narrow x range (all points at one step) would repeat one label: draw each text once.
    let lastLabel = '';
    for (const t of xt) {
      const label = xFormat(t);
      if (label === lastLabel) continue;
      lastLabel = label;
      ctx.fillText(label, sx(t), PAD.top + h + 6);
    }
    if (xLabel) {
      ctx.textAlign = 'left';
      ctx.fillText(xLabel, 2, PAD.top + h + 6);
    }
    ctx.strokeStyle = CHART_INK.frame;
    ctx.strokeRect(PAD.left + 0.5, PAD.top + 0.5, w, h);
    if (baseline !== undefined) {
      ctx.setLineDash([2, 2]);
      ctx.beginPath();
      ctx.moveTo(PAD.left, sy(baseline));
      ctx.lineTo(PAD.left + w, sy(baseline));
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.save();
    ctx.beginPath();
    ctx.rect(PAD.left, PAD.top, w, h);
    ctx.clip();
    series.forEach((s, k) => {
      // Display-only decimation: two points (min, max) per pixel column keep every spike.
      const idx = s.x.length > w * 2 ? minMaxIndices(s.y, Math.max(1, Math.floor(w))) : null;
      ctx.strokeStyle = s.color ?? colorAt(k);
      ctx.lineWidth = 1.5;
      ctx.setLineDash(s.dashed ? [5, 4] : []);
      ctx.beginPath();
      let started = false;
      const n = idx ? idx.length : s.x.length;
      for (let j = 0; j < n; j++) {
        const i = idx ? idx[j] : j;
        const y = s.y[i];
        if (!Number.isFinite(y)) {
          started = false;
          continue;
        }
        if (started) ctx.lineTo(sx(s.x[i]), sy(y));
        else ctx.moveTo(sx(s.x[i]), sy(y));
        started = true;
      }
      ctx.stroke();
      // Few points (e.g. the first finished episodes): mark them, a lone point draws no line.
      if (n <= 60) {
        ctx.fillStyle = s.color ?? colorAt(k);
        for (let j = 0; j < n; j++) {
          const i = idx ? idx[j] : j;
          if (Number.isFinite(s.y[i])) ctx.fillRect(sx(s.x[i]) - 1.5, sy(s.y[i]) - 1.5, 3, 3);
        }
      }
    });
    ctx.restore();
    ctx.setLineDash([]);
    if (hover) {
      ctx.strokeStyle = CHART_INK.crosshair;
      ctx.beginPath();
      ctx.moveTo(Math.round(hover.px) + 0.5, PAD.top);
      ctx.lineTo(Math.round(hover.px) + 0.5, PAD.top + h);
      ctx.stroke();
    }
  }, [series, width, height, xLabel, yFormat, xFormat, baseline, hover]);

  const onMove = (e: MouseEvent<HTMLCanvasElement>) => {
    const g = geometry.current;
    if (!g) return;
    const px = e.nativeEvent.offsetX;
    if (px < PAD.left || px > PAD.left + g.w) return setHover(null);
    setHover({ px, x: g.x0 + ((px - PAD.left) / g.w) * (g.x1 - g.x0) });
  };

  const tooltip = hover
    ? series.map((s) => {
        // Nearest point at or before the pointer.
        let lo = 0;
        let hi = s.x.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (s.x[mid] <= hover.x) lo = mid;
          else hi = mid - 1;
        }
        return { label: s.label, v: s.x.length > 0 ? s.y[lo] : NaN, x: s.x[lo] };
      })
    : null;
  const empty = series.every((s) => s.x.length === 0);

  return (
    <figure className="chart live-chart" role="figure" aria-label={title} style={{ position: 'relative' }}>
      <div ref={wrap} style={{ width: '100%' }}>
        {empty ? (
          <div className="chart-empty" style={{ height }}>
            No data yet
          </div>
        ) : (
          <canvas
            ref={canvas}
            style={{ width: '100%', height, display: 'block' }}
            onMouseMove={onMove}
            onMouseLeave={() => setHover(null)}
            aria-hidden="true"
          />
        )}
      </div>
      {tooltip && (
        <div className="live-tooltip" style={{ left: Math.min(hover!.px + 12, Math.max(0, width - 200)) }}>
          <div className="muted">{xFormat(tooltip[0]?.x ?? hover!.x)}</div>
          {tooltip.map((t, k) => (
            <div key={t.label} style={{ color: series[k].color ?? colorAt(k) }}>
              {t.label}: {Number.isFinite(t.v) ? yFormat(t.v) : '—'}
            </div>
          ))}
        </div>
      )}
      <figcaption className="live-legend">
        {series.map((s, k) => (
          <span key={s.label}>
            <i style={{ background: s.color ?? colorAt(k) }} />
            {s.label}
            {s.y.length > 0 && Number.isFinite(s.y[s.y.length - 1])
              ? ` (last ${yFormat(s.y[s.y.length - 1])})`
              : ''}
          </span>
        ))}
      </figcaption>
    </figure>
  );
});
