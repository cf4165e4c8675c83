import { useEffect, useLayoutEffect, useMemo, useRef, useState, type PointerEvent } from 'react';
import type { HierUsageExtra } from '../../../core/hier/extras.ts';
import { fmtNum, fmtPct } from '../../charts/format.ts';
import type { WorkflowSectionProps } from '../sections.tsx';
import { poolModes, poolRange, shares, usageTimeline } from './hierView.ts';
import { expertColor, regimeColor, withAlpha } from './palette.ts';

const PRICE_H = 160;
const LANE_H = 14;
/** Columns before the canvas is measured (and on the server): days pool into at most this many. */
const UNMEASURED_COLUMNS = 1000;

/**
 * Which expert the router chose each day, over the price: the price on bands tinted by the chosen
 * expert, then a strip of the expert and, when the data has regimes, a strip of the true regime
 * beneath it. The canvas has one backing pixel per screen pixel; with more days than pixels, days
 * pool into pixel columns (the column's most frequent expert and regime, the price's lowest–highest),
 * so 5,000 days draw in a few ms.
 */
export function HierUsage({ evaluation, splits }: WorkflowSectionProps) {
  const x = evaluation.extras?.['hierarchical-usage'] as HierUsageExtra | undefined;
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState(-1);
  const [pixels, setPixels] = useState({ w: 0, dpr: 1 });
  const shown = useMemo(() => splits.map((s) => s.split), [splits]);
  const timeline = useMemo(() => (x ? usageTimeline(x, shown) : null), [x, shown]);
  const n = timeline?.dates.length ?? 0;

  useLayoutEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const measure = () =>
      setPixels({ w: Math.floor(el.getBoundingClientRect().width), dpr: window.devicePixelRatio || 1 });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [n]);

  const W = pixels.w > 0 ? Math.round(pixels.w * pixels.dpr) : UNMEASURED_COLUMNS;
  const view = useMemo(() => {
    const t = timeline;
    if (!x || !t) return null;
    const E = x.experts.length;
    const R = x.regimes.length;
    const cols = Math.min(t.dates.length, W);
    return {
      t,
      cols,
      E,
      R,
      expertCol: poolModes(t.expert, cols, E),
      regimeCol: poolModes(t.regime, cols, R),
      price: poolRange(t.price, cols),
      usage: shares(t.expert, E),
      regimeShare: shares(t.regime, R),
      markerCols: t.markers.map((m) => Math.floor((m.row * cols) / t.dates.length)),
    };
  }, [x, timeline, W]);
  const lanes = view && view.R > 0 ? 2 : 1;

  useEffect(() => {
    const el = canvas.current;
    if (!el || !view || view.cols === 0) return;
    const { cols, expertCol, regimeCol, price, markerCols } = view;
    const k = pixels.dpr;
    el.width = W;
    el.height = Math.round((PRICE_H + lanes * LANE_H) * k);
    const ctx = el.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, el.width, el.height);
    // Column c covers backing pixels [px(c), px(c + 1)).
    const px = (c: number) => Math.floor((c * W) / cols);
    let lo = Infinity;
    let hi = -Infinity;
    for (let c = 0; c < cols; c++) {
      if (price.lo[c] < lo) lo = price.lo[c];
      if (price.hi[c] > hi) hi = price.hi[c];
    }
    const y = (p: number) => k * (PRICE_H - 4 - ((p - lo) / Math.max(hi - lo, 1e-12)) * (PRICE_H - 8));
    for (let c = 0; c < cols; c++) {
      const x0 = px(c);
      const w = Math.max(1, px(c + 1) - x0);
      const e = expertCol[c];
      if (e >= 0) {
        ctx.fillStyle = withAlpha(expertColor(e), 0.22);
        ctx.fillRect(x0, 0, w, k * PRICE_H);
        ctx.fillStyle = expertColor(e);
        ctx.fillRect(x0, k * (PRICE_H + 1), w, k * (LANE_H - 2));
      }
      const r = regimeCol[c];
      if (lanes > 1 && r >= 0) {
        ctx.fillStyle = regimeColor(r);
        ctx.fillRect(x0, k * (PRICE_H + LANE_H + 1), w, k * (LANE_H - 2));
      }
    }
    if (cols === n) {
      // A day per column: the price as a line through the columns' centres.
      ctx.strokeStyle = '#222';
      ctx.lineWidth = 1.25 * k;
      ctx.beginPath();
      let pen = false;
      for (let c = 0; c < cols; c++) {
        if (!Number.isFinite(price.lo[c])) {
          pen = false;
          continue;
        }
        const cx = (px(c) + px(c + 1)) / 2;
        if (pen) ctx.lineTo(cx, y(price.lo[c]));
        else ctx.moveTo(cx, y(price.lo[c]));
        pen = true;
      }
      ctx.stroke();
    } else {
      ctx.fillStyle = '#222';
      for (let c = 0; c < cols; c++) {
        if (!Number.isFinite(price.lo[c])) continue;
        const top = y(price.hi[c]);
        ctx.fillRect(px(c), top, Math.max(1, px(c + 1) - px(c)), Math.max(1.5 * k, y(price.lo[c]) - top));
      }
    }
    ctx.fillStyle = '#555';
    for (const c of markerCols) ctx.fillRect(px(c), 0, Math.max(1, Math.round(k)), el.height);
  }, [view, lanes, W, n, pixels.dpr]);

  if (!x) return <p className="muted">This run recorded no expert usage.</p>;
  if (!view || view.t.dates.length === 0)
    return (
      <p className="muted">
        No expert usage recorded for {shown.length === 1 ? `the ${shown[0]} split` : 'the splits shown'}.
      </p>
    );
  const { t, cols } = view;
  const h = PRICE_H + lanes * LANE_H;
  const onMove = (e: PointerEvent<HTMLCanvasElement>) => {
    const w = e.currentTarget.clientWidth;
    setHover(w > 0 ? Math.min(cols - 1, Math.max(0, Math.floor((e.nativeEvent.offsetX / w) * cols))) : -1);
  };
  // The hovered column's first day (a column pools several days when there are more days than pixels).
  const row = hover >= 0 ? Math.ceil((hover * t.dates.length) / cols) : -1;
  const name = (names: readonly string[], k: number) => (k >= 0 ? (names[k] ?? `#${k}`) : '—');
  return (
    <div className="stack">
      <div style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: 6 }}>
        <div style={{ fontSize: 11, position: 'relative', height: h, width: 96, whiteSpace: 'nowrap' }}>
          <span style={{ position: 'absolute', top: 4 }}>price</span>
          <span style={{ position: 'absolute', top: PRICE_H, lineHeight: `${LANE_H}px` }}>
            router’s expert
          </span>
          {lanes > 1 && (
            <span style={{ position: 'absolute', top: PRICE_H + LANE_H, lineHeight: `${LANE_H}px` }}>
              true regime
            </span>
          )}
        </div>
        <canvas
          ref={canvas}
          role="img"
          aria-label={`Price over ${t.dates.length} days, tinted by the expert the router chose; ${x.experts
            .map((n, k) => `${n} ${fmtPct(view.usage[k], 0)}`)
            .join(', ')} of the days${view.R > 0 ? '; with the true regime beneath' : ''}`}
          onPointerMove={onMove}
          onPointerLeave={() => setHover(-1)}
          style={{ width: '100%', height: h, display: 'block', cursor: 'crosshair' }}
        />
      </div>
      <div className="row muted" style={{ justifyContent: 'space-between', fontSize: 11 }}>
        <span>{t.dates[0]}</span>
        <span data-testid="usage-hover">
          {row >= 0 && row < t.dates.length
            ? `${t.dates[row]}: ${name(x.experts, t.expert[row])}` +
              (view.R > 0 ? `, regime ${name(x.regimes, t.regime[row])}` : '') +
              `, price ${fmtNum(t.price[row], 2)}`
            : t.markers.length > 0
              ? `splits: ${shown.filter((s) => !t.missing.includes(s)).join(' | ')} (grey lines)`
              : ''}
        </span>
        <span>{t.dates[t.dates.length - 1]}</span>
      </div>
      <div className="live-legend" style={{ justifyContent: 'flex-start' }} aria-label="Legend">
        {x.experts.map((n, k) => (
          <span key={n}>
            <i style={{ background: expertColor(k), height: 10 }} />
            {n} ({fmtPct(view.usage[k], 0)} of days)
          </span>
        ))}
        {x.regimes.map((n, k) => (
          <span key={`r-${n}`}>
            <i style={{ background: regimeColor(k), height: 10 }} />
            regime {n} ({fmtPct(view.regimeShare[k], 0)})
          </span>
        ))}
      </div>
      {t.missing.length > 0 && <p className="muted">No usage recorded for {t.missing.join(', ')}.</p>}
    </div>
  );
}
