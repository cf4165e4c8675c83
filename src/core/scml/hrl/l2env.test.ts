/**
 * L2's day-level env: the Env contract, potential-based shaping that telescopes (with λ_risk =
 * ε = 0 the discounted shaped return equals the discounted Δcash return − Φ(s₀), and Δcash sums
 * to score − 1), and a residual of 0 playing exactly the prior's goal.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkEnv } from '../../envs/check.ts';
import { Rng } from '../../rng.ts';
import { GOAL_SIZE, heuristicGoal } from './agent.ts';
import { ScmlL2Env, shapedReward } from './l2env.ts';

describe('ScmlL2Env', () => {
  it('satisfies the Env contract', () => {
    checkEnv(new ScmlL2Env({ nSteps: 12, pool: ['penguin', 'greedy'] }, 3), {
      steps: 30,
      stochastic: true,
      infoKeys: ['day', 'score'],
    });
  });

  it('shaped return telescopes to the unshaped one minus Φ(s₀) (Φ = 0 at the end)', () => {
    const gamma = 0.97;
    const env = new ScmlL2Env(
      {
        nSteps: 40,
        pool: ['penguin', 'syncrandom', 'self'],
        shaping: { gamma, riskCoef: 0, liquidityCoef: 0 },
      },
      11,
    );
    const rng = new Rng(4);
    for (let ep = 0; ep < 3; ep++) {
      env.reset();
      const w = env.world;
      const a = env.learner;
      const phi0 = (w.inventory[a] * w.tp[w.level[a]]) / w.cfg.initialBalance[a];
      let shaped = 0;
      let unshaped = 0;
      let cash = 0;
      let disc = 1;
      let phiSeen = 0;
      for (;;) {
        const act = Float32Array.from({ length: GOAL_SIZE }, () => rng.uniform(-1, 1));
        const r = env.step(act);
        const parts = r.info.rewardParts!;
        shaped += disc * r.reward;
        unshaped += disc * parts.cash;
        cash += parts.cash;
        phiSeen = Math.max(phiSeen, r.info.phi as number);
        disc *= gamma;
        if (r.terminated) break;
      }
      expect(shaped).toBeCloseTo(unshaped - phi0, 9);
      expect(cash).toBeCloseTo(w.score(a) - 1, 9);
      if (ep === 0) expect(phiSeen).toBeGreaterThan(0); // the potential is not trivially 0
    }
  });

  it('shapedReward sequences telescope for any potentials (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            c: fc.double({ min: -1, max: 1, noNaN: true }),
            phi: fc.double({ min: 0, max: 5, noNaN: true }),
          }),
          {
            minLength: 1,
            maxLength: 30,
          },
        ),
        fc.double({ min: 0.5, max: 1, noNaN: true }),
        (steps, gamma) => {
          const p = { gamma, riskCoef: 0, liquidityCoef: 0 };
          let shaped = 0;
          let plain = 0;
          let disc = 1;
          for (let t = 0; t < steps.length; t++) {
            const last = t === steps.length - 1;
            const next = last ? 0 : steps[t + 1].phi;
            shaped += disc * shapedReward(steps[t].c, steps[t].phi, next, last, 0, 0, p);
            plain += disc * steps[t].c;
            disc *= gamma;
          }
          expect(shaped).toBeCloseTo(plain - steps[0].phi, 9);
        },
      ),
    );
  });

  it('a zero residual plays the prior goal', () => {
    const env = new ScmlL2Env({ nSteps: 10, prior: heuristicGoal }, 2);
    const { obs } = env.reset();
    const want = new Float32Array(GOAL_SIZE);
    heuristicGoal(obs, env.world, env.learner, want);
    const r = env.step(new Float32Array(GOAL_SIZE));
    expect(r.info.goal).toEqual(Array.from(want));
  });
});
