/**
 * PenguinAgent (SCML 2024 Standard winner) from the rules in scml-lite.md:
 * - daily target D = 0.7·n_lines; buy_need(t) = D − inv − supplies_at(t);
 *   sell_need(t) = max(0, min(n_lines, D + inv) − sales_at(t));
 * - opening offers (threads it opens): today's need split over ⌊0.7·n⌋ shuffled partners at the
 *   best price, future offers for t+1..t+3 (50/30/20% of the rest) to the others;
 * - answering, per side: future offers are accepted while that day's total stays ≤ its need;
 *   for today's offers, the subset of partners' offers whose total meets the need with an
 *   overshoot ≤ 0.1·n_lines (least overshoot), else the largest subset below the need; the
 *   remaining need is re-split over the other partners at a concession price (linear in time);
 *   with nothing left to buy or sell they are ended.
 * Penguin ignores price when accepting and can oversell; `safeSellQty` is the bound the
 * hierarchical agent's L1 mask adds.
 */
import type { Rng } from '../../rng.ts';
import { ACCEPT, END, REJECT, type ScmlAgent, type World } from '../world.ts';
import { bestPrice, distribute, isSelling } from './common.ts';

export const PENGUIN_TARGET = 0.7;
export const PENGUIN_OPEN_SHARE = 0.7;
export const PENGUIN_OVERSHOOT = 0.1;
/** Future days t+1..t+3 and the share of the remaining partners each gets. */
export const PENGUIN_FUTURE_SPLIT = [0.5, 0.3, 0.2] as const;
/** Most today's offers searched exhaustively for the subset (2^12 subsets). */
const MAX_SUBSET = 12;

/** Penguin's buy need for delivery day t. */
export function penguinBuyNeed(w: World, a: number, t: number): number {
  return PENGUIN_TARGET * w.nLines - w.inventory[a] - w.suppliesAt[a * w.nSteps + t];
}

/** Penguin's sell need for delivery day t. */
export function penguinSellNeed(w: World, a: number, t: number): number {
  const D = PENGUIN_TARGET * w.nLines;
  return Math.max(0, Math.min(w.nLines, D + w.inventory[a]) - w.salesAt[a * w.nSteps + t]);
}

/** Q_safe_sell(t) = min(n_lines, inv + ex_in(t) + supplies_at(t)) − sales_at(t): what can surely be delivered. */
export function safeSellQty(w: World, a: number, t: number): number {
  const T = w.nSteps;
  return (
    Math.min(w.nLines, w.inventory[a] + w.exInQty(a, t) + w.suppliesAt[a * T + t]) - w.salesAt[a * T + t]
  );
}

/**
 * The subset of quantities qs[0..n) Penguin accepts for a need: least overshoot within
 * [need, need + slack], else the largest total below need. Returns a bit mask (0: nothing fits).
 */
export function penguinSubset(qs: ArrayLike<number>, n: number, need: number, slack: number): number {
  const m = Math.min(n, MAX_SUBSET);
  let bestOver = -1;
  let bestOverTotal = Infinity;
  let bestUnder = 0;
  let bestUnderTotal = 0;
  for (let mask = 1; mask < 1 << m; mask++) {
    let total = 0;
    for (let i = 0; i < m; i++) if (mask & (1 << i)) total += qs[i];
    if (total >= need && total <= need + slack) {
      if (total < bestOverTotal) {
        bestOverTotal = total;
        bestOver = mask;
      }
    } else if (total < need && total > bestUnderTotal) {
      bestUnderTotal = total;
      bestUnder = mask;
    }
  }
  return bestOver >= 0 ? bestOver : bestUnder;
}

export class PenguinAgent implements ScmlAgent {
  readonly type = 'penguin';
  private rng!: Rng;
  private side = new Int32Array(0);
  private today = new Int32Array(0);
  private qs = new Int32Array(0);
  private split = new Int32Array(0);
  private futureTaken = new Float64Array(0);
  private rest = new Int32Array(0);

  init(w: World, _id: number, rng: Rng): void {
    this.rng = rng;
    this.side = new Int32Array(w.nThreads);
    this.today = new Int32Array(w.nThreads);
    this.qs = new Int32Array(w.nThreads);
    this.split = new Int32Array(w.nThreads);
    this.rest = new Int32Array(w.nThreads);
    this.futureTaken = new Float64Array(w.nSteps);
  }

  need(w: World, a: number, t: number, selling: boolean): number {
    return selling ? penguinSellNeed(w, a, t) : penguinBuyNeed(w, a, t);
  }

  act(w: World, a: number, todo: Int32Array, n: number): void {
    for (const selling of [false, true]) {
      let m = 0;
      for (let i = 0; i < n; i++) if (isSelling(w, todo[i], a) === selling) this.side[m++] = todo[i];
      if (m === 0) continue;
      if (w.sub === 0) this.open(w, a, selling, m);
      else this.answer(w, a, selling, m);
    }
  }

  /** Opening offers on the threads this agent opens today: today's need over 70% of them, futures to the rest. */
  private open(w: World, a: number, selling: boolean, m: number): void {
    const threads = this.side.subarray(0, m);
    this.rng.shuffle(threads);
    const need = Math.max(0, Math.floor(this.need(w, a, w.day, selling)));
    this.splitToday(w, a, selling, threads, m, need, false);
  }

  /**
   * Today's need over ⌊0.7·m⌋ of threads[0..m) (at the best price, or at the concession price when
   * re-splitting); the partners left with nothing get future offers.
   */
  private splitToday(
    w: World,
    a: number,
    selling: boolean,
    threads: Int32Array,
    m: number,
    need: number,
    concede: boolean,
  ): void {
    const nToday = need > 0 ? Math.max(1, Math.floor(PENGUIN_OPEN_SHARE * m)) : 0;
    distribute(this.rng, need, nToday, this.split);
    let nFuture = 0;
    for (let i = 0; i < m; i++) {
      const th = threads[i];
      const q = i < nToday ? this.split[i] : 0;
      if (q > 0) {
        const p = concede ? penguinConcessionPrice(w, th, selling) : bestPrice(w, th, selling);
        w.respond(th, REJECT, Math.min(q, w.qtyMax), w.day, p);
      } else this.rest[nFuture++] = th;
    }
    this.futureOffers(w, a, selling, this.rest, nFuture);
  }

  /**
   * Future offers: the first 50% of the threads for t+1, the next 30% for t+2, the last 20% for
   * t+3, each day's need ÷ 3 distributed over its threads at the best price; the rest END.
   */
  private futureOffers(w: World, a: number, selling: boolean, threads: Int32Array, m: number): void {
    const cut1 = Math.floor(m * PENGUIN_FUTURE_SPLIT[0]);
    const cut2 = Math.floor(m * (PENGUIN_FUTURE_SPLIT[0] + PENGUIN_FUTURE_SPLIT[1]));
    const bounds = [0, cut1, cut2, m];
    for (let ahead = 1; ahead <= 3; ahead++) {
      const from = bounds[ahead - 1];
      const n = bounds[ahead] - from;
      if (n === 0) continue;
      const t = w.day + ahead;
      const need = t <= w.deliveryMax ? Math.floor(this.need(w, a, t, selling) / 3) : 0;
      distribute(this.rng, Math.max(0, need), n, this.split);
      for (let i = 0; i < n; i++) {
        const th = threads[from + i];
        const q = need > 0 ? this.split[i] : 0;
        if (q > 0) w.respond(th, REJECT, Math.min(q, w.qtyMax), t, bestPrice(w, th, selling));
        else w.respond(th, END);
      }
    }
  }

  private answer(w: World, a: number, selling: boolean, m: number): void {
    const threads = this.side;
    this.futureTaken.fill(0);
    let nToday = 0;
    let rest = 0;
    // Futures: accept while the day's total stays within its need. Today's offers are collected.
    for (let i = 0; i < m; i++) {
      const th = threads[i];
      const t = w.offT[th];
      if (w.offerer[th] !== 0 && t === w.day) {
        this.today[nToday] = th;
        this.qs[nToday++] = w.offQ[th];
        continue;
      }
      if (
        w.offerer[th] !== 0 &&
        this.futureTaken[t] + w.offQ[th] <= Math.floor(this.need(w, a, t, selling))
      ) {
        this.futureTaken[t] += w.offQ[th];
        w.respond(th, ACCEPT);
        continue;
      }
      threads[rest++] = th;
    }
    const need = Math.floor(this.need(w, a, w.day, selling));
    const mask =
      nToday > 0 && need > 0 ? penguinSubset(this.qs, nToday, need, PENGUIN_OVERSHOOT * w.nLines) : 0;
    for (let i = 0; i < nToday; i++) {
      if (i < MAX_SUBSET && mask & (1 << i)) w.respond(this.today[i], ACCEPT);
      else threads[rest++] = this.today[i];
    }
    if (rest === 0) return;
    // Accepted a set: the others get future offers. Nothing fitted: re-split today's need, conceding on price.
    if (mask !== 0 || need <= 0) this.futureOffers(w, a, selling, threads, rest);
    else {
      this.rng.shuffle(threads.subarray(0, rest));
      this.splitToday(w, a, selling, threads, rest, need, true);
    }
  }
}

/** Penguin's concession price: max(0.7·max, min) when selling, min(1.2·min, max) when buying. */
export function penguinConcessionPrice(w: World, th: number, selling: boolean): number {
  const k = w.thProduct[th];
  const lo = w.priceLo[k];
  const hi = w.priceHi[k];
  return selling ? Math.max(Math.ceil(0.7 * hi), lo) : Math.min(Math.floor(1.2 * lo), hi);
}
