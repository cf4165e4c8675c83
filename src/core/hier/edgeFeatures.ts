/**
 * Each expert's recent edge, for the router (`hierarchical.routerSeesEdge`): every expert keeps a
 * shadow book, the market env traded by that expert alone every day from its argmax action on the
 * day's observation (the observation carries the book's own position, so each expert needs its own
 * env). The edge at row t over the last n days is the book's log return in excess of the asset's,
 *
 *   edge_{k,n}(t) = Σ_{s=t−n+1..t} [log(V_s/V_{s−1}) − log(P_s/P_{s−1})] / (σ·√n)
 *
 * with σ the daily sd of the asset's log returns on the train split (≈ a z-score under "no edge").
 * The return into row s comes from the action taken on row s−1's observation, so edge(t) reads
 * closes ≤ t only (no look-ahead); rows the book has not traded yet count as 0.
 */
import type { Action, Env } from '../envs/types.ts';

/** Edge windows (days), short and long. */
export const EDGE_WINDOWS = [5, 20] as const;

/**
 * Runs `env` (one whole split) from reset to its end, acting with `act(obs)`, and writes the book's
 * excess log return into `into[t]` for every row t the episode reached (t = info.t after the step).
 */
export function shadowExcess(
  env: Env<Action>,
  act: (obs: Float32Array) => number,
  close: ArrayLike<number>,
  into: Float64Array,
): void {
  const r = env.reset({});
  let obs = Float32Array.from(r.obs);
  let t = r.info.t as number;
  let value = r.info.portfolioValue as number;
  const a = new Int32Array(1);
  for (;;) {
    a[0] = act(obs);
    const res = env.step(a);
    const t1 = res.info.t as number;
    const v1 = res.info.portfolioValue as number;
    into[t1] = Math.log(v1 / value) - Math.log(close[t1] / close[t]);
    obs = Float32Array.from(res.obs);
    t = t1;
    value = v1;
    if (res.terminated || res.truncated) break;
  }
}

/** The 2·K edge features at row t: [k0 short, k0 long, k1 short, …] from the experts' excess rows. */
export function edgeFeatures(excess: readonly Float64Array[], t: number, sigma: number): Float32Array {
  const out = new Float32Array(excess.length * EDGE_WINDOWS.length);
  const s = sigma > 0 ? sigma : 1;
  excess.forEach((x, k) => {
    EDGE_WINDOWS.forEach((n, j) => {
      let sum = 0;
      for (let i = Math.max(0, t - n + 1); i <= t; i++) sum += x[i];
      out[k * EDGE_WINDOWS.length + j] = sum / (s * Math.sqrt(n));
    });
  });
  return out;
}

/** Daily sd of log returns r[from..to) (row 0's return excluded). */
export function returnSd(r: Float64Array, from: number, to: number): number {
  const a = Math.max(1, from);
  const n = to - a;
  if (n < 2) return 0;
  let m = 0;
  for (let i = a; i < to; i++) m += r[i];
  m /= n;
  let v = 0;
  for (let i = a; i < to; i++) v += (r[i] - m) ** 2;
  return Math.sqrt(v / n);
}
