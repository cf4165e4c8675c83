/**
 * L1's safety mask under fast-check: a probe factory answers every thread with an arbitrary
 * action (garbage kinds, quantities, days and prices included) clipped by the mask; at every
 * half-step, the clipped answers together with what is signed and what it has standing must stay
 * within the safe sell quantity, the buy need, the cash left after committed purchases, and the
 * ranges. A golden case checks that an oversized ACCEPT is cut to a counter-offer of the room.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../rng.ts';
import { makeAgent } from '../agents/index.ts';
import { generateConfig, nAgentsOf } from '../config.ts';
import { ACCEPT, END, REJECT, T_RUNNING, World, type ScmlAgent } from '../world.ts';
import { SafetyMask, type L1Action } from './l1.ts';

class Probe implements ScmlAgent {
  readonly type = 'probe';
  readonly problems: string[] = [];
  checks = 0;
  private mask!: SafetyMask;
  /** `cash`: the share of its balance the probe starts with (small shares make cash bind). */
  constructor(
    private readonly rng: Rng,
    private readonly cash = 1,
  ) {}
  init(w: World, id: number): void {
    this.mask = new SafetyMask(w.cfg.horizon);
    w.balance[id] *= this.cash;
  }
  act(w: World, a: number, todo: Int32Array, n: number): void {
    const T = w.nSteps;
    const H = w.cfg.horizon + 1;
    const nl = w.nLines;
    // First, so exInBound includes today's supply in its lower bound for futures (as the mask does).
    this.mask.refresh(w, a);
    // The bounds, computed independently of the mask: planned sales, standing purchases, stock.
    const planned = new Float64Array(H);
    const standingBuy = new Float64Array(H);
    const inputs = new Float64Array(H);
    let committed = 0;
    for (let c = 0; c < w.ledger.n; c++)
      if (w.ledger.buyer[c] === a && w.ledger.valid[c] && w.ledger.t[c] >= w.day)
        committed += w.ledger.q[c] * w.ledger.p[c];
    for (let i = 0; i < H && w.day + i < T; i++) {
      const t = w.day + i;
      if (t > w.deliveryMax) continue;
      // Futures count the least exogenous supply seen so far (≤ any day's), never more.
      const exIn = i === 0 ? w.exInQty(a) : this.mask.exInBound(w, a, t);
      inputs[i] = (i === 0 ? w.inventory[a] : 0) + exIn + w.suppliesAt[a * T + t];
      planned[i] = w.salesAt[a * T + t];
    }
    for (let j = w.agStart[a]; j < w.agStart[a + 1]; j++) {
      const th = w.agThreads[j];
      if (w.thStatus[th] !== T_RUNNING || w.offerer[th] === 0 || w.actor(th) === a) continue;
      if (w.thSeller[th] === a) planned[w.offT[th] - w.day] += w.offQ[th];
      else {
        standingBuy[w.offT[th] - w.day] += w.offQ[th];
        committed += w.offQ[th] * w.offP[th];
      }
    }
    const cumOf = (sales: Float64Array) => {
      const cum = new Float64Array(H);
      let c = 0;
      for (let i = 0; i < H; i++) cum[i] = c += inputs[i] - sales[i];
      return cum;
    };
    const cum0 = cumOf(planned);
    const sold = new Float64Array(H);
    const bought = new Float64Array(H);
    let spent = 0;
    const out: L1Action = { kind: END, q: 0, t: 0, p: 0 };
    const pick = <T>(xs: T[]) => xs[this.rng.int(xs.length)];
    for (let i = 0; i < n; i++) {
      const th = todo[i];
      const act: L1Action = {
        kind: pick([ACCEPT, ACCEPT, REJECT, REJECT, END, 7]),
        q: pick([this.rng.int(80) - 5, 1, NaN, 1e9]),
        t: pick([w.day + this.rng.int(14) - 2, -1, Infinity]),
        p: pick([this.rng.int(200) - 10, w.priceLo[w.thProduct[th]], NaN]),
      };
      const r = this.mask.clip(w, a, th, act, out);
      this.checks++;
      if (r.kind === END) {
        w.respond(th, END);
        continue;
      }
      if (r.kind === ACCEPT) {
        if (act.kind !== ACCEPT || w.offerer[th] === 0) this.problems.push('ACCEPT made up');
        if (r.q !== w.offQ[th] || r.t !== w.offT[th] || r.p !== w.offP[th])
          this.problems.push('ACCEPT altered');
      } else if (r.kind !== REJECT || !w.inRange(th, r.q, r.t, r.p))
        this.problems.push(`day ${w.day}: (${r.kind}, ${r.q}, ${r.t}, ${r.p}) outside the ranges`);
      if (w.thSeller[th] === a) sold[r.t - w.day] += r.q;
      else {
        bought[r.t - w.day] += r.q;
        spent += r.q * r.p;
      }
      w.respond(th, r.kind, r.q, r.t, r.p);
    }
    const after = Float64Array.from(planned, (x, i) => x + sold[i]);
    const cum1 = cumOf(after);
    for (let i = 0; i < H; i++) {
      if (sold[i] > 0) {
        if (w.level[a] === w.lastLevel) this.problems.push('the last level sells');
        if (after[i] > nl)
          this.problems.push(`day ${w.day}: plans ${after[i]} sales for +${i} > ${nl} lines`);
        for (let j = i; j < H; j++)
          if (cum1[j] < -1e-9)
            this.problems.push(`day ${w.day}: a sale for +${i} leaves +${j} short by ${-cum1[j]}`);
      }
      if (bought[i] > 0) {
        const carried = i > 0 ? Math.max(0, cum0[i - 1]) : 0;
        const room = w.level[a] === 0 ? 0 : nl - inputs[i] - carried - standingBuy[i];
        if (bought[i] > room)
          this.problems.push(`day ${w.day}: buys ${bought[i]} for +${i} beyond the need ${room}`);
      }
    }
    if (spent > 0 && committed + spent > w.balance[a] + 1e-6)
      this.problems.push(`day ${w.day}: commits ${committed + spent} with balance ${w.balance[a]}`);
  }
}

function runProbe(seed: number, probeAt: number, mix: number[], cash: number): Probe {
  const cfg = generateConfig(seed, { nSteps: 25 });
  const nA = nAgentsOf(cfg);
  const probe = new Probe(new Rng(seed).fork('probe'), cash);
  const types = ['penguin', 'greedy', 'random', 'syncrandom'] as const;
  const agents = Array.from({ length: nA }, (_, a) =>
    a === probeAt % nA ? probe : makeAgent(types[mix[a % mix.length]]),
  );
  new World(cfg, agents, seed).run();
  return probe;
}

describe('L1 safety mask', () => {
  it('every clipped action is safe (ranges, safe sell quantity, buy need, cash)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 0, max: 30 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(1, 0.05, 0.01),
        (seed, probeAt, mix, cash) => {
          const probe = runProbe(seed, probeAt, mix, cash);
          expect(probe.checks).toBeGreaterThan(0);
          expect(probe.problems.slice(0, 3)).toEqual([]);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('cuts an ACCEPT beyond the safe sell quantity to a counter-offer of the room', () => {
    const cfg = generateConfig(3, { nSteps: 20 });
    const nA = nAgentsOf(cfg);
    const w = new World(
      cfg,
      Array.from({ length: nA }, () => makeAgent('penguin')),
      3,
    );
    w.startDay();
    // A seller on level 0 whose buyer offers far more than it can deliver today.
    let th = 0;
    while (w.level[w.thSeller[th]] !== 0) th++;
    const a = w.thSeller[th];
    w.offerer[th] = 2;
    w.offQ[th] = w.qtyMax;
    w.offT[th] = w.day;
    w.offP[th] = w.priceLo[w.thProduct[th]];
    w.thStatus[th] = T_RUNNING;
    const mask = new SafetyMask(cfg.horizon);
    mask.refresh(w, a);
    // Day 0, nothing signed: the room today is what the lines can make from today's inputs.
    const room = Math.min(w.nLines, w.inventory[a] + w.exInQty(a));
    const out: L1Action = { kind: END, q: 0, t: 0, p: 0 };
    mask.clip(w, a, th, { kind: ACCEPT, q: 0, t: 0, p: 0 }, out);
    if (room >= 1) expect(out).toEqual({ kind: REJECT, q: room, t: w.day, p: w.offP[th] });
    else expect(out.kind).toBe(END);
    // The room is spent: a second sale for today is refused.
    mask.clip(w, a, th, { kind: REJECT, q: 3, t: w.day, p: 1 }, out);
    expect(out.kind).toBe(END);
  });
});
