/**
 * SyncRandomStdAgent (scml-lite.md; details from scml.std.agents.rand): a "sync" agent that
 * answers all its threads of a half-step together. Per side (buying, selling):
 * - needs are the package's awi.needed_supplies / needed_sales (exogenous + committed imbalance
 *   for today); a middle level accepts up to max(need, ⌊0.3·n_lines⌋) and distributes n_lines;
 * - accepts offers with 0 < q < the remaining need of their delivery day at a good price: buy when
 *   p ≤ mn + (mx−mn)·r^e, sell when p ≥ mx − (mx−mn)·r^e (e = 2 today with r the relative time;
 *   e = 4 for futures with r the distance to the end, and a quarter of the range kept back);
 * - spreads today's need over 85% of the other partners (shuffled) and future needs over the rest,
 *   one random future day each; its counter prices use the futures' exponent, as the package's.
 */
import type { Rng } from '../../rng.ts';
import { ACCEPT, END, REJECT, type ScmlAgent, type World } from '../world.ts';
import { distribute, inputsToday, isSelling, randomDay, relTime, salesToday } from './common.ts';

export const SYNC_TODAY_SHARE = 0.85;
export const SYNC_E_TODAY = 2;
export const SYNC_E_FUTURE = 4;
export const SYNC_FUTURE_MIN_PRICE = 0.25;
export const SYNC_MIDDLE_PRODUCTIVITY = 0.3;

export class SyncRandomAgent implements ScmlAgent {
  readonly type = 'syncrandom';
  private rng!: Rng;
  private side = new Int32Array(0);
  private split = new Int32Array(0);
  private futureTaken = new Int32Array(0);

  init(w: World, _id: number, rng: Rng): void {
    this.rng = rng;
    this.side = new Int32Array(w.nThreads);
    this.split = new Int32Array(w.nThreads);
    this.futureTaken = new Int32Array(w.nSteps);
  }

  /** awi.needed_sales / needed_supplies: today's exogenous and committed imbalance. */
  needed(w: World, a: number, selling: boolean): number {
    return selling ? inputsToday(w, a) - salesToday(w, a) : salesToday(w, a) - inputsToday(w, a);
  }

  private middle(w: World, a: number): boolean {
    return w.level[a] > 0 && w.level[a] < w.lastLevel;
  }

  /** What today's acceptances may add up to (strictly below). */
  acceptNeed(w: World, a: number, selling: boolean): number {
    const n = this.needed(w, a, selling);
    return this.middle(w, a) ? Math.max(n, Math.floor(SYNC_MIDDLE_PRODUCTIVITY * w.nLines)) : n;
  }

  /** What today's counter-offers ask for in total. */
  todayNeed(w: World, a: number, selling: boolean): number {
    return this.middle(w, a) ? w.nLines : this.needed(w, a, selling);
  }

  futureNeed(w: World, a: number, t: number, selling: boolean): number {
    return w.nLines - (selling ? w.salesAt : w.suppliesAt)[a * w.nSteps + t];
  }

  /** This side's price at relative time r (default: of the negotiation) with exponent e; futures keep a quarter of the range back. */
  price(w: World, th: number, selling: boolean, e: number, r = relTime(w)): number {
    return this.priceAt(w, th, selling, e === SYNC_E_FUTURE, Math.pow(r, e));
  }

  /** The price at concession c = r^e (callers hoist the power out of their loops). */
  private priceAt(w: World, th: number, selling: boolean, future: boolean, c: number): number {
    const k = w.thProduct[th];
    let mn = w.priceLo[k];
    let mx = w.priceHi[k];
    if (future && selling) mn += SYNC_FUTURE_MIN_PRICE * (mx - mn);
    if (future && !selling) mx -= SYNC_FUTURE_MIN_PRICE * (mx - mn);
    const p = selling ? Math.floor(0.5 + mx - (mx - mn) * c) : Math.floor(mn + (mx - mn) * c + 0.5);
    return Math.max(w.priceLo[k], Math.min(w.priceHi[k], p));
  }

  act(w: World, a: number, todo: Int32Array, n: number): void {
    for (const selling of [false, true]) {
      let m = 0;
      for (let i = 0; i < n; i++) if (isSelling(w, todo[i], a) === selling) this.side[m++] = todo[i];
      if (m > 0) this.actSide(w, a, selling, m);
    }
  }

  private actSide(w: World, a: number, selling: boolean, m: number): void {
    const rng = this.rng;
    const threads = this.side;
    let need = this.acceptNeed(w, a, selling);
    const r = relTime(w);
    const cToday = Math.pow(r, SYNC_E_TODAY);
    const cFuture = Math.pow(r, SYNC_E_FUTURE);
    this.futureTaken.fill(0);
    // Accept what fits at a price no worse than ours; the rest get counter-offers.
    let rest = 0;
    for (let i = 0; i < m; i++) {
      const th = threads[i];
      if (w.offerer[th] !== 0) {
        const q = w.offQ[th];
        const t = w.offT[th];
        const today = t === w.day;
        const mine = today
          ? this.priceAt(w, th, selling, false, cToday)
          : this.price(w, th, selling, SYNC_E_FUTURE, (t - w.day) / Math.max(1, w.nSteps - w.day));
        const priceOk = selling ? w.offP[th] >= mine : w.offP[th] <= mine;
        const fits = today ? q < need : q < this.futureNeed(w, a, t, selling) - this.futureTaken[t];
        if (priceOk && fits) {
          if (today) need -= q;
          else this.futureTaken[t] += q;
          w.respond(th, ACCEPT);
          continue;
        }
      }
      threads[rest++] = th;
    }
    if (rest === 0) return;
    rng.shuffle(threads.subarray(0, rest));
    const ask = this.todayNeed(w, a, selling);
    const nToday = ask > 0 ? Math.max(1, Math.floor(SYNC_TODAY_SHARE * rest)) : 0;
    distribute(rng, Math.max(0, ask), nToday, this.split);
    for (let i = 0; i < rest; i++) {
      const th = threads[i];
      const q = i < nToday ? Math.min(this.split[i], w.qtyMax) : 0;
      if (q > 0) {
        w.respond(th, REJECT, q, w.day, this.priceAt(w, th, selling, true, cFuture));
        continue;
      }
      const t = randomDay(w, rng, w.day + 1);
      const fq = t < 0 ? 0 : this.futureNeed(w, a, t, selling) - this.futureTaken[t];
      if (fq < 1) {
        w.respond(th, END);
        continue;
      }
      const nFuture = Math.max(1, rest - nToday);
      const fqShare = Math.max(1, Math.min(w.qtyMax, Math.round(fq / nFuture)));
      w.respond(th, REJECT, fqShare, t, this.priceAt(w, th, selling, true, cFuture));
    }
  }
}
