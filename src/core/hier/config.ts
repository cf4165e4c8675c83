/**
 * Settings of the hierarchical workflow (seed 002), one object with the seed's defaults. The lab's
 * fields (workflow.ts) declare each once under `hierarchical.` with these defaults; the trainer reads
 * this object. Numbers the seed gives: 0.5 (mi_reward_weight), 0.1 (kl_lambda), 0.01 (ent_coef),
 * the schedule 10 / 5 / 20 and the MAPD floor 0.25. The rest are sized so `lab hier train`'s
 * defaults finish within 10 minutes on two shared CPU cores.
 */

export interface HierConfig {
  /** K, the number of low-level experts (skills z = expert id). */
  experts: number;
  /** β of the DIAYN skill reward r_ext + β·(log q(z|s') − log p(z)) (seed: mi_reward_weight). */
  miRewardWeight: number;
  /** λ of the router's diversity bonus KL(π_selected ‖ π_mean) (seed: kl_lambda). */
  klLambda: number;
  /** Entropy coefficient of the router's PPO (seed: ent_coef). */
  entCoef: number;
  /** n: env steps (days) each router decision lasts. */
  routerInterval: number;
  /** Router PPO update after this many of its decisions, experts frozen meanwhile (seed: router freq 10). */
  routerEvery: number;
  /** Expert updates after every this many decisions of the expert phase, router frozen (seed: experts freq 5). */
  expertEvery: number;
  /** Decisions between population steps (seed: population freq 20): one router + one expert phase. */
  populationEvery: number;
  /** MF-PBT members (0 = one hierarchy, no population); population.ts drives them, a round each populationEvery decisions. */
  pbtMembers: number;
  /** Parallel market episodes (random starts in the train split). */
  numEnvs: number;
  /** Env steps (days, all envs together) to train for. */
  totalSteps: number;
  /** Market rewards (daily returns ~1e-2) × this before learning, so they weigh against the skill reward. */
  rewardScale: number;
  /** Segment length of the shared replay's V-trace targets. */
  vtraceSteps: number;
  /** ρ̄ and c̄ of V-trace (1 = IMPALA's default). */
  clipRho: number;
  clipC: number;
  /** Gradient steps per expert per env step collected in its phase. */
  updatesPerStep: number;
  /**
   * What the skill discriminator tells the experts apart by: 'next-state' = DIAYN's q(k|s′);
   * 'action' = seed 002's I(a; z), q(k|s, a) on the market part of s (the book's position and
   * cash left out) and the action, so that a skill is how an expert answers the market.
   */
  skillInput: 'next-state' | 'action';
  /** Share of each expert's replayed segments drawn from its own days (0 = all uniform over the shared replay). */
  ownShare: number;
  /** Transitions per expert update (segments × vtraceSteps). */
  batchSize: number;
  /** Hidden width of the experts' actor, critics and the discriminator (two layers). */
  hidden: number;
  gamma: number;
  expertLearningRate: number;
  routerLearningRate: number;
  /** Days of returns the router's regime features look back over (the longer window; the shorter is a quarter). */
  lookback: number;
  /** 'timesnet': add the FFT periods' amplitudes (TimesNet's period detection) to the router's features. */
  encoder: 'none' | 'timesnet';
  /**
   * The router's return term: 'benchmark' = the hierarchy's book against buy-and-hold over the
   * decision; 'counterfactual' = the chosen expert's shadow book against the mean of all experts'
   * shadow books over the same days (routerEnv.ts).
   */
  routerReward: 'benchmark' | 'counterfactual';
  /**
   * Whose own days a decision's transitions count among (ownShare's preference): 'acted' = the
   * expert that traded them; 'won' = the expert whose shadow book earned most over that decision
   * (winner-take-all credit, as a mixture of experts' hard assignment), so each expert learns most
   * from the days it is best at; 'cluster' = the expert of the k-means cluster (K = experts) of the
   * router's regime features on the decision's first day (regimeClusters.ts), so each expert learns
   * from one kind of market.
   */
  ownership: 'acted' | 'won' | 'cluster';
  /** Add each expert's recent edge (its shadow book's excess return over 5 and 20 days, edgeFeatures.ts) to the router's view. */
  routerSeesEdge: boolean;
  /** Shared replay capacity in transitions. */
  bufferSize: number;
  /** Polyak rate of the experts' target critics. */
  tau: number;
}

export const DEFAULT_HIER: Readonly<HierConfig> = Object.freeze({
  experts: 3,
  miRewardWeight: 0.5,
  klLambda: 0.1,
  entCoef: 0.01,
  routerInterval: 5,
  routerEvery: 10,
  expertEvery: 5,
  populationEvery: 20,
  pbtMembers: 0,
  numEnvs: 8,
  totalSteps: 32_000,
  rewardScale: 20,
  vtraceSteps: 4,
  clipRho: 1,
  clipC: 1,
  updatesPerStep: 0.25,
  ownShare: 0.5,
  skillInput: 'next-state',
  batchSize: 64,
  hidden: 64,
  gamma: 0.9,
  expertLearningRate: 1e-3,
  routerLearningRate: 3e-3,
  lookback: 40,
  encoder: 'none',
  routerSeesEdge: false,
  routerReward: 'benchmark',
  ownership: 'acted',
  bufferSize: 20_000,
  tau: 0.01,
});

/** Checks ranges; the error names the dotted field path. */
export function resolveHierConfig(partial: Partial<HierConfig> = {}): HierConfig {
  const c: HierConfig = { ...DEFAULT_HIER, ...partial };
  const bad = (k: keyof HierConfig, why: string): never => {
    throw new Error(`hierarchical.${k}: ${why}, got ${String(c[k])}`);
  };
  const ints: [keyof HierConfig, number][] = [
    ['experts', 2],
    ['routerInterval', 1],
    ['routerEvery', 1],
    ['expertEvery', 1],
    ['populationEvery', 1],
    ['pbtMembers', 0],
    ['numEnvs', 1],
    ['totalSteps', 1],
    ['vtraceSteps', 1],
    ['batchSize', 1],
    ['hidden', 1],
    ['lookback', 8],
    ['bufferSize', 64],
  ];
  for (const [k, lo] of ints) {
    const v = c[k] as number;
    if (!Number.isInteger(v) || v < lo) bad(k, `must be a whole number ≥ ${lo}`);
  }
  if (!(c.ownShare >= 0 && c.ownShare <= 1)) bad('ownShare', 'must be in [0, 1]');
  for (const k of ['miRewardWeight', 'klLambda', 'entCoef', 'updatesPerStep'] as const)
    if (!(c[k] >= 0)) bad(k, 'must be ≥ 0');
  for (const k of ['rewardScale', 'clipRho', 'clipC', 'expertLearningRate', 'routerLearningRate'] as const)
    if (!(c[k] > 0)) bad(k, 'must be > 0');
  if (!(c.gamma >= 0 && c.gamma < 1)) bad('gamma', 'must be in [0, 1)');
  if (!(c.tau > 0 && c.tau <= 1)) bad('tau', 'must be in (0, 1]');
  if (typeof c.routerSeesEdge !== 'boolean') bad('routerSeesEdge', 'must be true or false');
  if (c.routerReward !== 'benchmark' && c.routerReward !== 'counterfactual')
    bad('routerReward', "must be 'benchmark' or 'counterfactual'");
  if (c.skillInput !== 'next-state' && c.skillInput !== 'action')
    bad('skillInput', "must be 'next-state' or 'action'");
  if (c.ownership !== 'acted' && c.ownership !== 'won' && c.ownership !== 'cluster')
    bad('ownership', "must be 'acted', 'won' or 'cluster'");
  if (c.encoder !== 'none' && c.encoder !== 'timesnet') bad('encoder', "must be 'none' or 'timesnet'");
  return c;
}

/** Decisions of one population cycle: the router phase, then the expert phase of the same length. */
export function cycleDecisions(c: HierConfig): number {
  return 2 * c.routerEvery;
}
