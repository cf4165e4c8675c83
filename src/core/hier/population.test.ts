import { describe, expect, it } from 'vitest';
import type { CheckpointArtifacts } from '../agents/checkpoint.ts';
import { RunControl } from '../run/control.ts';
import {
  bestPerRound,
  LocalExecutor,
  runPopulation,
  validatePopulation,
  type PbtMember,
  type PopulationConfig,
} from './population.ts';
import {
  createQuadraticMember,
  QUADRATIC_OPTIMA,
  QUADRATIC_SEARCH,
  quadraticState,
} from './quadraticMember.ts';

const base: PopulationConfig = {
  members: 16,
  frequencies: [1, 4],
  tReady: 10,
  rounds: 30,
  hyperparameters: QUADRATIC_SEARCH,
  perturbFactors: [0.8, 1.25],
  seed: 3,
};

const quadratic = (seed: number) => createQuadraticMember(seed, { envSeed: 11 });
const run = (cfg: PopulationConfig, factory = quadratic) =>
  runPopulation(cfg, new LocalExecutor(factory, cfg.seed));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
};
const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;

describe('MF-PBT population on the quadratic member (optimal rates 1/h: lrA 0.5, lrB 0.125)', () => {
  it.each([3, 5, 9])(
    'moves the population toward the known optimum and beats the same members without evolution (seed %i)',
    async (seed) => {
      const evolved = await run({ ...base, seed });
      const frozen = await run({ ...base, seed, frequencies: [1000, 1000] });
      const lrA = evolved.hps.map((h) => h['quadratic.lrA']);
      const lrB = evolved.hps.map((h) => h['quadratic.lrB']);
      // Started log-uniform in [0.005, 1]; evolution brings the fast sub-population near 1/h.
      const fast = evolved.hps.slice(0, 8);
      expect(median(fast.map((h) => h['quadratic.lrA']))).toBeGreaterThan(0.3);
      expect(median(fast.map((h) => h['quadratic.lrA']))).toBeLessThan(0.75);
      expect(median(fast.map((h) => h['quadratic.lrB']))).toBeGreaterThan(0.07);
      expect(median(fast.map((h) => h['quadratic.lrB']))).toBeLessThan(0.19);
      const best = evolved.hps[evolved.best];
      expect(Math.abs(Math.log(best['quadratic.lrA'] / QUADRATIC_OPTIMA['quadratic.lrA']))).toBeLessThan(
        Math.log(1.6),
      );
      expect(Math.abs(Math.log(best['quadratic.lrB'] / QUADRATIC_OPTIMA['quadratic.lrB']))).toBeLessThan(
        Math.log(1.6),
      );
      expect(mean(evolved.scores)).toBeGreaterThan(mean(frozen.scores));
      // Without evolution the same members stay at their initial draws, outside the band above.
      expect(median(frozen.hps.slice(0, 8).map((h) => h['quadratic.lrA']))).toBeLessThan(0.3);
      // Frozen members keep their initial spread: the whole population is no nearer the optimum.
      expect(Math.max(...frozen.scores)).toBeLessThanOrEqual(Math.max(...evolved.scores));
      expect(new Set(lrA).size).toBeGreaterThan(1);
      expect(new Set(lrB).size).toBeGreaterThan(1);
      // The best member's score per round improves from the first rounds to the last.
      const best5 = bestPerRound(evolved.extra).map((b) => b.score);
      expect(mean(best5.slice(-5))).toBeGreaterThan(mean(best5.slice(0, 5)));
    },
  );

  it('records members, sub-populations and one row per member per round with consistent lineage', async () => {
    const r = await run({ ...base, rounds: 8 });
    const { extra } = r;
    expect(extra.hyperparameters).toEqual(['quadratic.lrA', 'quadratic.lrB']);
    expect(extra.members.map((m) => m.subPopulation)).toEqual([...Array(8).fill(0), ...Array(8).fill(1)]);
    expect(extra.members.map((m) => m.frequency)).toEqual([...Array(8).fill(1), ...Array(8).fill(4)]);
    expect(extra.rounds).toHaveLength(8 * 16);
    const row = (round: number, member: number) =>
      extra.rounds.find((x) => x.round === round && x.member === member)!;
    let copies = 0;
    for (let round = 0; round < 8; round++) {
      const scores = Array.from({ length: 16 }, (_, i) => row(round, i).score);
      for (let i = 0; i < 16; i++) {
        const x = row(round, i);
        const prev = round === 0 ? null : row(round - 1, i).hps;
        if (round === 7) {
          expect(x.parentNetwork).toBe(i);
          expect(x.parentHps).toBe(i);
        }
        if (x.parentNetwork !== i) {
          copies++;
          // A parent scored better than its child this round.
          expect(scores[x.parentNetwork]).toBeGreaterThan(scores[i]);
        }
        // The slow sub-population (every 4 rounds) rests in rounds 0, 1, 2, 4, 5, 6.
        if (i >= 8 && (round + 1) % 4 !== 0) expect(x.parentNetwork).toBe(i);
        if (x.parentHps === i && prev) expect(x.hps).toEqual(prev);
        if (x.parentHps !== i && x.parentHps < 8 && i < 8 && round > 0) {
          // Copied inside the fast sub-population: the parent's trained values, ×0.8 or ×1.25 (clipped).
          const parent = row(round - 1, x.parentHps).hps;
          x.hps.forEach((v, k) => {
            const ratio = v / parent[k];
            const clipped = v === QUADRATIC_SEARCH[k].min || v === QUADRATIC_SEARCH[k].max;
            if (!clipped) expect([0.8, 1.25].some((f) => Math.abs(ratio - f) < 1e-12)).toBe(true);
          });
        }
      }
    }
    expect(copies).toBeGreaterThan(8);
  });

  it('a copy restores the parent’s state as it was when scored', async () => {
    // Every member records its state when scored and what it was restored from.
    const scored = new Map<string, CheckpointArtifacts>();
    const restored = new Map<string, CheckpointArtifacts>();
    let roundOf = new Map<number, number>();
    const spy = (member: number, seed: number): PbtMember => {
      const m = quadratic(seed);
      return {
        ...m,
        train: (n, c) => m.train(n, c),
        async score() {
          const round = roundOf.get(member) ?? 0;
          scored.set(`${round}/${member}`, await m.snapshot());
          roundOf.set(member, round + 1);
          return m.score();
        },
        async restore(s) {
          restored.set(`${roundOf.get(member) ?? 0}/${member}`, s);
          await m.restore(s);
          const now = quadraticState(await m.snapshot());
          expect(now).toEqual(quadraticState(s));
        },
      };
    };
    roundOf = new Map();
    const r = await runPopulation({ ...base, rounds: 6 }, new LocalExecutor(spy, base.seed));
    let checked = 0;
    for (const x of r.extra.rounds) {
      if (x.parentNetwork === x.member) {
        expect(restored.has(`${x.round + 1}/${x.member}`)).toBe(false);
        continue;
      }
      const got = restored.get(`${x.round + 1}/${x.member}`);
      const want = scored.get(`${x.round}/${x.parentNetwork}`);
      expect(got && want).toBeTruthy();
      expect(quadraticState(got!)).toEqual(quadraticState(want!));
      checked++;
    }
    expect(checked).toBeGreaterThan(4);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const cfg = { ...base, rounds: 6 };
    const a = await run(cfg);
    const b = await run(cfg);
    const c = await run({ ...cfg, seed: 4 });
    expect(b.extra).toEqual(a.extra);
    expect(c.extra.rounds.map((x) => x.hps)).not.toEqual(a.extra.rounds.map((x) => x.hps));
  });

  it('stops after the current round without evolving it', async () => {
    const control = new RunControl();
    const r = await runPopulation({ ...base, rounds: 10 }, new LocalExecutor(quadratic, 0), {
      control,
      onRound: (x) => {
        if (x.round === 2) control.stop();
      },
    });
    expect(r.status).toBe('stopped');
    expect(r.roundsCompleted).toBe(3);
    expect(r.extra.rounds).toHaveLength(3 * 16);
    // The round it stopped in is the last: its record shows no copies, hyperparameters as trained.
    const lastRows = r.extra.rounds.filter((x) => x.round === 2);
    expect(lastRows.every((x) => x.parentNetwork === x.member && x.parentHps === x.member)).toBe(true);
    expect(lastRows.map((x) => x.hps)).toEqual(r.hps.map((h) => [h['quadratic.lrA'], h['quadratic.lrB']]));
  });

  it('refuses populations the genetics cannot split, naming the field', () => {
    expect(() => validatePopulation({ ...base, members: 12 }, 'hierarchical.pbt')).toThrow(
      /hierarchical\.pbt\.members: 12 members in 2 sub-populations must give a multiple of 4/,
    );
    expect(() => validatePopulation({ ...base, frequencies: [1, 0] })).toThrow(
      /population\.frequencies\[1\]/,
    );
    expect(() =>
      validatePopulation({ ...base, hyperparameters: [{ name: 'x', min: 0, max: 1, init: 'log-uniform' }] }),
    ).toThrow(/'x' is log-uniform but its min 0/);
  });
});
