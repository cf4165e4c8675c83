/**
 * GreedyStdAgent (scml.std.agents.greedy), without the best-price slack bookkeeping:
 * - price threshold th = ((n − s − 1)/(n − 1))^e, e ~ U(0.2, 1), n = rounds, s = round: a price is
 *   good when its position in the range from this side's worst to best end is ≥ th (futures: the
 *   range narrowed to [⌊0.9·max⌋, max] and th = 0.9);
 * - accepts today's offers with q ≤ need, futures with q < 0.75·(n_lines − committed at t), both
 *   only at a good price; the need is 0.75·n_lines on a middle level (it does not fall as contracts
 *   sign: the agent is greedy) and the exogenous imbalance on the edge levels;
 * - offers a random quantity in [⌊0.5 + mx·day/T⌋, mx] at the threshold price, or a future offer at
 *   the best price when today needs nothing, or ENDs.
 */
import type { Rng } from '../../rng.ts';
import { ACCEPT, END, REJECT, type ScmlAgent, type World } from '../world.ts';
import { inputsToday, isSelling, salesToday } from './common.ts';

export const GREEDY_PRODUCTION_TARGET = 0.75;
export const GREEDY_FUTURE_THRESHOLD = 0.9;

export class GreedyAgent implements ScmlAgent {
  readonly type = 'greedy';
  private rng!: Rng;
  /** Concession exponent e ~ U(0.2, 1). */
  e = 0.5;
  /** Today's need per side, decremented as this agent accepts (index 0 buy, 1 sell). */
  private readonly need = new Float64Array(2);
  private days = new Int32Array(0);

  init(_w: World, _id: number, rng: Rng): void {
    this.rng = rng;
    this.e = rng.uniform(0.2, 1);
  }

  beginDay(w: World, a: number): void {
    const middle = w.level[a] > 0 && w.level[a] < w.lastLevel;
    const target = GREEDY_PRODUCTION_TARGET * w.nLines;
    this.need[0] = middle ? target : Math.max(0, salesToday(w, a) - inputsToday(w, a));
    this.need[1] = middle ? target : Math.max(0, inputsToday(w, a) - salesToday(w, a));
  }

  private thSub = -1;
  private thDay = -1;
  private thValue = 1;

  /** ((n − s − 1)/(n − 1))^e: 1 at the first round, 0 at the last (cached per half-step). */
  threshold(w: World): number {
    if (w.sub !== this.thSub || w.day !== this.thDay) {
      const n = w.cfg.rounds;
      this.thValue = Math.pow(Math.max(0, (n - w.round - 1) / (n - 1)), this.e);
      this.thSub = w.sub;
      this.thDay = w.day;
    }
    return this.thValue;
  }

  private futureNeed(w: World, a: number, t: number, selling: boolean): number {
    const committed = (selling ? w.salesAt : w.suppliesAt)[a * w.nSteps + t];
    return GREEDY_PRODUCTION_TARGET * (w.nLines - committed);
  }

  private isGoodPrice(w: World, th: number, selling: boolean, p: number, t: number): boolean {
    const k = w.thProduct[th];
    let mn = w.priceLo[k];
    const mx = w.priceHi[k];
    const th_ = t === w.day ? this.threshold(w) : GREEDY_FUTURE_THRESHOLD;
    if (t !== w.day) mn = Math.floor(mx * GREEDY_FUTURE_THRESHOLD);
    return selling ? p - mn >= th_ * (mx - mn) : mx - p >= th_ * (mx - mn);
  }

  act(w: World, a: number, todo: Int32Array, n: number): void {
    const rng = this.rng;
    for (let i = 0; i < n; i++) {
      const th = todo[i];
      const selling = isSelling(w, th, a);
      const side = selling ? 1 : 0;
      if (w.offerer[th] !== 0) {
        const q = w.offQ[th];
        const t = w.offT[th];
        const fits = t === w.day ? q <= this.need[side] : q < this.futureNeed(w, a, t, selling);
        if (fits && this.isGoodPrice(w, th, selling, w.offP[th], t)) {
          if (t === w.day) this.need[side] -= q;
          w.respond(th, ACCEPT);
          continue;
        }
      }
      this.propose(w, a, th, selling, rng);
    }
  }

  private propose(w: World, a: number, th: number, selling: boolean, rng: Rng): void {
    const k = w.thProduct[th];
    const mn = w.priceLo[k];
    const mx = w.priceHi[k];
    const need = Math.floor(this.need[selling ? 1 : 0]);
    const frac = w.day / w.nSteps;
    if (need <= 0) {
      const nd = w.deliveryMax - w.day;
      if (this.days.length < nd) this.days = new Int32Array(nd);
      for (let j = 0; j < nd; j++) this.days[j] = w.day + 1 + j;
      rng.shuffle(this.days.subarray(0, nd));
      for (let j = 0; j < nd; j++) {
        const t = this.days[j];
        let m = Math.floor(Math.max(Math.min(this.futureNeed(w, a, t, selling), w.qtyMax), 1));
        m = Math.max(0, Math.min(m, w.nLines * (t - w.day)));
        if (m < 1) continue;
        const lo = Math.max(1, Math.floor(0.5 + m * frac));
        w.respond(th, REJECT, lo + rng.int(Math.max(1, m - lo + 1)), t, selling ? mx : mn);
        return;
      }
      w.respond(th, END);
      return;
    }
    const m = Math.min(Math.max(Math.min(need, w.qtyMax), 1), w.nLines);
    const lo = Math.min(m, Math.max(1, Math.floor(0.5 + m * frac)));
    const q = lo + rng.int(m - lo + 1);
    const thr = this.threshold(w);
    const p = selling ? Math.floor(mn + thr * (mx - mn)) : Math.floor(mx - thr * (mx - mn));
    w.respond(th, REJECT, q, w.day, Math.min(mx, Math.max(mn, p)));
  }
}
