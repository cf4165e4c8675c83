/** Test helpers for the ensemble's tests (vitest only). */
import type { Panel } from '../data/types.ts';
import { Rng } from '../rng.ts';

/** Seeded random-walk OHLCV panel on consecutive calendar days, with a calmer and a wilder stretch every 60 days. */
export function randomPanel(T: number, N: number, seed: number, start = '2000-01-03'): Panel {
  const rng = new Rng(seed);
  const t0 = Date.parse(`${start}T00:00:00Z`);
  const p: Panel = {
    dates: Array.from({ length: T }, (_, t) => new Date(t0 + t * 86_400_000).toISOString().slice(0, 10)),
    assets: Array.from({ length: N }, (_, i) => `A${i}`),
    open: new Float64Array(T * N),
    high: new Float64Array(T * N),
    low: new Float64Array(T * N),
    close: new Float64Array(T * N),
    volume: new Float64Array(T * N),
  };
  for (let i = 0; i < N; i++) {
    let c = 50 * (1 + i);
    for (let t = 0; t < T; t++) {
      const k = t * N + i;
      p.open[k] = c;
      c *= Math.exp(rng.normal(0, 0.015 * (1 + (t % 60 > 45 ? 2 : 0))));
      p.close[k] = c;
      p.high[k] = Math.max(p.open[k], c) * 1.005;
      p.low[k] = Math.min(p.open[k], c) * 0.995;
      p.volume[k] = 1e6 * (1 + rng.float());
    }
  }
  return p;
}
