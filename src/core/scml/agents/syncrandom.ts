/**
 * SyncRandomStdAgent (scml-lite.md): a "sync" agent that answers all its threads of a half-step
 * together. Per side (buying, selling):
 * - accepts offers that fit the remaining need of their delivery day at a price at least as good
 *   as its own current price for that day;
 * - spreads today's remaining need over 85% of the other partners (shuffled) and future needs over
 *   the rest, one random future day each;
 * - prices concede with relative time r: buy = mn + (mx−mn)·r^e, sell = mx − (mx−mn)·r^e,
 *   e = 2 for today, 4 for futures.
 * Needs: the exogenous imbalance on the edge levels; n_lines less what is committed on a middle
 * level (as the package's agent, which targets full production there).
 */
import type { Rng } from '../../rng.ts';
import { ACCEPT, END, REJECT, type ScmlAgent, type World } from '../world.ts';
import { distribute, inputsToday, isSelling, randomDay, relTime, salesToday } from './common.ts';

export const SYNC_TODAY_SHARE = 0.85;
export const SYNC_E_TODAY = 2;
export const SYNC_E_FUTURE = 4;

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

  /** Today's need of one side, before this half-step's acceptances. */
  todayNeed(w: World, a: number, selling: boolean): number {
    const k = w.level[a];
    const T = w.nSteps;
    if (k > 0 && k < w.lastLevel)
      return selling
        ? w.nLines - w.salesAt[a * T + w.day]
        : w.nLines - w.inventory[a] - w.suppliesAt[a * T + w.day];
    return selling ? inputsToday(w, a) - salesToday(w, a) : salesToday(w, a) - inputsToday(w, a);
  }

  futureNeed(w: World, a: number, t: number, selling: boolean): number {
    return w.nLines - (selling ? w.salesAt : w.suppliesAt)[a * w.nSteps + t];
  }

  /** This side's price at relative time r with exponent e. */
  price(w: World, th: number, selling: boolean, e: number): number {
    const k = w.thProduct[th];
    const mn = w.priceLo[k];
    const mx = w.priceHi[k];
    const c = Math.pow(relTime(w), e);
    return selling ? Math.round(mx - (mx - mn) * c) : Math.round(mn + (mx - mn) * c);
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
    let need = this.todayNeed(w, a, selling);
    this.futureTaken.fill(0);
    // Accept what fits at a price no worse than ours; the rest get counter-offers.
    let rest = 0;
    for (let i = 0; i < m; i++) {
      const th = threads[i];
      if (w.offerer[th] !== 0) {
        const q = w.offQ[th];
        const t = w.offT[th];
        const today = t === w.day;
        const mine = this.price(w, th, selling, today ? SYNC_E_TODAY : SYNC_E_FUTURE);
        const priceOk = selling ? w.offP[th] >= mine : w.offP[th] <= mine;
        const fits = today ? q <= need : q <= this.futureNeed(w, a, t, selling) - this.futureTaken[t];
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
    const nToday = need > 0 ? Math.max(1, Math.floor(SYNC_TODAY_SHARE * rest)) : 0;
    distribute(rng, Math.max(0, need), nToday, this.split);
    for (let i = 0; i < rest; i++) {
      const th = threads[i];
      const q = i < nToday ? Math.min(this.split[i], w.qtyMax) : 0;
      if (q > 0) {
        w.respond(th, REJECT, q, w.day, this.price(w, th, selling, SYNC_E_TODAY));
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
      w.respond(th, REJECT, fqShare, t, this.price(w, th, selling, SYNC_E_FUTURE));
    }
  }
}
