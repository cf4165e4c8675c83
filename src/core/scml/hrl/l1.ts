/**
 * LitaAgent-HRL, layer 1 (seed 001, mode B): the safety mask every upper-layer action is clipped by.
 *
 * At each half-step the mask fixes, for agent a and the days t = today … today + horizon (index i),
 *   inputs(i) = inv·[i = 0] + exIn(t) + supplies_at(t),   planned(i) = sales_at(t) + my standing
 *               sell offers for t (the partner may accept them in this same half-step);
 *   cum(i)    = Σ_{j ≤ i} (inputs(j) − planned(j))   (stock left after day i's deliveries);
 *   sell room(t) = max(0, min(n_lines − planned(i), min_{j ≥ i} cum(j)))  — a sale for t must be
 *               producible that day and leave every later commitment covered (the note's
 *               Q_safe_sell, with stock carried between days);
 *   buy room(t)  = max(0, n_lines − inputs(i) − max(0, cum(i − 1)) − my standing buy offers for t)
 *               (no inputs beyond what the lines can use that day, carried stock included);
 *   cash      = balance − Σ unexecuted purchases (signed, delivery ≥ today) − standing buy offers;
 * exIn(t) is today's exogenous supply for t = today and, for futures (not revealed yet), the least
 * daily supply seen so far — a lower bound, so the sell room stays safe. Prices are clipped into
 * today's range, quantities into [1, q_max], delivery days into [today, today + horizon].
 * Every accept or counter-offer granted consumes its quantity (and, buying, q·p of cash), so all
 * of one half-step's answers together, plus what is signed and standing, stay within the bounds
 * even if every offer is accepted at once.
 */
import { ACCEPT, END, REJECT, T_RUNNING, type World } from '../world.ts';

export interface L1Action {
  kind: number;
  q: number;
  t: number;
  p: number;
}

export class SafetyMask {
  /** Indexed by t − today (0..horizon): planned sales, stock after the day, buy room. */
  readonly planned: Float64Array;
  readonly cum: Float64Array;
  readonly buyCap: Float64Array;
  private readonly inputs: Float64Array;
  private nLines = 0;
  cash = 0;
  /** Least exogenous supply seen on a day so far (futures' lower bound); Infinity before day 0. */
  private minExIn = Infinity;
  /** Unexecuted purchase cost of signed contracts, kept incrementally over the ledger. */
  private committedCost = 0;
  private seenContracts = 0;
  private costDay = -1;

  constructor(horizon: number) {
    this.planned = new Float64Array(horizon + 1);
    this.cum = new Float64Array(horizon + 1);
    this.inputs = new Float64Array(horizon + 1);
    this.buyCap = new Float64Array(horizon + 1);
  }

  /** Exogenous supply counted for delivery day t. */
  exInBound(w: World, a: number, t: number): number {
    if (t === w.day) return w.exInQty(a);
    return Number.isFinite(this.minExIn) ? this.minExIn : 0;
  }

  /** Unexecuted purchase cost: rescanned once a day (contracts executed), then grown with new signings. */
  private updateCommitted(w: World, a: number): void {
    if (this.costDay !== w.day) {
      this.costDay = w.day;
      this.committedCost = 0;
      for (let c = 0; c < w.ledger.n; c++)
        if (w.ledger.buyer[c] === a && w.ledger.valid[c] && w.ledger.t[c] >= w.day)
          this.committedCost += w.ledger.q[c] * w.ledger.p[c];
      this.seenContracts = w.ledger.n;
      if (w.level[a] === 0) this.minExIn = Math.min(this.minExIn, w.exInQty(a));
      return;
    }
    for (let c = this.seenContracts; c < w.ledger.n; c++)
      if (w.ledger.buyer[c] === a && w.ledger.valid[c]) this.committedCost += w.ledger.q[c] * w.ledger.p[c];
    this.seenContracts = w.ledger.n;
  }

  /** Recompute the bounds for agent a at the current half-step (call at the start of act()). */
  refresh(w: World, a: number): void {
    this.updateCommitted(w, a);
    const T = w.nSteps;
    const H = this.cum.length;
    const n = w.nLines;
    this.nLines = n;
    const inputs = this.inputs;
    this.buyCap.fill(0); // standing buy offers per day first, the buy room below
    for (let i = 0; i < H; i++) {
      const t = w.day + i;
      if (t > w.deliveryMax) {
        inputs[i] = 0;
        this.planned[i] = 0;
        continue;
      }
      inputs[i] = (i === 0 ? w.inventory[a] : 0) + this.exInBound(w, a, t) + w.suppliesAt[a * T + t];
      this.planned[i] = w.salesAt[a * T + t];
    }
    this.cash = w.balance[a] - this.committedCost;
    // Standing offers of mine that the partner answers in this half-step may all be accepted.
    for (let j = w.agStart[a]; j < w.agStart[a + 1]; j++) {
      const th = w.agThreads[j];
      if (w.thStatus[th] !== T_RUNNING || w.offerer[th] === 0 || w.actor(th) === a) continue;
      const i = w.offT[th] - w.day;
      if (w.thSeller[th] === a) this.planned[i] += w.offQ[th];
      else {
        // Standing purchases use buy room and cash but are not stock to sell until signed.
        this.buyCap[i] += w.offQ[th];
        this.cash -= w.offQ[th] * w.offP[th];
      }
    }
    let c = 0;
    for (let i = 0; i < H; i++) {
      c += inputs[i] - this.planned[i];
      this.cum[i] = c;
    }
    // Level 0 buys only from the system and the last level sells only to it. Stock carried into
    // a day counts as that day's inputs.
    for (let i = 0; i < H; i++) {
      const carried = i > 0 ? Math.max(0, this.cum[i - 1]) : 0;
      this.buyCap[i] =
        w.level[a] === 0 || w.day + i > w.deliveryMax
          ? 0
          : Math.max(0, n - inputs[i] - carried - this.buyCap[i]);
    }
    if (w.level[a] === w.lastLevel) this.cum.fill(-1);
  }

  /** Units that can still be sold for delivery index i (0 = today). */
  sellRoom(i: number): number {
    let m = this.nLines - this.planned[i];
    for (let j = i; j < this.cum.length; j++) m = Math.min(m, this.cum[j]);
    return Math.max(0, m);
  }

  /** Most units this side may still commit for delivery day t at unit price p. */
  room(w: World, selling: boolean, t: number, p: number): number {
    const i = t - w.day;
    if (i < 0 || i >= this.cum.length || t > w.deliveryMax) return 0;
    if (selling) return Math.floor(this.sellRoom(i));
    return Math.max(0, Math.min(Math.floor(this.buyCap[i]), Math.floor(this.cash / Math.max(1, p))));
  }

  /** Consume a granted commitment. */
  take(w: World, selling: boolean, t: number, q: number, p: number): void {
    const i = t - w.day;
    if (selling) {
      this.planned[i] += q;
      for (let j = i; j < this.cum.length; j++) this.cum[j] -= q;
    } else {
      this.buyCap[i] -= q;
      this.cash -= q * p;
    }
  }

  /**
   * Clip any upper-layer action on thread th (agent a's turn) into the safe set, consume its
   * budget, and write the result into `out`: ACCEPT stays only if the standing offer fits, else it
   * becomes a counter-offer of the fitting part; a counter-offer is moved into the ranges and cut to
   * the room left; with no room the thread ENDs.
   */
  clip(w: World, a: number, th: number, act: L1Action, out: L1Action): L1Action {
    const selling = w.thSeller[th] === a;
    const k = w.thProduct[th];
    const lo = w.priceLo[k];
    const hi = w.priceHi[k];
    out.kind = END;
    out.q = 0;
    out.t = 0;
    out.p = 0;
    if (act.kind === END) return out;
    let q: number;
    let t: number;
    let p: number;
    if (act.kind === ACCEPT && w.offerer[th] !== 0) {
      q = w.offQ[th];
      t = w.offT[th];
      p = w.offP[th];
      const room = this.room(w, selling, t, p);
      if (room >= q) {
        this.take(w, selling, t, q, p);
        out.kind = ACCEPT;
        out.q = q;
        out.t = t;
        out.p = p;
        return out;
      }
      q = room;
    } else {
      const finite = (x: number, d: number) => (Number.isFinite(x) ? Math.round(x) : d);
      t = Math.min(w.deliveryMax, Math.max(w.day, finite(act.t, w.day)));
      p = Math.min(hi, Math.max(lo, finite(act.p, selling ? hi : lo)));
      q = Math.min(w.qtyMax, finite(act.q, 0), this.room(w, selling, t, p));
    }
    if (q < 1) return out;
    this.take(w, selling, t, q, p);
    out.kind = REJECT;
    out.q = q;
    out.t = t;
    out.p = p;
    return out;
  }
}
