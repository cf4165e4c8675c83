import { useEffect, useMemo, useRef } from 'react';
import type { SplitEvaluation } from '../../../workers/protocol.ts';

const MAX_COLUMNS = 1200;

/**
 * Agent weights over time: one row per asset, one column per date (max-pooled into at most
 * MAX_COLUMNS columns for display), drawn on a canvas so 5,000+ dates × 16 assets stay cheap.
 */
export function PositionsHeatmap({ splits }: { splits: SplitEvaluation[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const assets = splits[0]?.assets ?? [];
  const N = assets.length;
  const { dates, grid, cols } = useMemo(() => {
    const dates = splits.flatMap((s) => s.dates);
    const T = dates.length;
    const cols = Math.min(T, MAX_COLUMNS);
    const grid = new Float32Array(cols * N);
    let t = 0;
    for (const s of splits) {
      for (let k = 0; k < s.dates.length; k++, t++) {
        const c = Math.floor((t * cols) / Math.max(T, 1));
        for (let j = 0; j < N; j++) {
          const w = s.weights[k * N + j];
          if (Math.abs(w) > Math.abs(grid[c * N + j])) grid[c * N + j] = w;
        }
      }
    }
    return { dates, grid, cols };
  }, [splits, N]);

  useEffect(() => {
    const el = canvas.current;
    if (!el || cols === 0 || N === 0) return;
    el.width = cols;
    el.height = N;
    const ctx = el.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(cols, N);
    let maxAbs = 1e-9;
    for (const v of grid) maxAbs = Math.max(maxAbs, Math.abs(v));
    for (let c = 0; c < cols; c++) {
      for (let j = 0; j < N; j++) {
        const v = grid[c * N + j] / maxAbs;
        const o = (j * cols + c) * 4;
        const a = Math.abs(v);
        // Long = blue, short = orange, none = white.
        img.data[o] = v >= 0 ? 255 - 255 * a : 255 - 25 * a;
        img.data[o + 1] = v >= 0 ? 255 - 141 * a : 255 - 96 * a;
        img.data[o + 2] = v >= 0 ? 255 - 77 * a : 255 - 255 * a;
        img.data[o + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
  }, [grid, cols, N]);

  if (N === 0 || dates.length === 0) return <p className="muted">No positions recorded.</p>;
  return (
    <div
      className="heatmap"
      style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: 6, alignItems: 'stretch' }}
    >
      <div style={{ display: 'flex', flexDirection: 'column', justifyContent: 'space-around', fontSize: 11 }}>
        {assets.map((a) => (
          <span key={a}>{a}</span>
        ))}
      </div>
      <div>
        <canvas
          ref={canvas}
          role="img"
          aria-label={`Position weights of ${N} assets over ${dates.length} dates`}
          style={{ height: Math.max(40, Math.min(16, 320 / N) * N) }}
        />
        <div className="row muted" style={{ justifyContent: 'space-between', fontSize: 11 }}>
          <span>{dates[0]}</span>
          <span>
            blue = long weight, orange = short, white = none (darkest = {N > 0 ? 'largest' : ''} weight)
          </span>
          <span>{dates.at(-1)}</span>
        </div>
      </div>
    </div>
  );
}
