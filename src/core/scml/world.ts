/**
 * The SCML-lite world (shared/research/scml-lite.md): one simulated day is
 *   startDay   exogenous contracts revealed, today's offer ranges fixed, one SAO thread per
 *              supplier–consumer pair of adjacent levels (both alive) opened;
 *   negotiate  up to 2·rounds half-steps: on every running thread the side whose turn it is
 *              answers the standing offer with ACCEPT, REJECT + counter-offer, or END (the
 *              opening half-step is a counter-offer with nothing standing). All agents act in a
 *              half-step before any answer is applied, so a "sync" agent sees every offer at once;
 *   endDay     production and settlement (cheapest purchases first while cash lasts, production
 *              P = min(inputs, lines, sales), revenue from the P highest-priced sales, storage and
 *              shortfall penalties), trading-price update, bankruptcy.
 * Agents read this object's public arrays (they must not write them) and answer through
 * `respond`. Hot state lives in typed arrays; a day allocates nothing once the ledger has grown.
 */
import { Rng } from '../rng.ts';
import { levelStarts, nAgentsOf, type ScmlConfig } from './config.ts';
import { DaySettlement, Ledger } from './ledger.ts';

export const ACCEPT = 0;
export const REJECT = 1;
export const END = 2;
/** Log-only response codes. */
export const TIMEOUT = 3;
export const RESPONSE_NAMES = ['accept', 'reject', 'end', 'timeout'] as const;

/** Thread status. */
export const T_CLOSED = 0;
export const T_RUNNING = 1;
export const T_AGREED = 2;
export const T_ENDED = 3;
export const T_TIMEOUT = 4;

export interface ScmlAgent {
  readonly type: string;
  /** Once, before day 0. `rng` is the agent's own stream. */
  init(w: World, id: number, rng: Rng): void;
  /** After the exogenous contracts are revealed, before the first half-step. */
  beginDay?(w: World, id: number): void;
  /**
   * Answer threads todo[0..n) (each: this agent's turn). The standing offer is
   * w.offQ/offT/offP[th] when w.offerer[th] ≠ 0 (at the opening there is none). Call
   * w.respond(th, …) per thread; a thread left unanswered ENDs.
   */
  act(w: World, id: number, todo: Int32Array, n: number): void;
  /** A thread of this agent reached an agreement (the ledger's newest contract). */
  onAgreement?(w: World, id: number, th: number): void;
}

/** Optional sink for the per-offer and per-day logs (the tournament's CSV rows). */
export interface WorldLogger {
  offer(
    day: number,
    thread: number,
    round: number,
    proposer: number,
    responder: number,
    q: number,
    t: number,
    p: number,
    response: number,
  ): void;
  daily(day: number, agent: number, w: World): void;
}

export class World {
  readonly cfg: ScmlConfig;
  readonly agents: readonly ScmlAgent[];
  readonly nAgents: number;
  readonly nSteps: number;
  readonly nLines: number;
  readonly starts: Int32Array;
  readonly level: Int32Array;
  readonly lastLevel: number;
  day = 0;
  /** Half-step within today's negotiations (round = sub >> 1). */
  sub = 0;

  // ---- agent state
  readonly balance: Float64Array;
  /** Units of the agent's input product in stock. */
  readonly inventory: Int32Array;
  readonly bankrupt: Uint8Array;
  /** Committed quantities by delivery day, [agent·T + day]: bought (supplies) and sold (sales). */
  readonly suppliesAt: Int32Array;
  readonly salesAt: Int32Array;
  /** Cumulative shortfall units (sales not delivered). */
  readonly shortfallUnits: Float64Array;

  // ---- market
  readonly tp: Float64Array;
  private readonly tpB: Float64Array;
  readonly priceLo: Int32Array;
  readonly priceHi: Int32Array;
  readonly qtyMax: number;
  deliveryMax = 0;

  // ---- threads (fixed pairs; state reset each day)
  readonly nThreads: number;
  readonly thSeller: Int32Array;
  readonly thBuyer: Int32Array;
  /** Product traded on the thread (the seller's output). */
  readonly thProduct: Int32Array;
  readonly thStatus: Uint8Array;
  /** Who made the standing offer: 0 none, 1 seller, 2 buyer. */
  readonly offerer: Uint8Array;
  /** Who opens today: 1 seller, 2 buyer. */
  readonly opener: Uint8Array;
  readonly offQ: Int32Array;
  readonly offT: Int32Array;
  readonly offP: Int32Array;
  /** Threads of each agent (CSR: agThreads[agStart[a] .. agStart[a+1])). */
  readonly agStart: Int32Array;
  readonly agThreads: Int32Array;
  private readonly respKind: Uint8Array;
  private readonly respQ: Int32Array;
  private readonly respT: Int32Array;
  private readonly respP: Int32Array;
  private readonly todo: Int32Array;

  // ---- contract ledger
  readonly ledger: Ledger;

  /** Today's settlement, per agent. */
  readonly stl: DaySettlement;
  private readonly cashLeft: Float64Array;
  private readonly remaining: Int32Array;
  private dayIds = new Int32Array(256);

  logger: WorldLogger | null = null;
  private readonly rng: Rng;

  constructor(cfg: ScmlConfig, agents: readonly ScmlAgent[], seed = cfg.seed) {
    const nA = nAgentsOf(cfg);
    if (agents.length !== nA) throw new Error(`scml world: ${agents.length} agents for ${nA} factories`);
    this.cfg = cfg;
    this.agents = agents;
    this.nAgents = nA;
    this.nSteps = cfg.nSteps;
    this.nLines = cfg.nLines;
    this.starts = levelStarts(cfg);
    this.level = cfg.level;
    this.lastLevel = cfg.nProcesses - 1;
    const T = cfg.nSteps;
    this.balance = Float64Array.from(cfg.initialBalance);
    this.inventory = new Int32Array(nA);
    this.bankrupt = new Uint8Array(nA);
    this.suppliesAt = new Int32Array(nA * T);
    this.salesAt = new Int32Array(nA * T);
    this.shortfallUnits = new Float64Array(nA);
    const nP = cfg.nProcesses + 1;
    this.tp = Float64Array.from(cfg.catalogPrices);
    this.tpB = new Float64Array(nP).fill(cfg.tpB0);
    this.priceLo = new Int32Array(nP);
    this.priceHi = new Int32Array(nP);
    this.qtyMax = cfg.qtyFactor * cfg.nLines;
    this.ledger = new Ledger(T);

    // Threads: every seller on level k with every buyer on level k+1.
    const sellers: number[] = [];
    const buyers: number[] = [];
    for (let k = 0; k + 1 < cfg.nProcesses; k++)
      for (let s = this.starts[k]; s < this.starts[k + 1]; s++)
        for (let b = this.starts[k + 1]; b < this.starts[k + 2]; b++) {
          sellers.push(s);
          buyers.push(b);
        }
    const nTh = sellers.length;
    this.nThreads = nTh;
    this.thSeller = Int32Array.from(sellers);
    this.thBuyer = Int32Array.from(buyers);
    this.thProduct = Int32Array.from(sellers, (s) => this.level[s] + 1);
    this.thStatus = new Uint8Array(nTh);
    this.offerer = new Uint8Array(nTh);
    this.opener = new Uint8Array(nTh);
    this.offQ = new Int32Array(nTh);
    this.offT = new Int32Array(nTh);
    this.offP = new Int32Array(nTh);
    this.respKind = new Uint8Array(nTh);
    this.respQ = new Int32Array(nTh);
    this.respT = new Int32Array(nTh);
    this.respP = new Int32Array(nTh);
    this.todo = new Int32Array(nTh);
    this.agStart = new Int32Array(nA + 1);
    for (let th = 0; th < nTh; th++) {
      this.agStart[sellers[th] + 1]++;
      this.agStart[buyers[th] + 1]++;
    }
    for (let a = 0; a < nA; a++) this.agStart[a + 1] += this.agStart[a];
    this.agThreads = new Int32Array(2 * nTh);
    const fill = Int32Array.from(this.agStart.subarray(0, nA));
    for (let th = 0; th < nTh; th++) {
      this.agThreads[fill[sellers[th]]++] = th;
      this.agThreads[fill[buyers[th]]++] = th;
    }

    this.stl = new DaySettlement(nA);
    this.cashLeft = new Float64Array(nA);
    this.remaining = new Int32Array(nA);

    this.rng = new Rng(seed).fork('world');
    const agentRoot = new Rng(seed).fork('agents');
    for (let a = 0; a < nA; a++) agents[a].init(this, a, agentRoot.fork(a));
  }

  get done(): boolean {
    return this.day >= this.nSteps;
  }

  get round(): number {
    return this.sub >> 1;
  }

  /** The seller's or buyer's partner on a thread. */
  partner(th: number, a: number): number {
    return this.thSeller[th] === a ? this.thBuyer[th] : this.thSeller[th];
  }

  /** Exogenous quantities and unit prices of agent a today. */
  exInQty(a: number, day = this.day): number {
    return this.cfg.exInQty[a * this.nSteps + day];
  }
  exOutQty(a: number, day = this.day): number {
    return this.cfg.exOutQty[a * this.nSteps + day];
  }

  score(a: number): number {
    return this.balance[a] / this.cfg.initialBalance[a];
  }

  /** The agent whose turn it is on a running thread. */
  actor(th: number): number {
    const who = this.offerer[th] === 0 ? this.opener[th] : 3 - this.offerer[th];
    return who === 1 ? this.thSeller[th] : this.thBuyer[th];
  }

  /** Whether (q, t, p) lies inside today's ranges for the thread's product. */
  inRange(th: number, q: number, t: number, p: number): boolean {
    const k = this.thProduct[th];
    return (
      Number.isInteger(q) &&
      Number.isInteger(t) &&
      Number.isInteger(p) &&
      q >= 1 &&
      q <= this.qtyMax &&
      t >= this.day &&
      t <= this.deliveryMax &&
      p >= this.priceLo[k] &&
      p <= this.priceHi[k]
    );
  }

  /** An agent's answer on a thread where it is to act. A counter-offer outside the ranges ends the thread. */
  respond(th: number, kind: number, q = 0, t = 0, p = 0): void {
    this.respKind[th] = kind;
    this.respQ[th] = q;
    this.respT[th] = t;
    this.respP[th] = p;
  }

  /** The answer recorded on a thread this half-step (for tests and wrappers). */
  response(th: number): { kind: number; q: number; t: number; p: number } {
    return { kind: this.respKind[th], q: this.respQ[th], t: this.respT[th], p: this.respP[th] };
  }

  startDay(): void {
    const d = this.day;
    this.deliveryMax = Math.min(d + this.cfg.horizon, this.nSteps - 1);
    for (let k = 0; k < this.tp.length; k++) {
      this.priceLo[k] = Math.max(1, Math.floor(this.cfg.priceLo * this.tp[k]));
      this.priceHi[k] = Math.max(this.priceLo[k], Math.floor(this.cfg.priceHi * this.tp[k]));
    }
    for (let th = 0; th < this.nThreads; th++) {
      const alive = !this.bankrupt[this.thSeller[th]] && !this.bankrupt[this.thBuyer[th]];
      this.thStatus[th] = alive ? T_RUNNING : T_CLOSED;
      this.offerer[th] = 0;
      this.opener[th] = 1 + (this.rng.nextUint32() & 1);
    }
    this.sub = 0;
    for (let a = 0; a < this.nAgents; a++) if (!this.bankrupt[a]) this.agents[a].beginDay?.(this, a);
  }

  /** One half-step on every running thread; false once today's negotiations are over. */
  negotiationStep(): boolean {
    const todo = this.todo;
    for (let a = 0; a < this.nAgents; a++) {
      if (this.bankrupt[a]) continue;
      let n = 0;
      for (let i = this.agStart[a]; i < this.agStart[a + 1]; i++) {
        const th = this.agThreads[i];
        if (this.thStatus[th] === T_RUNNING && this.actor(th) === a) {
          todo[n++] = th;
          this.respKind[th] = END;
        }
      }
      if (n > 0) this.agents[a].act(this, a, todo, n);
    }
    const round = this.sub >> 1;
    let running = false;
    for (let th = 0; th < this.nThreads; th++) {
      if (this.thStatus[th] !== T_RUNNING) continue;
      const actor = this.actor(th);
      const other = this.partner(th, actor);
      const kind = this.respKind[th];
      const standing = this.offerer[th] !== 0;
      if (kind === ACCEPT && standing) {
        this.logOffer(th, round, other, actor, ACCEPT);
        this.sign(th);
        this.thStatus[th] = T_AGREED;
      } else if (kind === REJECT && this.inRange(th, this.respQ[th], this.respT[th], this.respP[th])) {
        if (standing) this.logOffer(th, round, other, actor, REJECT);
        this.offQ[th] = this.respQ[th];
        this.offT[th] = this.respT[th];
        this.offP[th] = this.respP[th];
        this.offerer[th] = actor === this.thSeller[th] ? 1 : 2;
        running = true;
      } else {
        if (standing) this.logOffer(th, round, other, actor, END);
        this.thStatus[th] = T_ENDED;
      }
    }
    this.sub++;
    if (running && this.sub >= 2 * this.cfg.rounds) {
      for (let th = 0; th < this.nThreads; th++) {
        if (this.thStatus[th] !== T_RUNNING) continue;
        const actor = this.actor(th);
        this.logOffer(th, round, this.partner(th, actor), actor, TIMEOUT);
        this.thStatus[th] = T_TIMEOUT;
      }
      running = false;
    }
    return running;
  }

  private logOffer(th: number, round: number, proposer: number, responder: number, response: number): void {
    this.logger?.offer(
      this.day,
      th,
      round,
      proposer,
      responder,
      this.offQ[th],
      this.offT[th],
      this.offP[th],
      response,
    );
  }

  private sign(th: number): void {
    const s = this.thSeller[th];
    const b = this.thBuyer[th];
    const q = this.offQ[th];
    const t = this.offT[th];
    this.ledger.add(s, b, q, t, this.offP[th], this.day);
    this.suppliesAt[b * this.nSteps + t] += q;
    this.salesAt[s * this.nSteps + t] += q;
    this.agents[s].onAgreement?.(this, s, th);
    this.agents[b].onAgreement?.(this, b, th);
  }

  /** Production, settlement, trading price and bankruptcy for today; then the day advances. */
  endDay(): void {
    const d = this.day;
    const T = this.nSteps;
    const nA = this.nAgents;
    const cfg = this.cfg;
    const L = this.ledger;
    // Today's valid contracts, cheapest first.
    let m = 0;
    for (let c = L.head[d]; c >= 0; c = L.next[c]) {
      if (!L.valid[c]) continue;
      if (m === this.dayIds.length) {
        const b = new Int32Array(m * 2);
        b.set(this.dayIds);
        this.dayIds = b;
      }
      this.dayIds[m++] = c;
    }
    const ids = this.dayIds.subarray(0, m);
    const cP = L.p;
    ids.sort((x, y) => cP[x] - cP[y] || x - y);

    for (let a = 0; a < nA; a++) {
      this.stl.reset(a, this.balance[a], this.inventory[a]);
      this.cashLeft[a] = this.balance[a];
    }
    // Purchases, cheapest first, while cash lasts (level 0 buys only exogenously).
    for (let a = this.starts[0]; a < this.starts[1]; a++) {
      if (this.bankrupt[a]) continue;
      const q = cfg.exInQty[a * T + d];
      if (q > 0) this.buy(a, q, cfg.exInPrice[a * T + d]);
    }
    for (let i = 0; i < m; i++) {
      const c = ids[i];
      L.bought[c] = this.buy(L.buyer[c], L.q[c], cP[c]);
      this.stl.qout[L.seller[c]] += L.q[c];
    }
    for (let a = this.starts[this.lastLevel]; a < this.starts[this.lastLevel + 1]; a++)
      if (!this.bankrupt[a]) this.stl.qout[a] += cfg.exOutQty[a * T + d];
    // Production P = min(inputs, lines, sales).
    for (let a = 0; a < nA; a++) {
      if (this.bankrupt[a]) continue;
      const qin = this.inventory[a] + this.stl.bought[a];
      const P = Math.min(qin, this.nLines, this.stl.qout[a]);
      this.stl.produced[a] = P;
      this.remaining[a] = P;
    }
    // Revenue from the P highest-priced sales (the last level sells only exogenously).
    for (let i = m - 1; i >= 0; i--) {
      const c = ids[i];
      const s = L.seller[c];
      const del = Math.min(L.q[c], this.remaining[s]);
      this.remaining[s] -= del;
      L.delivered[c] = del;
      this.stl.revenue[s] += del * cP[c];
    }
    for (let a = this.starts[this.lastLevel]; a < this.starts[this.lastLevel + 1]; a++) {
      if (this.bankrupt[a]) continue;
      const del = Math.min(cfg.exOutQty[a * T + d], this.remaining[a]);
      this.remaining[a] -= del;
      this.stl.revenue[a] += del * cfg.exOutPrice[a * T + d];
    }
    for (let a = 0; a < nA; a++) {
      if (this.bankrupt[a]) continue;
      const k = this.level[a];
      const qin = this.inventory[a] + this.stl.bought[a];
      const P = this.stl.produced[a];
      this.stl.prodCost[a] = cfg.cost[a] * P;
      this.stl.storage[a] = cfg.storageCost[a] * this.tp[k] * (qin - P);
      this.stl.shortfall[a] = cfg.shortfallPenalty[a] * this.tp[k + 1] * (this.stl.qout[a] - P);
      this.shortfallUnits[a] += this.stl.qout[a] - P;
      this.balance[a] +=
        this.stl.revenue[a] -
        this.stl.inCost[a] -
        this.stl.prodCost[a] -
        this.stl.storage[a] -
        this.stl.shortfall[a];
      this.inventory[a] = qin - P;
    }
    this.updateTradingPrices(ids);
    for (let a = 0; a < nA; a++) {
      if (!this.bankrupt[a] && this.balance[a] < 0) this.goBankrupt(a);
      this.logger?.daily(d, a, this);
    }
    this.day++;
  }

  /** Buyer a takes up to q units at unit price p while its cash lasts; returns the units bought. */
  private buy(a: number, q: number, p: number): number {
    const afford = Math.max(0, Math.min(q, Math.floor(this.cashLeft[a] / p)));
    this.cashLeft[a] -= afford * p;
    this.stl.bought[a] += afford;
    this.stl.inCost[a] += afford * p;
    return afford;
  }

  /** TP ← (β·B·TP + Q·P̄)/(β·B + Q), B ← β·B + Q over today's executed contracts, exogenous included. */
  private updateTradingPrices(ids: Int32Array): void {
    const L = this.ledger;
    const nP = this.tp.length;
    const q = new Float64Array(nP);
    const v = new Float64Array(nP);
    const T = this.nSteps;
    const d = this.day;
    for (let i = 0; i < ids.length; i++) {
      const c = ids[i];
      const k = this.level[L.seller[c]] + 1;
      q[k] += L.q[c];
      v[k] += L.q[c] * L.p[c];
    }
    for (let a = 0; a < this.nAgents; a++) {
      if (this.bankrupt[a]) continue;
      const qi = this.cfg.exInQty[a * T + d];
      const qo = this.cfg.exOutQty[a * T + d];
      q[0] += qi;
      v[0] += qi * this.cfg.exInPrice[a * T + d];
      q[nP - 1] += qo;
      v[nP - 1] += qo * this.cfg.exOutPrice[a * T + d];
    }
    const beta = this.cfg.tpBeta;
    for (let k = 0; k < nP; k++) {
      if (q[k] <= 0) continue;
      const bb = beta * this.tpB[k];
      this.tp[k] = (bb * this.tp[k] + v[k]) / (bb + q[k]);
      this.tpB[k] = bb + q[k];
    }
  }

  /** Balance < 0: future contracts nullified (both sides' commitments released); no more trading. */
  private goBankrupt(a: number): void {
    const L = this.ledger;
    this.bankrupt[a] = 1;
    const T = this.nSteps;
    for (let t = this.day + 1; t < T; t++)
      for (let c = L.head[t]; c >= 0; c = L.next[c]) {
        if (!L.valid[c] || (L.seller[c] !== a && L.buyer[c] !== a)) continue;
        L.valid[c] = 0;
        this.suppliesAt[L.buyer[c] * T + t] -= L.q[c];
        this.salesAt[L.seller[c] * T + t] -= L.q[c];
      }
  }

  /** One whole day. */
  stepDay(): void {
    this.startDay();
    while (this.negotiationStep());
    this.endDay();
  }

  /** Every remaining day. */
  run(): void {
    while (!this.done) this.stepDay();
  }
}
