/**
 * The contract ledger of an SCML-lite world: growable typed arrays, one entry per agreement,
 * linked per delivery day so a day's executions and a bankruptcy's nullifications touch only the
 * contracts concerned.
 */
export class Ledger {
  n = 0;
  seller = new Int32Array(256);
  buyer = new Int32Array(256);
  q = new Int32Array(256);
  /** Delivery day. */
  t = new Int32Array(256);
  p = new Int32Array(256);
  /** Day signed. */
  day = new Int32Array(256);
  /** 1 while valid; 0 once nullified by a bankruptcy. */
  valid = new Uint8Array(256);
  /** Units the buyer paid for / the seller delivered, at execution. */
  bought = new Int32Array(256);
  delivered = new Int32Array(256);
  /** Next contract with the same delivery day, or -1. */
  next = new Int32Array(256);
  /** First contract delivered on each day, or -1. */
  readonly head: Int32Array;

  constructor(nSteps: number) {
    this.head = new Int32Array(nSteps).fill(-1);
  }

  private grow(): void {
    const cap = this.seller.length * 2;
    const grow = <A extends Int32Array | Uint8Array>(a: A): A => {
      const b = new (a.constructor as new (n: number) => A)(cap);
      b.set(a);
      return b;
    };
    this.seller = grow(this.seller);
    this.buyer = grow(this.buyer);
    this.q = grow(this.q);
    this.t = grow(this.t);
    this.p = grow(this.p);
    this.day = grow(this.day);
    this.valid = grow(this.valid);
    this.bought = grow(this.bought);
    this.delivered = grow(this.delivered);
    this.next = grow(this.next);
  }

  /** Records an agreement; returns its id. */
  add(seller: number, buyer: number, q: number, t: number, p: number, day: number): number {
    if (this.n === this.seller.length) this.grow();
    const c = this.n++;
    this.seller[c] = seller;
    this.buyer[c] = buyer;
    this.q[c] = q;
    this.t[c] = t;
    this.p[c] = p;
    this.day[c] = day;
    this.valid[c] = 1;
    this.bought[c] = 0;
    this.delivered[c] = 0;
    this.next[c] = this.head[t];
    this.head[t] = c;
    return c;
  }
}

/** Today's settlement of every factory (read by the logs, the tests and learning wrappers). */
export class DaySettlement {
  readonly balanceBefore: Float64Array;
  readonly inventoryBefore: Int32Array;
  /** Input units bought (paid for) today, exogenous included. */
  readonly bought: Int32Array;
  readonly inCost: Float64Array;
  /** Units due to be sold today, exogenous included. */
  readonly qout: Int32Array;
  readonly produced: Int32Array;
  readonly revenue: Float64Array;
  readonly prodCost: Float64Array;
  readonly storage: Float64Array;
  readonly shortfall: Float64Array;

  constructor(nAgents: number) {
    this.balanceBefore = new Float64Array(nAgents);
    this.inventoryBefore = new Int32Array(nAgents);
    this.bought = new Int32Array(nAgents);
    this.inCost = new Float64Array(nAgents);
    this.qout = new Int32Array(nAgents);
    this.produced = new Int32Array(nAgents);
    this.revenue = new Float64Array(nAgents);
    this.prodCost = new Float64Array(nAgents);
    this.storage = new Float64Array(nAgents);
    this.shortfall = new Float64Array(nAgents);
  }

  reset(a: number, balance: number, inventory: number): void {
    this.balanceBefore[a] = balance;
    this.inventoryBefore[a] = inventory;
    this.bought[a] = 0;
    this.inCost[a] = 0;
    this.qout[a] = 0;
    this.produced[a] = 0;
    this.revenue[a] = 0;
    this.prodCost[a] = 0;
    this.storage[a] = 0;
    this.shortfall[a] = 0;
  }
}
