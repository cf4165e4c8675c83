/**
 * LitaAgent-HRL in the SCML-lite world (seed 001, mode B), layers L1 + L2:
 * - at the start of each day L2 reads the macro state (l2Features) and sets the daily goal
 *   g = [Q_buy, P_buy, Q_sell, P_sell]: quantities to contract today (any delivery day) in units of
 *   n_lines, prices as positions in today's range (0 = bottom, 1 = top);
 * - L1 turns the goal into Penguin-style offers: partners' offers are accepted best price first
 *   while at least as good as this side's own current price (concessionPos: from its best end to
 *   the goal's price by mid-negotiation, then beyond it) and within the quantity left; the rest of
 *   the goal is split over the other threads at that price, delivered today when possible, else
 *   on the first of the next 3 days with room; every answer goes through the safety mask (l1.ts).
 * The goal policy is injected (heuristic, behaviour-cloned or PPO), so this file stays pure.
 * L3/L4 (l3.ts), when `micro` is set: each half-step the agent builds one token per thread it
 * answers, the controller returns residuals (Δq, Δp, Δaccept) on L1's offer and accept threshold,
 * and the result still goes through the mask. With `micro` unset the agent is exactly L1 + L2.
 */
import type { Rng } from '../../rng.ts';
import { penguinBuyNeed, penguinSellNeed } from '../agents/penguin.ts';
import { relTime } from '../agents/common.ts';
import { ACCEPT, END, REJECT, T_RUNNING, type ScmlAgent, type World } from '../world.ts';
import { SafetyMask, type L1Action } from './l1.ts';
import { L3_ACT, L3_FEATURES, type MicroController } from './l3.ts';

export const L2_FEATURES = 16;
export const GOAL_SIZE = 4;
/** Goal bounds: quantities in n_lines (up to 1.5 lines-days a day), prices as range positions. */
export const GOAL_LOW = [0, 0, 0, 0] as const;
export const GOAL_HIGH = [1.5, 1, 1.5, 1] as const;
/**
 * Concession: the goal's price is reached at relative time `mid`, then the price moves on by
 * `slack` of the range beyond it by the last round (1: any in-range price by then, as Penguin,
 * which ignores price). Chosen on 8 tournament configurations (seed 777): slack 0.25 → 1.024,
 * 0.6–1.5 → 1.043–1.045 mean score for the heuristic-goal agent (Penguin 1.029–1.030 there).
 */
export const CONCESSION = { slack: 1, mid: 0.5 } as const;

/**
 * The price position this side offers at relative time rel (and the worst it accepts): from its
 * opening price to the goal's price by rel = mid, then on by `slack` beyond it by the end.
 */
export function concessionPos(goalPos: number, selling: boolean, rel: number): number {
  const { slack, mid } = CONCESSION;
  // Work in "goodness" g (1 = this side's best end) and map back to a position.
  const gGoal = selling ? goalPos : 1 - goalPos;
  // Opens at min(1, 2·goal) in goodness: the best end for goals at mid-range or better, nearer the
  // goal for low goals (a seller under stock pressure takes early offers as Penguin does).
  const start = Math.min(1, 2 * gGoal);
  const g = rel <= mid ? start - (start - gGoal) * (rel / mid) : gGoal - slack * ((rel - mid) / (1 - mid));
  const gc = Math.max(0, Math.min(1, g));
  return selling ? gc : 1 - gc;
}
/** Accept up to this much (× n_lines) beyond the goal's quantity, as Penguin's overshoot. */
export const OVERSHOOT = 0.1;
/**
 * L3/L4 reward weights: goal misalignment per n_lines, deal advantage ((p − TP)/TP per n_lines
 * traded), liquidity per n_lines traded, and the day's Δ(cash + Φ) in units of B₀ (×100: a day
 * moves the balance by ~1%, so the shared result weighs about as much as one line-day's goal gap).
 */
export const MICRO_REWARD = { goal: 0.1, deal: 1, liquidity: 0.01, cash: 100 } as const;
const FUTURE_DAYS = 3;
/** Share of the counter-offers asking for today's delivery (Penguin's 70%). */
const TODAY_SHARE = 0.7;

/** L2: daily goal from the macro state (features) into out[0..4). */
export type GoalPolicy = (features: Float32Array, w: World, a: number, out: Float32Array) => void;

export function clampGoal(g: Float32Array): Float32Array {
  for (let i = 0; i < GOAL_SIZE; i++) {
    const x = Number.isFinite(g[i]) ? g[i] : GOAL_LOW[i];
    g[i] = Math.min(GOAL_HIGH[i], Math.max(GOAL_LOW[i], x));
  }
  return g;
}

/** The macro state L2 reads at the start of a day (fixed size, roughly unit scale). */
export function l2Features(w: World, a: number, out = new Float32Array(L2_FEATURES)): Float32Array {
  const T = w.nSteps;
  const d = Math.min(w.day, T - 1);
  const n = w.nLines;
  const k = w.level[a];
  let supNext = 0;
  let salNext = 0;
  for (let t = d + 1; t <= Math.min(T - 1, d + FUTURE_DAYS); t++) {
    supNext += w.suppliesAt[a * T + t];
    salNext += w.salesAt[a * T + t];
  }
  const tpIn = w.tp[k];
  const tpOut = w.tp[k + 1];
  const f = [
    d / T,
    w.balance[a] / w.cfg.initialBalance[a],
    w.inventory[a] / n,
    w.exInQty(a, d) / n,
    w.exOutQty(a, d) / n,
    w.suppliesAt[a * T + d] / n,
    w.salesAt[a * T + d] / n,
    supNext / (FUTURE_DAYS * n),
    salNext / (FUTURE_DAYS * n),
    k === 0 ? 1 : 0,
    k === w.lastLevel ? 1 : 0,
    w.cfg.cost[a] / tpOut,
    tpIn / w.cfg.catalogPrices[k],
    tpOut / w.cfg.catalogPrices[k + 1],
    (tpOut - tpIn - w.cfg.cost[a]) / tpOut,
    (T - d) / 200,
  ];
  for (let i = 0; i < L2_FEATURES; i++) out[i] = Math.max(-10, Math.min(10, f[i]));
  return out;
}

/**
 * The L2 ablation: Penguin's needs (today's plus a third of the next 3 days') at mid-range prices,
 * the sell price lowered under stock pressure.
 */
export const heuristicGoal: GoalPolicy = (_f, w, a, out) => {
  const n = w.nLines;
  let buy = Math.max(0, penguinBuyNeed(w, a, w.day));
  let sell = Math.max(0, penguinSellNeed(w, a, w.day));
  for (let t = w.day + 1; t <= Math.min(w.deliveryMax, w.day + FUTURE_DAYS); t++) {
    buy += Math.max(0, penguinBuyNeed(w, a, t)) / FUTURE_DAYS;
    sell += Math.max(0, penguinSellNeed(w, a, t)) / FUTURE_DAYS;
  }
  out[0] = w.level[a] === 0 ? 0 : buy / n;
  out[1] = 0.5;
  out[2] = w.level[a] === w.lastLevel ? 0 : sell / n;
  // Stock beyond a day's lines costs storage every day: the sell price falls to the bottom by 2·n.
  out[3] = Math.max(0, Math.min(0.5, 0.5 * (2 - w.inventory[a] / n)));
  clampGoal(out);
};

export class HrlAgent implements ScmlAgent {
  readonly type: string;
  readonly goal = new Float32Array(GOAL_SIZE);
  readonly features = new Float32Array(L2_FEATURES);
  /** When set (the L2 env), today's goal comes from here instead of the policy. */
  goalOverride: Float32Array | null = null;
  private mask!: SafetyMask;
  private readonly act0: L1Action = { kind: END, q: 0, t: 0, p: 0 };
  private readonly act1: L1Action = { kind: END, q: 0, t: 0, p: 0 };
  /** Σ_t sales_at / supplies_at at the start of the day: what is signed today is the growth. */
  private salesStart = 0;
  private suppliesStart = 0;
  private idx = new Int32Array(0);
  private key = new Float64Array(0);
  /** L3/L4 (l3.ts); null: L1 + L2 only. */
  micro: MicroController | null = null;
  /** Called with each half-step's tokens (the L3 expert-residual recorder). */
  tokenSink: ((tokens: Float32Array, threads: Int32Array, n: number) => void) | null = null;
  /** Per thread: today's residuals (Δq in n_lines, Δp and Δaccept in goodness). */
  private resQ = new Float32Array(0);
  private resP = new Float32Array(0);
  private resA = new Float32Array(0);
  /** Per thread: goodness of the partner's last and previous offers today (−1: none). */
  private lastGood = new Float32Array(0);
  private prevGood = new Float32Array(0);
  private tokens = new Float32Array(0);
  private residual = new Float32Array(0);
  private tokThreads = new Int32Array(0);
  /** Balance and Φ at the start of the day, for the day's reward (training only). */
  private dayBalance = NaN;
  private dayPhi = 0;
  private readonly dayGoal = new Float32Array(GOAL_SIZE);

  constructor(
    private readonly policy: GoalPolicy = heuristicGoal,
    type = 'hrl',
  ) {
    this.type = type;
  }

  init(w: World, _id: number, _rng: Rng): void {
    this.mask = new SafetyMask(w.cfg.horizon);
    this.idx = new Int32Array(w.nThreads);
    this.key = new Float64Array(w.nThreads);
    for (const k of ['resQ', 'resP', 'resA', 'lastGood', 'prevGood'] as const)
      this[k] = new Float32Array(w.nThreads);
    this.tokens = new Float32Array(w.nThreads * L3_FEATURES);
    this.residual = new Float32Array(w.nThreads * L3_ACT);
    this.tokThreads = new Int32Array(w.nThreads);
  }

  private committed(w: World, a: number, selling: boolean): number {
    const arr = selling ? w.salesAt : w.suppliesAt;
    let s = 0;
    for (let t = 0; t < w.nSteps; t++) s += arr[a * w.nSteps + t];
    return s;
  }

  beginDay(w: World, a: number): void {
    if (this.micro?.steps) this.closeDay(w, a);
    l2Features(w, a, this.features);
    if (this.goalOverride) this.goal.set(this.goalOverride);
    else this.policy(this.features, w, a, this.goal);
    clampGoal(this.goal);
    if (w.level[a] === 0) this.goal[0] = 0;
    if (w.level[a] === w.lastLevel) this.goal[2] = 0;
    this.salesStart = this.committed(w, a, true);
    this.suppliesStart = this.committed(w, a, false);
    this.lastGood.fill(-1);
    this.prevGood.fill(-1);
    this.resQ.fill(0);
    this.resP.fill(0);
    this.resA.fill(0);
    this.dayBalance = w.balance[a];
    this.dayPhi = w.inventory[a] * w.tp[w.level[a]];
    this.dayGoal.set(this.goal);
  }

  act(w: World, a: number, todo: Int32Array, n: number): void {
    this.mask.refresh(w, a);
    if (this.micro || this.tokenSink) this.prepareMicro(w, a, todo, n);
    this.side(w, a, todo, n, false);
    this.side(w, a, todo, n, true);
  }

  /** What is left of today's goal on a side, and my standing offers on it. */
  private sideLeft(w: World, a: number, selling: boolean): { left: number; standingMine: number } {
    const gq = selling ? this.goal[2] : this.goal[0];
    const left =
      gq * w.nLines -
      (selling
        ? this.committed(w, a, true) - this.salesStart
        : this.committed(w, a, false) - this.suppliesStart);
    let standingMine = 0;
    for (let j = w.agStart[a]; j < w.agStart[a + 1]; j++) {
      const th = w.agThreads[j];
      if (w.thStatus[th] !== T_RUNNING || w.offerer[th] === 0 || w.actor(th) === a) continue;
      if ((w.thSeller[th] === a) === selling) standingMine += w.offQ[th];
    }
    return { left, standingMine };
  }

  /** One token per thread to answer (l3.ts), then the controller's residuals per thread. */
  private prepareMicro(w: World, a: number, todo: Int32Array, n: number): void {
    const nl = w.nLines;
    const rel = relTime(w);
    const F = L3_FEATURES;
    const tok = this.tokens;
    for (const selling of [false, true]) {
      const { left, standingMine } = this.sideLeft(w, a, selling);
      let m = 0;
      for (let i = 0; i < n; i++) if ((w.thSeller[todo[i]] === a) === selling) m++;
      const gp = selling ? this.goal[3] : this.goal[1];
      const myPos = concessionPos(gp, selling, rel);
      const baseQ = m > 0 ? Math.max(0, left - standingMine) / m : 0;
      for (let i = 0; i < n; i++) {
        const th = todo[i];
        if ((w.thSeller[th] === a) !== selling) continue;
        const standing = w.offerer[th] !== 0;
        const good = standing ? this.goodness(w, th, selling, w.offP[th]) : -1;
        if (standing && good !== this.lastGood[th]) {
          this.prevGood[th] = this.lastGood[th];
          this.lastGood[th] = good;
        }
        const tp = w.tp[w.thProduct[th]];
        const o = i * F;
        tok[o] = selling ? 1 : 0;
        tok[o + 1] = rel;
        tok[o + 2] = (selling ? this.goal[2] : this.goal[0]) / 1.5;
        tok[o + 3] = Math.max(-2, Math.min(2, left / nl));
        tok[o + 4] = selling ? gp : 1 - gp;
        tok[o + 5] = selling ? myPos : 1 - myPos;
        tok[o + 6] = Math.min(2, baseQ / nl);
        tok[o + 7] = standing ? 1 : 0;
        tok[o + 8] = standing ? w.offQ[th] / nl : 0;
        tok[o + 9] = standing ? good : 0;
        tok[o + 10] = standing ? (w.offT[th] - w.day) / Math.max(1, w.cfg.horizon) : 0;
        tok[o + 11] = this.prevGood[th] >= 0 ? this.prevGood[th] : 0;
        tok[o + 12] = standing
          ? Math.max(-1, Math.min(1, (10 * (selling ? w.offP[th] - tp : tp - w.offP[th])) / tp))
          : 0;
        tok[o + 13] = m / 12;
        this.tokThreads[i] = th;
      }
    }
    this.tokenSink?.(this.tokens, this.tokThreads, n);
    if (!this.micro) return;
    this.micro.decide(this.tokens, n, this.features, this.residual);
    for (let i = 0; i < n; i++) {
      const th = todo[i];
      this.resQ[th] = this.residual[i * L3_ACT];
      this.resP[th] = this.residual[i * L3_ACT + 1];
      this.resA[th] = this.residual[i * L3_ACT + 2];
    }
  }

  /**
   * L3/L4's reward for the day just played (seed 001 §4.2): goal alignment −|Q_exec − Q_target|
   * per side (÷ n_lines, × GOAL_COEF) plus the shared result Δ(cash + Φ) ÷ B₀ × CASH_COEF; credited
   * to the day's last half-step, which ends the L3/L4 episode.
   */
  closeDay(w: World, a: number): void {
    if (!this.micro?.steps || !Number.isFinite(this.dayBalance)) return;
    const nl = w.nLines;
    const bought = this.committed(w, a, false) - this.suppliesStart;
    const sold = this.committed(w, a, true) - this.salesStart;
    const align = Math.abs(bought - this.dayGoal[0] * nl) / nl + Math.abs(sold - this.dayGoal[2] * nl) / nl;
    const phi = w.inventory[a] * w.tp[w.level[a]];
    const gain = (w.balance[a] + phi - this.dayBalance - this.dayPhi) / w.cfg.initialBalance[a];
    this.micro.reward(-MICRO_REWARD.goal * align + MICRO_REWARD.cash * gain, true);
    this.dayBalance = NaN;
  }

  /** Deal advantage on an agreement (selling above / buying below the trading price) + liquidity. */
  onAgreement(w: World, a: number, th: number): void {
    if (!this.micro?.steps) return;
    const L = w.ledger;
    const c = L.n - 1;
    const tp = w.tp[w.thProduct[th]];
    const selling = L.seller[c] === a;
    const adv = ((selling ? L.p[c] - tp : tp - L.p[c]) / tp) * (L.q[c] / w.nLines);
    this.micro.reward(MICRO_REWARD.deal * adv + MICRO_REWARD.liquidity * (L.q[c] / w.nLines));
  }

  private side(w: World, a: number, todo: Int32Array, n: number, selling: boolean): void {
    const nl = w.nLines;
    const gp = selling ? this.goal[3] : this.goal[1];
    // Quantity still wanted: goal − signed today. Partners' offers are taken against it; my own
    // standing offers (most are refused) only shrink what is offered anew. The mask counts both.
    const sl = this.sideLeft(w, a, selling);
    let left = sl.left;
    const standingMine = sl.standingMine;
    let m = 0;
    for (let i = 0; i < n; i++) if ((w.thSeller[todo[i]] === a) === selling) this.idx[m++] = todo[i];
    if (m === 0) return;
    const rel = relTime(w);
    // Partners' offers, best price for this side first.
    for (let i = 0; i < m; i++) {
      const th = this.idx[i];
      this.key[i] = w.offerer[th] === 0 ? -Infinity : this.goodness(w, th, selling, w.offP[th]);
    }
    const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => this.key[y] - this.key[x]);
    const myPos = concessionPos(gp, selling, rel);
    const worstGood = selling ? myPos : 1 - myPos;
    const rest: number[] = [];
    for (const i of order) {
      const th = this.idx[i];
      const standing = w.offerer[th] !== 0;
      // Accept what is at least as good as what this side would offer now.
      // L3's Δaccept lowers (> 0) or raises (< 0) the threshold on this thread.
      if (
        standing &&
        this.key[i] >= worstGood - this.resA[th] - 1e-9 &&
        w.offQ[th] <= left + OVERSHOOT * nl
      ) {
        this.act0.kind = ACCEPT;
        const r = this.mask.clip(w, a, th, this.act0, this.act1);
        if (r.kind === ACCEPT) {
          w.respond(th, ACCEPT);
          left -= r.q;
          continue;
        }
      }
      rest.push(th);
    }
    // Counter-offers: the rest of the goal split over the remaining threads.
    left -= standingMine;
    let parts = rest.length;
    // As Penguin: 70% of the threads are offered today's delivery, the rest t+1..t+3 in turn
    // (partners' future needs open before today's fill up); the first day with room otherwise.
    const nToday = Math.ceil(TODAY_SHARE * rest.length);
    for (let j = 0; j < rest.length; j++) {
      const th = rest[j];
      const qBase = left >= 1 ? Math.max(1, Math.round(left / parts)) : 0;
      // L3's Δq may ask for more or less than L1's share (below 1 unit the thread ends).
      const q = Math.round(qBase + this.resQ[th] * nl);
      parts--;
      if (q < 1) {
        w.respond(th, END);
        continue;
      }
      const k = w.thProduct[th];
      const lo = w.priceLo[k];
      const hi = w.priceHi[k];
      const g = Math.max(0, Math.min(1, worstGood + this.resP[th]));
      const p = Math.round(lo + (hi - lo) * (selling ? g : 1 - g));
      const want = j < nToday ? 0 : 1 + ((j - nToday) % FUTURE_DAYS);
      let t = w.day;
      for (let step = 0; step <= FUTURE_DAYS; step++) {
        const ahead = (want + step) % (FUTURE_DAYS + 1);
        if (this.mask.room(w, selling, w.day + ahead, p) >= 1) {
          t = w.day + ahead;
          break;
        }
      }
      this.act0.kind = REJECT;
      this.act0.q = q;
      this.act0.t = t;
      this.act0.p = p;
      const r = this.mask.clip(w, a, th, this.act0, this.act1);
      if (r.kind === REJECT) {
        w.respond(th, REJECT, r.q, r.t, r.p);
        left -= r.q;
      } else w.respond(th, END);
    }
  }

  private goodness(w: World, th: number, selling: boolean, p: number): number {
    const k = w.thProduct[th];
    const span = w.priceHi[k] - w.priceLo[k];
    if (span <= 0) return 1;
    const pos = (p - w.priceLo[k]) / span;
    return selling ? pos : 1 - pos;
  }
}
