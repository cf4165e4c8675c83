/** Characteristic behaviour of each reference agent, on hand-set negotiation states. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../rng.ts';
import { generateConfig } from '../config.ts';
import { ACCEPT, REJECT, World, type ScmlAgent } from '../world.ts';
import { GreedyAgent } from './greedy.ts';
import { makeAgent } from './index.ts';
import { PenguinAgent, penguinConcessionPrice, penguinSubset, safeSellQty } from './penguin.ts';
import { RANDOM_P_ACCEPT, RandomAgent } from './random.ts';
import { SyncRandomAgent } from './syncrandom.ts';

/** A 3-level world (4 factories each) whose factory 4 (middle level) is `agent`, the rest Penguin; day 0 started. */
function setup(agent: ScmlAgent, seed = 3): World {
  const cfg = generateConfig(seed, { nProcesses: 3, agentsPerLevel: [4, 4, 4], nSteps: 30 });
  const agents = Array.from({ length: 12 }, (_, a) => (a === 4 ? agent : makeAgent('penguin')));
  const w = new World(cfg, agents, seed);
  w.startDay();
  return w;
}

/** Threads of factory a on one side. */
const threadsOf = (w: World, a: number, selling: boolean) =>
  Array.from(w.agThreads.subarray(w.agStart[a], w.agStart[a + 1])).filter(
    (th) => (w.thSeller[th] === a) === selling,
  );

/** Put the partner's offer (q, t, p) on each thread, half-step `sub`. */
function offer(
  w: World,
  a: number,
  ths: number[],
  q: number[],
  t: number[],
  p: number[],
  sub = 1,
): Int32Array {
  w.sub = sub;
  ths.forEach((th, i) => {
    w.offerer[th] = w.thSeller[th] === a ? 2 : 1;
    w.offQ[th] = q[i];
    w.offT[th] = t[i];
    w.offP[th] = p[i];
  });
  return Int32Array.from(ths);
}

describe('RandomAgent', () => {
  it('accepts about 10% of offers, and its counter-offers cover the ranges uniformly', () => {
    const agent = new RandomAgent();
    const w = setup(agent);
    const ths = threadsOf(w, 4, false);
    let accepts = 0;
    let n = 0;
    const qs = new Set<number>();
    const k = w.thProduct[ths[0]];
    for (let i = 0; i < 2000; i++) {
      const todo = offer(
        w,
        4,
        ths,
        [5, 5, 5, 5],
        [0, 0, 0, 0],
        [w.priceLo[k], w.priceLo[k], w.priceLo[k], w.priceLo[k]],
      );
      agent.act(w, 4, todo, todo.length);
      for (const th of ths) {
        const r = w.response(th);
        n++;
        if (r.kind === ACCEPT) accepts++;
        if (r.kind === REJECT) {
          expect(w.inRange(th, r.q, r.t, r.p)).toBe(true);
          qs.add(r.q);
        }
      }
    }
    expect(accepts / n).toBeGreaterThan(RANDOM_P_ACCEPT - 0.02);
    expect(accepts / n).toBeLessThan(RANDOM_P_ACCEPT + 0.02);
    expect(qs.size).toBe(w.qtyMax);
  });
});

describe('GreedyAgent', () => {
  it('threshold falls from 1 at the first round to 0 at the last', () => {
    const g = new GreedyAgent();
    const w = setup(g);
    w.sub = 0;
    expect(g.threshold(w)).toBe(1);
    w.sub = 2 * (w.cfg.rounds - 1);
    expect(g.threshold(w)).toBe(0);
  });

  it('at the last round accepts today’s offers up to its need and rejects larger ones', () => {
    const g = new GreedyAgent();
    const w = setup(g);
    g.beginDay(); // middle level: need 0.75·n_lines = 7.5
    const [th1, th2] = threadsOf(w, 4, false);
    const k = w.thProduct[th1];
    const todo = offer(w, 4, [th1, th2], [7, 8], [0, 0], [w.priceHi[k], w.priceHi[k]], 2 * w.cfg.rounds - 1);
    g.act(w, 4, todo, 2);
    expect(w.response(th1).kind).toBe(ACCEPT);
    expect(w.response(th2).kind).not.toBe(ACCEPT);
  });

  it('at the first round rejects a bad price it would take later', () => {
    const g = new GreedyAgent();
    const w = setup(g);
    g.beginDay();
    const [th] = threadsOf(w, 4, false);
    const k = w.thProduct[th];
    const todo = offer(w, 4, [th], [3], [0], [w.priceHi[k]], 1);
    g.act(w, 4, todo, 1);
    expect(w.response(th).kind).toBe(REJECT);
    expect(w.response(th).p).toBe(w.priceLo[k]); // its counter asks the best price
  });
  it('a high price seen today narrows what it accepts from other partners', () => {
    const run = (seeHighFirst: boolean) => {
      const g = new GreedyAgent();
      const w = setup(g);
      Object.assign(g, { rangeSlack: 0.05, stepSlack: 0.05 });
      g.beginDay();
      const [thA, thB] = threadsOf(w, 4, true); // selling to level 2
      const k = w.thProduct[thA];
      const ths = seeHighFirst ? [thA, thB] : [thB];
      const last = 2 * w.cfg.rounds - 1; // threshold 0: any price at or above the range's floor
      const todo = offer(
        w,
        4,
        ths,
        [1, 1],
        [0, 0],
        seeHighFirst ? [w.priceHi[k], w.priceLo[k]] : [w.priceLo[k]],
        last,
      );
      g.act(w, 4, todo, todo.length);
      return w.response(thB).kind;
    };
    expect(run(false)).toBe(ACCEPT);
    expect(run(true)).not.toBe(ACCEPT);
  });
});

describe('SyncRandomAgent', () => {
  it('spreads today’s need over 85% of the partners and sends the rest future offers, conceding as r^e', () => {
    const s = new SyncRandomAgent();
    const w = setup(s);
    const ths = threadsOf(w, 4, false);
    const todo = offer(
      w,
      4,
      ths,
      [30, 30, 30, 30],
      [0, 0, 0, 0],
      [1e6, 1e6, 1e6, 1e6].map(() => w.priceHi[w.thProduct[ths[0]]]),
      1,
    );
    s.act(w, 4, todo, todo.length);
    const rs = ths.map((th) => w.response(th));
    const today = rs.filter((r) => r.kind === REJECT && r.t === w.day);
    const future = rs.filter((r) => r.kind === REJECT && r.t > w.day);
    expect(today.length).toBe(Math.floor(0.85 * 4)); // 3 of 4
    expect(future.length).toBe(1);
    expect(today.reduce((a, r) => a + r.q, 0)).toBe(s.todayNeed(w, 4, false));
    const th = ths[0];
    const k = w.thProduct[th];
    w.sub = 0;
    expect(s.price(w, th, false, 2)).toBe(w.priceLo[k]);
    w.sub = 2 * w.cfg.rounds - 1;
    expect(s.price(w, th, false, 2)).toBe(w.priceHi[k]);
    expect(s.price(w, th, true, 2)).toBe(w.priceLo[k]);
  });
});

describe('PenguinAgent', () => {
  it('subset rule: least overshoot within 0.1·n_lines, else the largest total below the need', () => {
    expect(penguinSubset([3, 4, 5], 3, 7, 1)).toBe(0b011); // 3+4 = 7 exactly
    expect(penguinSubset([5, 3, 4], 3, 8, 1)).toBe(0b011); // 5+3 = 8
    expect(penguinSubset([6, 6, 6], 3, 7, 1)).toBe(0b001); // 12 overshoots by 5 → largest below: 6
    expect(penguinSubset([9, 9], 2, 7, 1)).toBe(0); // nothing fits
  });

  it('opens with today’s need (0.7·n_lines − inventory − supplies) over ⌊0.7·n⌋ partners at the best price', () => {
    const p = new PenguinAgent();
    const w = setup(p);
    const ths = threadsOf(w, 4, false);
    w.sub = 0;
    for (const th of ths) w.offerer[th] = 0;
    p.act(w, 4, Int32Array.from(ths), ths.length);
    const rs = ths.map((th) => w.response(th));
    const today = rs.filter((r) => r.kind === REJECT && r.t === 0);
    expect(today.length).toBe(Math.floor(0.7 * 4));
    expect(today.reduce((a, r) => a + r.q, 0)).toBe(7);
    for (const r of today) expect(r.p).toBe(w.priceLo[w.thProduct[ths[0]]]);
    expect(rs.filter((r) => r.kind === REJECT && r.t === 1).length).toBe(1); // the rest: t+1 (50%)
  });

  it('accepts the matching subset of today’s offers ignoring price, futures while within need', () => {
    const p = new PenguinAgent();
    const w = setup(p);
    const ths = threadsOf(w, 4, false);
    const k = w.thProduct[ths[0]];
    const hi = w.priceHi[k];
    const todo = offer(w, 4, ths, [4, 3, 9, 7], [0, 0, 0, 1], [hi, hi, hi, hi], 1);
    p.act(w, 4, todo, todo.length);
    expect(ths.map((th) => w.response(th).kind)).toEqual([ACCEPT, ACCEPT, REJECT, ACCEPT]);
    expect(w.response(ths[2]).t).toBeGreaterThan(w.day); // the partner left out gets a future offer
  });

  it('with nothing fitting, re-splits today’s need at the worst end of the range', () => {
    const p = new PenguinAgent();
    const w = setup(p);
    const ths = threadsOf(w, 4, false);
    const k = w.thProduct[ths[0]];
    const todo = offer(
      w,
      4,
      ths,
      [20, 20, 20, 20],
      [0, 0, 0, 0],
      [w.priceLo[k], w.priceLo[k], w.priceLo[k], w.priceLo[k]],
      1,
    );
    p.act(w, 4, todo, todo.length);
    const today = ths.map((th) => w.response(th)).filter((r) => r.kind === REJECT && r.t === 0);
    expect(today.reduce((a, r) => a + r.q, 0)).toBe(7);
    for (const r of today) expect(r.p).toBe(penguinConcessionPrice(w, ths[0], false));
    expect(penguinConcessionPrice(w, ths[0], false)).toBe(w.priceHi[k]);
  });

  it('safe sell bound counts only what can surely be delivered', () => {
    const w = setup(new PenguinAgent());
    w.inventory[4] = 2;
    expect(safeSellQty(w, 4, 0)).toBe(2);
    w.inventory[4] = 50;
    expect(safeSellQty(w, 4, 0)).toBe(w.nLines);
  });
});

describe('Agent streams', () => {
  it('an agent draws only from its own seeded Rng', () => {
    const a = new RandomAgent();
    const b = new RandomAgent();
    const w = setup(new RandomAgent());
    a.init(w, 4, new Rng(9));
    b.init(w, 4, new Rng(9));
    const ths = threadsOf(w, 4, true);
    const todo = Int32Array.from(ths);
    a.act(w, 4, todo, todo.length);
    const ra = ths.map((th) => w.response(th));
    b.act(w, 4, todo, todo.length);
    expect(ths.map((th) => w.response(th))).toEqual(ra);
  });
});
