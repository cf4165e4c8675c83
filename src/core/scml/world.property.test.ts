/**
 * Invariants of the SCML-lite world under fast-check (random configurations and agent mixes):
 * cash and inventory accounting closes every day against the contract ledger, no agreement lies
 * outside the day's ranges, and a bankrupt factory never trades again.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGENT_TYPES, makeAgent } from './agents/index.ts';
import { generateConfig, nAgentsOf } from './config.ts';
import { ACCEPT, World, type WorldLogger } from './world.ts';

function check(seed: number, mix: number[], nSteps: number): void {
  const cfg = generateConfig(seed, { nSteps });
  const nA = nAgentsOf(cfg);
  const w = new World(
    cfg,
    Array.from({ length: nA }, (_, a) => makeAgent(AGENT_TYPES[mix[a % mix.length]])),
  );
  const T = cfg.nSteps;
  const bankruptDay = new Int32Array(nA).fill(-1);
  const problems: string[] = [];
  const logger: WorldLogger = {
    offer(day, th, _round, proposer, responder, q, t, p, response) {
      for (const x of [proposer, responder])
        if (bankruptDay[x] >= 0 && day > bankruptDay[x])
          problems.push(`day ${day}: bankrupt a${x} negotiates`);
      if (response !== ACCEPT) return;
      const k = w.thProduct[th];
      if (
        q < 1 ||
        q > w.qtyMax ||
        t < day ||
        t > Math.min(day + 10, T - 1) ||
        p < w.priceLo[k] ||
        p > w.priceHi[k]
      )
        problems.push(`day ${day}: agreement (${q}, ${t}, ${p}) outside the ranges`);
    },
    daily(day, a) {
      if (a !== nA - 1) return; // every factory's bankruptcy for today is settled by now
      const inCost = new Float64Array(nA);
      const revenue = new Float64Array(nA);
      const delivered = new Int32Array(nA);
      const bought = new Int32Array(nA);
      for (let c = 0; c < w.ledger.n; c++) {
        if (w.ledger.t[c] !== day || !w.ledger.valid[c]) continue;
        const s = w.ledger.seller[c];
        const b = w.ledger.buyer[c];
        if (bankruptDay[s] >= 0 || bankruptDay[b] >= 0)
          problems.push(`day ${day}: contract ${c} executes for a bankrupt`);
        if (w.ledger.bought[c] > w.ledger.q[c] || w.ledger.delivered[c] > w.ledger.q[c])
          problems.push(`contract ${c} over-executed`);
        inCost[b] += w.ledger.bought[c] * w.ledger.p[c];
        bought[b] += w.ledger.bought[c];
        revenue[s] += w.ledger.delivered[c] * w.ledger.p[c];
        delivered[s] += w.ledger.delivered[c];
      }
      for (let x = 0; x < nA; x++) {
        if (bankruptDay[x] >= 0) continue;
        const i = x * T + day;
        if (cfg.exInQty[i] > 0) {
          bought[x] += w.stl.bought[x] - bought[x];
          inCost[x] += w.stl.bought[x] * cfg.exInPrice[i];
        }
        if (cfg.exOutQty[i] > 0) {
          const exDel = w.stl.produced[x] - delivered[x];
          delivered[x] += exDel;
          revenue[x] += exDel * cfg.exOutPrice[i];
        }
        const P = w.stl.produced[x];
        const qin = w.stl.inventoryBefore[x] + w.stl.bought[x];
        const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a));
        if (!close(inCost[x], w.stl.inCost[x]))
          problems.push(`day ${day} a${x}: input cost ${w.stl.inCost[x]} ≠ ledger ${inCost[x]}`);
        if (!close(revenue[x], w.stl.revenue[x]))
          problems.push(`day ${day} a${x}: revenue ${w.stl.revenue[x]} ≠ ledger ${revenue[x]}`);
        if (bought[x] !== w.stl.bought[x]) problems.push(`day ${day} a${x}: bought ≠ ledger`);
        if (delivered[x] !== P) problems.push(`day ${day} a${x}: delivered ${delivered[x]} ≠ produced ${P}`);
        if (P > w.nLines || P > qin || P > w.stl.qout[x] || P < 0)
          problems.push(`day ${day} a${x}: production ${P} infeasible`);
        if (w.stl.inCost[x] > w.stl.balanceBefore[x] + 1e-9)
          problems.push(`day ${day} a${x}: bought beyond its cash`);
        if (w.inventory[x] !== qin - P || w.inventory[x] < 0)
          problems.push(`day ${day} a${x}: inventory does not close`);
        const k = w.level[x];
        const storage = cfg.storageCost[x] * w.tp[k] * (qin - P);
        const balance =
          w.stl.balanceBefore[x] +
          w.stl.revenue[x] -
          w.stl.inCost[x] -
          cfg.cost[x] * P -
          w.stl.storage[x] -
          w.stl.shortfall[x];
        if (!close(balance, w.balance[x])) problems.push(`day ${day} a${x}: balance does not close`);
        if (w.stl.storage[x] < 0 || w.stl.shortfall[x] < 0 || storage < 0)
          problems.push(`day ${day} a${x}: negative penalty`);
      }
      for (let x = 0; x < nA; x++) if (w.bankrupt[x] && bankruptDay[x] < 0) bankruptDay[x] = day;
    },
  };
  w.logger = logger;
  w.run();
  // Contracts signed after a bankruptcy would show here too.
  for (let c = 0; c < w.ledger.n; c++)
    for (const x of [w.ledger.seller[c], w.ledger.buyer[c]])
      if (bankruptDay[x] >= 0 && w.ledger.day[c] > bankruptDay[x])
        problems.push(`contract ${c} signed by bankrupt a${x}`);
  expect(problems.slice(0, 5)).toEqual([]);
}

describe('SCML-lite world invariants', () => {
  it('accounting closes, agreements stay in range, bankrupts never trade (random worlds and mixes)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.array(fc.integer({ min: 0, max: AGENT_TYPES.length - 1 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 5, max: 40 }),
        (seed, mix, nSteps) => check(seed, mix, nSteps),
      ),
      { numRuns: 25 },
    );
  });

  it('random agents go bankrupt in some worlds, and the check covers them', () => {
    let bankrupt = 0;
    for (let seed = 0; seed < 4; seed++) {
      const cfg = generateConfig(seed, { nSteps: 40 });
      const w = new World(
        cfg,
        Array.from({ length: nAgentsOf(cfg) }, () => makeAgent('random')),
      );
      w.run();
      bankrupt += w.bankrupt.reduce((a, b) => a + b, 0);
      check(seed, [0], 40);
    }
    expect(bankrupt).toBeGreaterThan(0);
  });
});
