/** Hand-computed days of a two-factory SCML-lite world: settlement, trading price, bankruptcy. */
import { describe, expect, it } from 'vitest';
import type { Rng } from '../rng.ts';
import { generateConfig, type ScmlConfig } from './config.ts';
import { ACCEPT, END, REJECT, T_CLOSED, World, type ScmlAgent } from './world.ts';

/** Whoever acts first proposes (q, day + ahead, lowest price); the other side accepts. */
class Scripted implements ScmlAgent {
  readonly type = 'scripted';
  constructor(
    private readonly q: number,
    private readonly ahead = 0,
  ) {}
  init(_w: World, _id: number, _rng: Rng): void {}
  act(w: World, _a: number, todo: Int32Array, n: number): void {
    for (let i = 0; i < n; i++) {
      const th = todo[i];
      if (w.offerer[th] !== 0) w.respond(th, ACCEPT);
      else if (this.q > 0) w.respond(th, REJECT, this.q, w.day + this.ahead, w.priceLo[w.thProduct[th]]);
      else w.respond(th, END);
    }
  }
}

function twoFactories(): ScmlConfig {
  const cfg = generateConfig(5, { nProcesses: 2, agentsPerLevel: [1, 1], nSteps: 3 });
  cfg.exInQty.fill(0);
  cfg.exOutQty.fill(0);
  cfg.exInQty[0] = 4; // factory 0 buys 4 raw units at 10 on day 0
  cfg.exInPrice[0] = 10;
  cfg.exOutQty[3] = 6; // factory 1 must sell 6 units at 40 on day 0
  cfg.exOutPrice[3] = 40;
  return cfg;
}

describe('SCML-lite world, by hand', () => {
  it('settles a day: cheapest purchases, production min(inputs, lines, sales), penalties, trading prices', () => {
    const cfg = twoFactories();
    const w = new World(cfg, [new Scripted(5), new Scripted(5)]);
    const tp = Array.from(w.tp);
    w.startDay();
    const p = w.priceLo[1];
    while (w.negotiationStep());
    expect(w.ledger.n).toBe(1);
    expect([w.ledger.q[0], w.ledger.t[0], w.ledger.p[0]]).toEqual([5, 0, p]);
    const [b0, b1] = [w.balance[0], w.balance[1]];
    w.endDay();
    // Factory 0: buys 4 raw at 10, produces 4 of the 5 it sold (short 1 unit).
    const c = cfg.cost;
    expect(w.stl.produced[0]).toBe(4);
    expect(w.stl.revenue[0]).toBe(4 * p);
    expect(w.balance[0]).toBeCloseTo(b0 + 4 * p - 40 - 4 * c[0] - cfg.shortfallPenalty[0] * tp[1] * 1, 9);
    expect(w.inventory[0]).toBe(0);
    // Factory 1: buys 5 at p, sells 5 of its 6 exogenous units at 40 (short 1 unit).
    expect(w.stl.produced[1]).toBe(5);
    expect(w.balance[1]).toBeCloseTo(b1 + 5 * 40 - 5 * p - 5 * c[1] - cfg.shortfallPenalty[1] * tp[2] * 1, 9);
    expect(w.shortfallUnits[0]).toBe(1);
    // TP ← (β·B·TP + Q·P̄)/(β·B + Q), β = 0.9, B = 50.
    expect(w.tp[0]).toBeCloseTo((45 * tp[0] + 40) / 49, 12);
    expect(w.tp[1]).toBeCloseTo((45 * tp[1] + 5 * p) / 50, 12);
    expect(w.tp[2]).toBeCloseTo((45 * tp[2] + 240) / 51, 12);
    // Day 1: no trade, no exogenous flow: the stock costs storage only; prices stay.
    const tp1 = Array.from(w.tp);
    w.stepDay(); // signs another 5 units for day 1 … which factory 0 cannot make (no inputs)
    expect(w.stl.produced[0]).toBe(0);
    expect(w.stl.shortfall[0]).toBeCloseTo(cfg.shortfallPenalty[0] * tp1[1] * 5, 9);
    expect(w.stl.storage[1]).toBeCloseTo(cfg.storageCost[1] * tp1[1] * 5, 9); // 5 bought, 0 sold
  });

  it('a factory that cannot pay takes only what its cash covers', () => {
    const cfg = twoFactories();
    const w = new World(cfg, [new Scripted(5), new Scripted(5)]);
    w.startDay();
    w.balance[1] = 2 * w.priceLo[1] + 1;
    while (w.negotiationStep());
    w.endDay();
    expect(w.ledger.bought[0]).toBe(2);
    expect(w.stl.inCost[1]).toBe(2 * w.ledger.p[0]);
  });

  it('bankruptcy nullifies future contracts on both sides and closes the factory’s threads', () => {
    const cfg = twoFactories();
    const w = new World(cfg, [new Scripted(3, 2), new Scripted(3, 2)]); // deliveries on day 2
    w.startDay();
    while (w.negotiationStep());
    const T = cfg.nSteps;
    expect(w.salesAt[0 * T + 2]).toBe(3);
    expect(w.suppliesAt[1 * T + 2]).toBe(3);
    w.balance[1] = -1000;
    w.endDay();
    expect(w.bankrupt[1]).toBe(1);
    expect(w.ledger.valid[0]).toBe(0);
    expect(w.salesAt[0 * T + 2]).toBe(0);
    expect(w.suppliesAt[1 * T + 2]).toBe(0);
    w.startDay();
    expect(w.thStatus[0]).toBe(T_CLOSED);
    expect(w.negotiationStep()).toBe(false);
  });
});
