/** Helpers shared by the reference agents: sides, prices, needs, splitting a quantity over partners. */
import type { Rng } from '../../rng.ts';
import type { World } from '../world.ts';

export const isSelling = (w: World, th: number, a: number): boolean => w.thSeller[th] === a;

/** Relative time inside today's negotiations, 0 at the opening, 1 at the last half-step. */
export const relTime = (w: World): number => w.sub / (2 * w.cfg.rounds - 1);

/** The best price of today's range for this side: the top when selling, the bottom when buying. */
export function bestPrice(w: World, th: number, selling: boolean): number {
  const k = w.thProduct[th];
  return selling ? w.priceHi[k] : w.priceLo[k];
}

/** A price at `concession` ∈ [0, 1] from this side's best end of the range towards its worst. */
export function concededPrice(w: World, th: number, selling: boolean, concession: number): number {
  const k = w.thProduct[th];
  const lo = w.priceLo[k];
  const hi = w.priceHi[k];
  const c = Math.min(1, Math.max(0, concession));
  return selling ? Math.round(hi - (hi - lo) * c) : Math.round(lo + (hi - lo) * c);
}

/** How good a price is for this side: 1 at its best end of the range, 0 at the worst. */
export function priceGoodness(w: World, th: number, selling: boolean, p: number): number {
  const k = w.thProduct[th];
  const lo = w.priceLo[k];
  const hi = w.priceHi[k];
  if (hi === lo) return 1;
  return selling ? (p - lo) / (hi - lo) : (hi - p) / (hi - lo);
}

export const clampQ = (w: World, q: number): number => Math.max(1, Math.min(w.qtyMax, Math.round(q)));

/** Inputs on hand today: stock, today's exogenous supply and today's purchases. */
export const inputsToday = (w: World, a: number): number =>
  w.inventory[a] + w.exInQty(a) + w.suppliesAt[a * w.nSteps + w.day];

/** Sales due today, exogenous included. */
export const salesToday = (w: World, a: number): number => w.exOutQty(a) + w.salesAt[a * w.nSteps + w.day];

/**
 * Split q units over n partners, at least one each when q ≥ n (scml's `distribute`): returns
 * counts in out[0..n). With q < n, q random partners get one unit.
 */
export function distribute(rng: Rng, q: number, n: number, out: Int32Array): void {
  for (let i = 0; i < n; i++) out[i] = 0;
  if (n <= 0 || q <= 0) return;
  if (q < n) {
    for (let left = q; left > 0;) {
      const i = rng.int(n);
      if (out[i] === 0) {
        out[i] = 1;
        left--;
      }
    }
    return;
  }
  for (let i = 0; i < n; i++) out[i] = 1;
  for (let left = q - n; left > 0; left--) out[rng.int(n)]++;
}

/** A uniformly random delivery day in [from, w.deliveryMax]; -1 when the range is empty. */
export function randomDay(w: World, rng: Rng, from: number): number {
  if (from > w.deliveryMax) return -1;
  return from + rng.int(w.deliveryMax - from + 1);
}
