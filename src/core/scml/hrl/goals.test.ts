/**
 * Goal recovery from tournament logs against the world's own ledger: per (agent, day ≥ 1), the
 * quantities and price positions recovered from negotiations.csv/daily.csv rows equal those
 * computed from the signed contracts and the ranges the world set that morning.
 */
import { describe, expect, it } from 'vitest';
import type { Rng } from '../../rng.ts';
import { makeAgent, registerAgentFactory } from '../agents/index.ts';
import { runWorld, tournamentRuns, type TournamentSpec } from '../tournament.ts';
import type { ScmlAgent, World } from '../world.ts';
import { GOAL_SIZE, L2_FEATURES } from './agent.ts';
import { collectL2Dataset, recoverGoals } from './goals.ts';

describe('L2 goals from logs', () => {
  it('match the ledger and the morning ranges', () => {
    let world: World | null = null;
    const ranges: { lo: Int32Array; hi: Int32Array }[] = [];
    registerAgentFactory('spy', (arg) => {
      const inner = makeAgent(arg as 'penguin');
      const spy: ScmlAgent = {
        type: 'spy',
        init(w: World, id: number, rng: Rng) {
          world = w;
          inner.init(w, id, rng);
        },
        beginDay(w: World, id: number) {
          ranges[w.day] = { lo: Int32Array.from(w.priceLo), hi: Int32Array.from(w.priceHi) };
          inner.beginDay?.(w, id);
        },
        act: (w, id, todo, n) => inner.act(w, id, todo, n),
      };
      return spy;
    });
    const spec: TournamentSpec = {
      agents: ['spy:penguin', 'greedy', 'syncrandom'],
      configs: 1,
      seed: 5,
      configOptions: { nSteps: 30 },
    };
    const run = tournamentRuns(spec)[0];
    const res = runWorld(spec, run);
    const w = world as unknown as World;
    const goals = recoverGoals(res.negotiations, res.daily, { nLines: w.nLines });
    expect(goals.length).toBe(w.nAgents * (w.nSteps - 1));
    const want = new Map<string, Float64Array>();
    for (let c = 0; c < w.ledger.n; c++) {
      const d = w.ledger.day[c];
      if (d < 1) continue;
      const k = w.level[w.ledger.seller[c]] + 1;
      const { lo, hi } = ranges[d];
      const pos = hi[k] > lo[k] ? (w.ledger.p[c] - lo[k]) / (hi[k] - lo[k]) : 0.5;
      for (const [a, side] of [
        [w.ledger.buyer[c], 0],
        [w.ledger.seller[c], 1],
      ]) {
        const e = want.get(`a${a}|${d}`) ?? new Float64Array(4);
        e[2 * side] += w.ledger.q[c];
        e[2 * side + 1] += w.ledger.q[c] * pos;
        want.set(`a${a}|${d}`, e);
      }
    }
    let traded = 0;
    for (const g of goals) {
      const e = want.get(`${g.agent}|${g.day}`) ?? new Float64Array(4);
      for (let side = 0; side < 2; side++) {
        expect(g.goal[2 * side]).toBeCloseTo(e[2 * side] / w.nLines, 6);
        if (e[2 * side] > 0) {
          traded++;
          expect(g.goal[2 * side + 1]).toBeCloseTo(e[2 * side + 1] / e[2 * side], 5);
          expect(g.weight[2 * side + 1]).toBe(1);
        } else expect(g.weight[2 * side + 1]).toBe(0);
      }
    }
    expect(traded).toBeGreaterThan(20);
  });

  it('collects (features, goal) pairs of the expert only', () => {
    const ds = collectL2Dataset({
      agents: ['penguin', 'greedy'],
      expert: 'penguin',
      configs: 1,
      seed: 2,
      nSteps: 20,
    });
    expect(ds.worlds).toBe(2);
    expect(ds.n).toBeGreaterThan(20);
    expect(ds.x.length).toBe(ds.n * L2_FEATURES);
    expect(ds.y.length).toBe(ds.n * GOAL_SIZE);
    // Penguin trades on most days: quantities are not all zero, price positions inside [0, 1].
    let q = 0;
    for (let i = 0; i < ds.n; i++) {
      q += ds.y[i * 4] + ds.y[i * 4 + 2];
      expect(ds.y[i * 4 + 1]).toBeGreaterThanOrEqual(0);
      expect(ds.y[i * 4 + 3]).toBeLessThanOrEqual(1);
    }
    expect(q / ds.n).toBeGreaterThan(0.1);
  });
});
