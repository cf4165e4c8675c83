import { useEffect, useMemo, useRef } from 'react';
import type { VotesExtra } from '../../../core/ensemble/extras.ts';
import type { WorkflowSectionProps } from '../sections.tsx';

/** Canvas columns: days are pooled into at most this many (5,000 days draw in a few ms). */
const MAX_COLUMNS = 1000;
const PRICE_H = 150;
const LANE_H = 12;
const LANES: {
  key: keyof Pick<VotesExtra, 'technical' | 'news' | 'rl' | 'ensemble' | 'ensembleRl'>;
  label: string;
}[] = [
  { key: 'technical', label: 'technical' },
  { key: 'news', label: 'news' },
  { key: 'rl', label: 'RL (BC policy)' },
  { key: 'ensemble', label: 'ensemble' },
  { key: 'ensembleRl', label: 'ensemble + RL' },
];
// HOLD grey, BUY green, SELL red; ABSTAIN blank.
const ACTION_RGB = ['#d9d9d9', '#2e9e44', '#d1495b'];
const REGIME_RGB = ['rgba(80,140,220,0.08)', 'rgba(0,0,0,0)', 'rgba(230,120,40,0.16)'];

/** The rows of the chosen splits (one contiguous stretch from the first to the last chosen). */
function rowsOf(x: VotesExtra, chosen: readonly string[]): { start: number; end: number } {
  const s = x.splits.filter((r) => chosen.includes(r.split));
  if (s.length === 0) return { start: 0, end: x.dates.length };
  return { start: Math.min(...s.map((r) => r.start)), end: Math.max(...s.map((r) => r.end)) };
}

/**
 * Seed 004's analysts over the price: the close (min–max per column) on the risk regime's shading,
 * then one lane per voter, each column coloured by the last BUY/SELL in it (HOLD when none).
 */
export function VotesChart({ evaluation, splits }: WorkflowSectionProps) {
  const x = evaluation.extras?.['ensemble-votes'] as VotesExtra | undefined;
  const canvas = useRef<HTMLCanvasElement>(null);
  const chosen = useMemo(() => splits.map((s) => s.split), [splits]);
  const range = useMemo(() => (x ? rowsOf(x, chosen) : { start: 0, end: 0 }), [x, chosen]);
  const lanes = useMemo(() => (x ? LANES.filter((l) => x[l.key] !== null) : []), [x]);

  useEffect(() => {
    const el = canvas.current;
    if (!el || !x) return;
    const L = range.end - range.start;
    const cols = Math.max(1, Math.min(L, MAX_COLUMNS));
    el.width = cols;
    el.height = PRICE_H + lanes.length * LANE_H;
    const ctx = el.getContext('2d');
    if (!ctx || L === 0) return;
    const col = (k: number) => Math.floor((k * cols) / L);
    let lo = Infinity;
    let hi = -Infinity;
    for (let t = range.start; t < range.end; t++) {
      lo = Math.min(lo, x.close[t]);
      hi = Math.max(hi, x.close[t]);
    }
    const y = (p: number) => PRICE_H - 4 - ((p - lo) / Math.max(hi - lo, 1e-12)) * (PRICE_H - 8);
    const cmin = new Float64Array(cols).fill(Infinity);
    const cmax = new Float64Array(cols).fill(-Infinity);
    const regime = new Int8Array(cols).fill(-1);
    const laneCol = lanes.map(() => new Int8Array(cols).fill(-1));
    for (let t = range.start; t < range.end; t++) {
      const c = col(t - range.start);
      cmin[c] = Math.min(cmin[c], x.close[t]);
      cmax[c] = Math.max(cmax[c], x.close[t]);
      regime[c] = Math.max(regime[c], x.regime[t]);
      lanes.forEach((l, j) => {
        const a = (x[l.key] as Int8Array)[t];
        if (a > 0 || (a === 0 && laneCol[j][c] < 0)) laneCol[j][c] = a;
      });
    }
    ctx.clearRect(0, 0, el.width, el.height);
    for (let c = 0; c < cols; c++) {
      if (regime[c] >= 0) {
        ctx.fillStyle = REGIME_RGB[regime[c]];
        ctx.fillRect(c, 0, 1, PRICE_H);
      }
    }
    ctx.fillStyle = '#333';
    for (let c = 0; c < cols; c++) {
      if (!Number.isFinite(cmin[c])) continue;
      const top = y(cmax[c]);
      ctx.fillRect(c, top, 1, Math.max(1, y(cmin[c]) - top));
    }
    lanes.forEach((_, j) => {
      const top = PRICE_H + j * LANE_H + 1;
      for (let c = 0; c < cols; c++) {
        const a = laneCol[j][c];
        if (a < 0) continue;
        ctx.fillStyle = ACTION_RGB[a];
        ctx.fillRect(c, top, 1, LANE_H - 2);
      }
    });
  }, [x, range, lanes]);

  if (!x) return <p className="muted">No votes recorded.</p>;
  const h = PRICE_H + lanes.length * LANE_H;
  return (
    <div>
      <div style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: 6 }}>
        {/* Absolute labels give the column no width of its own: set one, on one line each. */}
        <div style={{ fontSize: 11, position: 'relative', height: h, width: 100, whiteSpace: 'nowrap' }}>
          <span style={{ position: 'absolute', top: 4 }}>{x.asset} close</span>
          {lanes.map((l, j) => (
            <span
              key={l.key}
              style={{ position: 'absolute', top: PRICE_H + j * LANE_H, lineHeight: `${LANE_H}px` }}
            >
              {l.label}
            </span>
          ))}
        </div>
        <canvas
          ref={canvas}
          role="img"
          aria-label={`Close of ${x.asset} with the votes of ${lanes.length} voters over ${range.end - range.start} days`}
          style={{ width: '100%', height: h, imageRendering: 'pixelated' }}
        />
      </div>
      <div className="row muted" style={{ justifyContent: 'space-between', fontSize: 11 }}>
        <span>{x.dates[range.start]}</span>
        <span>
          green = BUY, red = SELL, grey = HOLD, blank = abstains; shading: blue = low, orange = high
          volatility regime
        </span>
        <span>{x.dates[range.end - 1]}</span>
      </div>
    </div>
  );
}
