import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import {
  evolvingPopulations,
  mfPbtGenetics,
  perturb,
  ranking,
  runMfPbt,
  type HyperparameterSpec,
  type PopulationLearner,
} from './mfpbt.ts';

// Two sub-populations of 4 (quarters of one member): 0–3 evolve every round, 4–7 every 2 rounds.
const rewards = [5, 1, 3, 2, 10, 0, 4, 6];

describe('MF-PBT genetics (as the reference mf_pbt_genetics.py)', () => {
  it('evolves a sub-population after rounds where (round + 1) % frequency == 0', () => {
    expect(evolvingPopulations(0, [1, 10, 25, 50])).toEqual([true, false, false, false]);
    expect(evolvingPopulations(9, [1, 10, 25, 50])).toEqual([true, true, false, false]);
    expect(evolvingPopulations(49, [1, 10, 25, 50])).toEqual([true, true, true, true]);
  });

  it('round 0, only the fast population evolves: its worst copies its best, its 3rd quarter migrates in with hyperparameters', () => {
    const g = mfPbtGenetics(rewards, 0, [1, 2], 4);
    // Member 1 (worst of 0–3) copies member 0 (best) and explores; member 3 (third quarter) takes
    // the network of member 4, the best elsewhere, and its hyperparameters (its own population
    // evolves more often than the migrant's).
    expect([...g.parentNetwork]).toEqual([0, 0, 2, 4, 4, 5, 6, 7]);
    expect([...g.parentHps]).toEqual([0, 0, 2, 4, 4, 5, 6, 7]);
    expect([...g.explore]).toEqual([0, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('round 1, both evolve: a slow population takes a migrant network but its own best hyperparameters', () => {
    const g = mfPbtGenetics(rewards, 1, [1, 2], 4);
    // Member 6 (third of 4–7) takes member 0's network (better ranked, from the faster population)
    // and member 4's hyperparameters (its own best), unperturbed.
    expect([...g.parentNetwork]).toEqual([0, 0, 2, 4, 4, 4, 0, 7]);
    expect([...g.parentHps]).toEqual([0, 0, 2, 4, 4, 4, 4, 7]);
    expect([...g.explore]).toEqual([0, 1, 0, 0, 0, 1, 0, 0]);
  });

  it('never migrates a worse member in, and equal frequencies keep their own hyperparameters', () => {
    // Population 1 is better everywhere: population 0's third quarter takes from it, not the reverse.
    const g = mfPbtGenetics([4, 3, 2, 1, 40, 30, 20, 10], 0, [1, 1], 4);
    expect(g.parentNetwork[2]).toBe(4);
    expect(g.parentHps[2]).toBe(2);
    expect(g.parentNetwork[6]).toBe(6);
  });

  it('properties: bottom quarters always copy, parents rank higher than children, slow populations rest (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 16, maxLength: 16 }),
        fc.integer({ min: 0, max: 60 }),
        (r, round) => {
          const freqs = [1, 3, 7, 50];
          const g = mfPbtGenetics(r, round, freqs, 4);
          const ev = evolvingPopulations(round, freqs);
          const order = ranking(r);
          const rank = (m: number) => order.indexOf(m);
          for (let m = 0; m < 16; m++) {
            const p = Math.floor(m / 4);
            if (!ev[p]) expect(g.parentNetwork[m]).toBe(m);
            if (g.parentNetwork[m] !== m) expect(rank(g.parentNetwork[m])).toBeLessThan(rank(m));
            if (g.explore[m]) expect(Math.floor(g.parentHps[m] / 4)).toBe(p);
          }
          for (let p = 0; p < 4; p++) {
            if (!ev[p]) continue;
            const worst = ranking(r, [4 * p, 4 * p + 1, 4 * p + 2, 4 * p + 3])[3];
            expect(g.explore[worst]).toBe(1);
          }
        },
      ),
    );
  });

  it('rejects populations that do not split into quarters', () => {
    expect(() => mfPbtGenetics([1, 2, 3, 4, 5, 6], 0, [1, 2], 3)).toThrow(/multiple of 4/);
  });
});

describe('perturbation', () => {
  it('multiplies by 0.8 or 1.25 and clips to the range', () => {
    const specs: HyperparameterSpec[] = [
      { name: 'lr', min: 0.01, max: 1 },
      { name: 'k', min: 1, max: 4, int: true },
    ];
    const rng = new Rng(3);
    const seen = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const p = perturb({ lr: 0.1, k: 3 }, specs, [0.8, 1.25], rng);
      seen.add(Math.round(p.lr * 1e6) / 1e6);
      expect([2, 4]).toContain(p.k);
    }
    expect([...seen].sort()).toEqual([0.08, 0.125]);
    expect(perturb({ lr: 0.95, k: 4 }, specs, [1.25], rng)).toEqual({ lr: 1, k: 4 });
  });
});

describe('runMfPbt on a moving quadratic (optimum learning rate 0.5)', () => {
  // Weights are a point x; each round the target c moves, and 3 gradient steps on (x − c)² with
  // rate lr leave x − c scaled by (1 − 2·lr)³: lr = 0.5 lands exactly, lr ≥ 1 diverges.
  const learner: PopulationLearner<{ x: number }> = {
    init: () => ({ x: 0 }),
    clone: (w) => ({ ...w }),
    trainRound: async (_m, w, hps, round) => {
      const c = 10 * Math.sin(round + 1);
      let x = w.x;
      for (let s = 0; s < 3; s++) x -= hps.lr * 2 * (x - c);
      return { weights: { x }, reward: -Math.min(1e6, (x - c) ** 2) };
    },
  };
  const specs: HyperparameterSpec[] = [{ name: 'lr', min: 0.001, max: 1.2, init: 'log-uniform' }];

  it('moves the fast population toward lr 0.5 and beats the same members without evolution', async () => {
    const evolved = await runMfPbt(learner, specs, 30, {
      frequencies: [1, 5],
      membersPerPopulation: 8,
      seed: 7,
    });
    const frozen = await runMfPbt(learner, specs, 30, {
      frequencies: [1000, 1000],
      membersPerPopulation: 8,
      seed: 7,
    });
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(evolved.rewards)).toBeGreaterThan(mean(frozen.rewards));
    const fastLrs = evolved.hps
      .slice(0, 8)
      .map((h) => h.lr)
      .sort((a, b) => a - b);
    const median = (fastLrs[3] + fastLrs[4]) / 2;
    expect(median).toBeGreaterThan(0.3);
    expect(median).toBeLessThan(0.7);
    // The history records who copied whom in every round but the last.
    expect(evolved.history.filter((h) => h.parentNetwork !== h.member).length).toBeGreaterThan(0);
    expect(evolved.history.filter((h) => h.round === 29).every((h) => h.parentNetwork === h.member)).toBe(
      true,
    );
  });

  it('is deterministic for a seed', async () => {
    const a = await runMfPbt(learner, specs, 8, { frequencies: [1, 2], membersPerPopulation: 4, seed: 1 });
    const b = await runMfPbt(learner, specs, 8, { frequencies: [1, 2], membersPerPopulation: 4, seed: 1 });
    expect(a.hps).toEqual(b.hps);
    expect([...a.rewards]).toEqual([...b.rewards]);
  });
});
