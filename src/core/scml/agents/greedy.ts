/**
 * GreedyStdAgent (scml.std.agents.greedy):
 * - price threshold th = ((n − s − 1)/(n − 1))^e, e ~ U(0.2, 1), n = rounds, s = round: a price is
 *   good when its position in the range from this side's worst to best end is ≥ th (futures: the
 *   range narrowed to [⌊0.9·max⌋, max] and th = 0.9);
 * - the range's worst end is pulled towards the best prices seen today (overall and from this
 *   partner) and agreed with this partner so far, each less a random slack U(0.05, 0.15), but
 *   never past (1 − U(0.05, 0.25)) of the best end (the package's unbounded overall-agreement
 *   slack is left out: it never binds);
 * - accepts today's offers with q ≤ need, futures with q < 0.75·(n_lines − committed at t), both
 *   only at a good price; the need is 0.75·n_lines on a middle level (it does not fall as contracts
 *   sign: the agent is greedy) and awi.needed_sales / needed_supplies on the edge levels;
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
  private stepSlack = 0.1;
  private oppSlack = 0.1;
  private oppAccSlack = 0.1;
  private rangeSlack = 0.15;
  /** Best prices seen today, overall and per partner; agreed per partner over the run. */
  private bestSelling = 0;
  private bestBuying = Infinity;
  private bestOppSelling = new Float64Array(0);
  private bestOppBuying = new Float64Array(0);
  private bestOppAccSelling = new Float64Array(0);
  private bestOppAccBuying = new Float64Array(0);
  /** Today's units accepted on each side in the current half-step (index 0 buy, 1 sell). */
  private readonly pending = new Float64Array(2);
  private days = new Int32Array(0);
  private thSub = -1;
  private thDay = -1;
  private thValue = 1;
  /** Scratch range [mn, mx]. */
  private mn = 0;
  private mx = 0;

  init(w: World, _id: number, rng: Rng): void {
    this.rng = rng;
    this.e = rng.uniform(0.2, 1);
    this.stepSlack = rng.uniform(0.05, 0.15);
    this.oppSlack = rng.uniform(0.05, 0.15);
    this.oppAccSlack = rng.uniform(0.05, 0.15);
    this.rangeSlack = rng.uniform(0.05, 0.25);
    this.bestOppSelling = new Float64Array(w.nAgents);
    this.bestOppBuying = new Float64Array(w.nAgents).fill(Infinity);
    this.bestOppAccSelling = new Float64Array(w.nAgents);
    this.bestOppAccBuying = new Float64Array(w.nAgents).fill(Infinity);
  }

  beginDay(): void {
    this.bestSelling = 0;
    this.bestBuying = Infinity;
    this.bestOppSelling.fill(0);
    this.bestOppBuying.fill(Infinity);
  }

  onAgreement(w: World, a: number, th: number): void {
    const c = w.ledger.n - 1;
    const p = w.ledger.p[c];
    const partner = w.partner(th, a);
    if (isSelling(w, th, a)) this.bestOppAccSelling[partner] = Math.max(p, this.bestOppAccSelling[partner]);
    else this.bestOppAccBuying[partner] = Math.min(p, this.bestOppAccBuying[partner]);
  }

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

  /** Today's need of one side: constant on a middle level, awi's imbalance on the edges. */
  needed(w: World, a: number, selling: boolean): number {
    if (w.level[a] > 0 && w.level[a] < w.lastLevel) return GREEDY_PRODUCTION_TARGET * w.nLines;
    const n = selling ? inputsToday(w, a) - salesToday(w, a) : salesToday(w, a) - inputsToday(w, a);
    return n - this.pending[selling ? 1 : 0];
  }

  private futureNeed(w: World, a: number, t: number, selling: boolean): number {
    const committed = (selling ? w.salesAt : w.suppliesAt)[a * w.nSteps + t];
    return GREEDY_PRODUCTION_TARGET * (w.nLines - committed);
  }

  /** The price range for an offer delivered on day t, limited by the best prices seen (sets mn, mx). */
  private priceRange(w: World, th: number, selling: boolean, t: number, partner: number): void {
    const k = w.thProduct[th];
    let mn = w.priceLo[k];
    let mx = w.priceHi[k];
    if (t !== w.day) mn = Math.floor(mx * GREEDY_FUTURE_THRESHOLD);
    if (selling) {
      const seen = Math.max(
        mn,
        this.bestSelling * (1 - this.stepSlack),
        this.bestOppSelling[partner] * (1 - this.oppSlack),
        this.bestOppAccSelling[partner] * (1 - this.oppAccSlack),
      );
      mn = Math.min(mx * (1 - this.rangeSlack), seen);
    } else {
      const seen = Math.min(
        mx,
        this.bestBuying * (1 + this.stepSlack),
        this.bestOppBuying[partner] * (1 + this.oppSlack),
        this.bestOppAccBuying[partner] * (1 + this.oppAccSlack),
      );
      mx = Math.max(mn * (1 + this.rangeSlack), seen);
    }
    this.mn = Math.floor(mn);
    this.mx = Math.floor(mx);
  }

  act(w: World, a: number, todo: Int32Array, n: number): void {
    this.pending[0] = 0;
    this.pending[1] = 0;
    for (let i = 0; i < n; i++) {
      const th = todo[i];
      const selling = isSelling(w, th, a);
      if (w.offerer[th] !== 0 && this.respond(w, a, th, selling)) {
        if (w.offT[th] === w.day) this.pending[selling ? 1 : 0] += w.offQ[th];
        w.respond(th, ACCEPT);
      } else this.propose(w, a, th, selling);
    }
  }

  /** Whether to accept the standing offer (the package's `respond`, with its best-price bookkeeping). */
  private respond(w: World, a: number, th: number, selling: boolean): boolean {
    const q = w.offQ[th];
    const t = w.offT[th];
    const p = w.offP[th];
    const fits = t === w.day ? q <= this.needed(w, a, selling) : q < this.futureNeed(w, a, t, selling);
    if (!fits) return false;
    const partner = w.partner(th, a);
    this.priceRange(w, th, selling, t, partner);
    const thr = t === w.day ? this.threshold(w) : GREEDY_FUTURE_THRESHOLD;
    const good = selling
      ? p - this.mn >= thr * (this.mx - this.mn)
      : this.mx - p >= thr * (this.mx - this.mn);
    if (t === w.day) {
      if (selling) {
        this.bestSelling = Math.max(p, this.bestSelling);
        this.bestOppSelling[partner] = this.bestSelling;
      } else {
        this.bestBuying = Math.min(p, this.bestBuying);
        this.bestOppBuying[partner] = this.bestBuying;
      }
    }
    return good;
  }

  private propose(w: World, a: number, th: number, selling: boolean): void {
    const rng = this.rng;
    const k = w.thProduct[th];
    const need = Math.floor(this.needed(w, a, selling));
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
        const q = lo + rng.int(Math.max(1, m - lo + 1));
        w.respond(th, REJECT, q, t, this.goodPrice(w, th, selling, t, a));
        return;
      }
      w.respond(th, END);
      return;
    }
    const m = Math.min(Math.max(Math.min(need, w.qtyMax), 1), w.nLines);
    const lo = Math.min(m, Math.max(1, Math.floor(0.5 + m * frac)));
    const q = lo + rng.int(m - lo + 1);
    w.respond(
      th,
      REJECT,
      q,
      w.day,
      Math.min(w.priceHi[k], Math.max(w.priceLo[k], this.goodPrice(w, th, selling, w.day, a))),
    );
  }

  /** The package's `_find_good_price`: th of the way from the worst to the best end of the range. */
  private goodPrice(w: World, th: number, selling: boolean, t: number, a: number): number {
    const k = w.thProduct[th];
    this.priceRange(w, th, selling, t, w.partner(th, a));
    const thr = this.threshold(w);
    const p = selling
      ? Math.floor(this.mn + thr * (this.mx - this.mn))
      : Math.floor(this.mx - thr * (this.mx - this.mn));
    return Math.min(w.priceHi[k], Math.max(w.priceLo[k], p));
  }
}
