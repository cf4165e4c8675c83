/**
 * Multiple-Frequencies Population-Based Training (MF-PBT, arXiv 2506.03225): N members split into
 * M equal sub-populations, sub-population m evolving every `frequencies[m]` rounds (default
 * 1/10/25/50). When one evolves, its bottom quarter copies the top quarter (weights and
 * hyperparameters, then perturbs the hyperparameters ×0.8 or ×1.25), and its third quarter (the
 * 50–75th percentile) takes the weights of better-ranked members of other sub-populations —
 * asymmetric migration: their hyperparameters come along only when the receiving sub-population
 * evolves more often than the migrant's (a slow one keeps its own, or its best member's).
 *
 * The genetics follow the authors' reference (WaelDLZ/MF-PBT hpo/utils/mf_pbt_genetics.py) step
 * for step; `runMfPbt` drives any learner through rounds (the hierarchy's experts and router, or a
 * toy in the tests). Pure: no tfjs, seeded.
 */
import { Rng } from '../rng.ts';

export interface MfPbtConfig {
  /** Rounds between evolutions of each sub-population (one sub-population per entry). */
  frequencies: readonly number[];
  /** Members per sub-population (a multiple of 4: the genetics work on quarters). */
  membersPerPopulation: number;
  /** Factors a copied hyperparameter is multiplied by, one drawn uniformly. */
  perturbFactors: readonly number[];
}

export const MF_PBT_DEFAULTS: MfPbtConfig = {
  frequencies: [1, 10, 25, 50],
  membersPerPopulation: 4,
  perturbFactors: [0.8, 1.25],
};

/** Who each member inherits from this round (its own index = nobody). */
export interface Inheritance {
  parentHps: Int32Array;
  parentNetwork: Int32Array;
  /** Whether the inherited hyperparameters are perturbed (internal exploitation only). */
  explore: Uint8Array;
}

/** Member indices sorted by reward, best first (ties keep the lower index first). */
export function ranking(rewards: ArrayLike<number>, members?: readonly number[]): number[] {
  const idx = members ? [...members] : Array.from({ length: rewards.length }, (_, i) => i);
  // NaN (a failed member) ranks last.
  const key = (i: number) => (Number.isNaN(rewards[i]) ? -Infinity : rewards[i]);
  return idx.sort((a, b) => key(b) - key(a) || a - b);
}

/** Sub-populations evolving after round `round` (0-based), as the reference: (round + 1) % f == 0. */
export function evolvingPopulations(round: number, frequencies: readonly number[]): boolean[] {
  return frequencies.map((f) => (round + 1) % f === 0);
}

/**
 * One evolution step: given every member's reward after round `round`, who copies whom. Members
 * are numbered population-major (member i is in sub-population ⌊i / membersPerPopulation⌋).
 */
export function mfPbtGenetics(
  rewards: ArrayLike<number>,
  round: number,
  frequencies: readonly number[],
  membersPerPopulation: number,
): Inheritance {
  const P = membersPerPopulation;
  const n = rewards.length;
  if (P % 4 !== 0 || P === 0)
    throw new Error(`MF-PBT: members per population must be a multiple of 4, got ${P}`);
  if (n !== P * frequencies.length)
    throw new Error(`MF-PBT: ${n} rewards for ${frequencies.length} populations of ${P}`);
  const parentHps = Int32Array.from({ length: n }, (_, i) => i);
  const parentNetwork = Int32Array.from({ length: n }, (_, i) => i);
  const explore = new Uint8Array(n);
  const global = ranking(rewards);
  // Higher = better, as the reference's inverse ranking (n for the best).
  const standing = new Int32Array(n);
  global.forEach((m, r) => (standing[m] = n - r));
  const popOf = (m: number) => Math.floor(m / P);
  const local = frequencies.map((_, p) =>
    ranking(
      rewards,
      Array.from({ length: P }, (_, k) => p * P + k),
    ),
  );
  const evolving = evolvingPopulations(round, frequencies);
  const share = P / 4;

  // Internal exploitation: the bottom quarter copies the top quarter, rank for rank.
  for (let p = 0; p < frequencies.length; p++) {
    if (!evolving[p]) continue;
    const r = local[p];
    for (let k = 0; k < share; k++) {
      const loser = r[P - share + k];
      const winner = r[k];
      parentHps[loser] = winner;
      parentNetwork[loser] = winner;
      explore[loser] = 1;
    }
  }
  // Asymmetric migration into the third quarter from better members elsewhere.
  for (let p = 0; p < frequencies.length; p++) {
    if (!evolving[p]) continue;
    const r = local[p];
    const bracket = r.slice(2 * share, 3 * share);
    const external = global.filter((m) => popOf(m) !== p);
    for (const member of bracket) {
      const migrant = external[0];
      if (migrant === undefined || standing[member] >= standing[migrant]) continue;
      parentNetwork[member] = migrant;
      const fIn = frequencies[p];
      const fOut = frequencies[popOf(migrant)];
      if (fIn < fOut) parentHps[member] = migrant;
      else if (fIn > fOut) parentHps[member] = r[0];
      external.shift();
    }
  }
  return { parentHps, parentNetwork, explore };
}

/** A hyperparameter PBT may change: its range (values are clipped to it) and whether it is whole. */
export interface HyperparameterSpec {
  name: string;
  min: number;
  max: number;
  int?: boolean;
  /** Initial values: uniform in [min, max], or log-uniform (learning rates). */
  init?: 'uniform' | 'log-uniform';
}

export type Hyperparameters = Record<string, number>;

/** Seeded initial hyperparameters for `count` members. */
export function initialHyperparameters(
  specs: readonly HyperparameterSpec[],
  count: number,
  rng: Rng,
): Hyperparameters[] {
  return Array.from({ length: count }, () =>
    Object.fromEntries(
      specs.map((s) => {
        const v =
          s.init === 'log-uniform' && s.min > 0
            ? Math.exp(rng.uniform(Math.log(s.min), Math.log(s.max)))
            : rng.uniform(s.min, s.max);
        return [s.name, s.int ? Math.round(v) : v];
      }),
    ),
  );
}

/** ×factor (drawn from `factors`) per hyperparameter, clipped to its range. */
export function perturb(
  hps: Hyperparameters,
  specs: readonly HyperparameterSpec[],
  factors: readonly number[],
  rng: Rng,
): Hyperparameters {
  const out = { ...hps };
  for (const s of specs) {
    const f = factors[rng.int(factors.length)];
    let v = Math.min(s.max, Math.max(s.min, hps[s.name] * f));
    if (s.int) v = Math.round(v);
    out[s.name] = v;
  }
  return out;
}

/** What a population trains: members are created, trained a round, scored, and copied. */
export interface PopulationLearner<W> {
  /** A fresh member's weights (seeded by its index). */
  init(member: number): Promise<W> | W;
  /** Trains one member for one round with its hyperparameters; returns the new weights and the reward (higher = better). */
  trainRound(
    member: number,
    weights: W,
    hps: Hyperparameters,
    round: number,
  ): Promise<{ weights: W; reward: number }>;
  /** A copy of weights another member may own (weights are never shared by reference). */
  clone(weights: W): W;
  /** Frees weights a member no longer holds (tfjs variables); optional. */
  dispose?(weights: W): void;
}

/** One member's state after a round: the population view the lab and `lab hier pbt` show. */
export interface MemberRecord {
  round: number;
  member: number;
  population: number;
  reward: number;
  hps: Hyperparameters;
  /** Whom it copied after this round (its own index when nobody). */
  parentNetwork: number;
  parentHps: number;
}

export interface MfPbtResult<W> {
  weights: W[];
  hps: Hyperparameters[];
  rewards: Float64Array;
  history: MemberRecord[];
  /** The best member after the last round. */
  best: number;
}

/**
 * Runs `rounds` rounds: every member trains, the population is ranked, and the sub-populations
 * due evolve. The last round is not followed by an evolution, so the returned weights are the
 * trained ones their rewards describe.
 */
export async function runMfPbt<W>(
  learner: PopulationLearner<W>,
  specs: readonly HyperparameterSpec[],
  rounds: number,
  opts: Partial<MfPbtConfig> & { seed?: number; onRound?: (records: MemberRecord[]) => void } = {},
): Promise<MfPbtResult<W>> {
  const cfg: MfPbtConfig = { ...MF_PBT_DEFAULTS, ...opts };
  const n = cfg.frequencies.length * cfg.membersPerPopulation;
  const rng = new Rng(opts.seed ?? 0);
  // Each sub-population starts from the same spread of hyperparameters, as the reference does.
  const start = initialHyperparameters(specs, cfg.membersPerPopulation, rng);
  let hps = Array.from({ length: n }, (_, i) => ({ ...start[i % cfg.membersPerPopulation] }));
  let weights: W[] = [];
  for (let i = 0; i < n; i++) weights.push(await learner.init(i));
  const rewards = new Float64Array(n);
  const history: MemberRecord[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < n; i++) {
      const r = await learner.trainRound(i, weights[i], hps[i], round);
      weights[i] = r.weights;
      rewards[i] = r.reward;
    }
    const last = round === rounds - 1;
    const inh = last
      ? {
          parentHps: Int32Array.from({ length: n }, (_, i) => i),
          parentNetwork: Int32Array.from({ length: n }, (_, i) => i),
          explore: new Uint8Array(n),
        }
      : mfPbtGenetics(rewards, round, cfg.frequencies, cfg.membersPerPopulation);
    const records: MemberRecord[] = Array.from({ length: n }, (_, i) => ({
      round,
      member: i,
      population: Math.floor(i / cfg.membersPerPopulation),
      reward: rewards[i],
      hps: { ...hps[i] },
      parentNetwork: inh.parentNetwork[i],
      parentHps: inh.parentHps[i],
    }));
    history.push(...records);
    opts.onRound?.(records);
    if (last) break;
    // Copy from the pre-evolution state, so a member copied this round passes on what it had.
    const nextWeights = weights.map((w, i) =>
      inh.parentNetwork[i] === i ? w : learner.clone(weights[inh.parentNetwork[i]]),
    );
    const nextHps = hps.map((h, i) => {
      if (inh.parentHps[i] === i) return h;
      const parent = hps[inh.parentHps[i]];
      return inh.explore[i] ? perturb(parent, specs, cfg.perturbFactors, rng) : { ...parent };
    });
    weights.forEach((w, i) => {
      if (nextWeights[i] !== w) learner.dispose?.(w);
    });
    weights = nextWeights;
    hps = nextHps;
  }
  return { weights, hps, rewards, history, best: ranking(rewards)[0] };
}
