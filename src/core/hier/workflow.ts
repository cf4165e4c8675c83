/**
 * Seed 002 as a workflow of the lab: the hierarchy of diverse experts (train.ts) declared in the
 * shape of core/workflows/registry.ts, its settings declared once under `hierarchical.` (default,
 * range, unit, help) with config.ts's defaults. Light: no tfjs, no runner (runner.ts holds that).
 */
import { bool, choice, defaultsOf, int, num, type FieldSpec, type FieldValue } from '../experiment/fields.ts';
import {
  DATA_FIELDS,
  ENV_FIELDS,
  SPLIT_FIELDS,
  SYNTHETIC_FIELDS,
  flatten,
} from '../experiment/vocabulary.ts';
import type { WorkflowDef } from '../workflows/types.ts';
import { DEFAULT_HIER as D, resolveHierConfig, type HierConfig } from './config.ts';

const P = 'hierarchical';

export const HIER_EXPERT_FIELDS: readonly FieldSpec[] = [
  int(`${P}.experts`, 'Experts K', D.experts, 2, 8, 'Low-level experts (DIAYN skills z = expert id).'),
  num(
    `${P}.miRewardWeight`,
    'Skill reward β',
    D.miRewardWeight,
    0,
    5,
    "Weight of the experts' DIAYN reward log q(z|s') − log p(z) beside the market reward (seed: 0.5; 0 = no skill reward).",
    { step: 0.05 },
  ),
  num(
    `${P}.expertLearningRate`,
    'Expert learning rate',
    D.expertLearningRate,
    1e-5,
    0.1,
    'Adam step of the experts and the discriminator.',
  ),
  int(
    `${P}.hidden`,
    'Hidden width',
    D.hidden,
    8,
    512,
    "Width of the experts' two hidden layers (actor, twin critics, discriminator).",
    { unit: 'units' },
  ),
  num(`${P}.gamma`, 'Discount γ', D.gamma, 0, 0.999, 'Discount of the experts’ soft Q-learning.', {
    step: 0.01,
  }),
  int(`${P}.batchSize`, 'Batch', D.batchSize, 8, 1024, 'Transitions per expert update.', {
    unit: 'transitions',
  }),
  num(
    `${P}.updatesPerStep`,
    'Updates per step',
    D.updatesPerStep,
    0,
    4,
    'Gradient steps per expert per env step of its phase.',
    { step: 0.05 },
  ),
  int(
    `${P}.vtraceSteps`,
    'V-trace segment',
    D.vtraceSteps,
    1,
    32,
    'Consecutive days per replayed segment whose V-trace target corrects other experts’ actions.',
    { unit: 'days' },
  ),
  num(
    `${P}.clipRho`,
    'V-trace ρ̄',
    D.clipRho,
    0.01,
    10,
    'Clip of the importance weight in V-trace’s TD terms.',
    { step: 0.1 },
  ),
  num(`${P}.clipC`, 'V-trace c̄', D.clipC, 0.01, 10, 'Clip of V-trace’s trace coefficients.', { step: 0.1 }),
  choice(
    `${P}.skillInput`,
    'Skill discriminator sees',
    D.skillInput,
    [
      { value: 'next-state', label: 'Next state s′ (DIAYN)' },
      { value: 'action', label: 'Market and action (I(a; z))' },
    ],
    "What tells the experts apart for the skill reward: DIAYN's q(k|s′), which sees the book's position, or q(k|s, a) on the market part of the state and the action (seed 002's I(a; z)), so a skill is how an expert answers the market rather than the position it holds.",
  ),
  num(
    `${P}.ownShare`,
    'Own-days share',
    D.ownShare,
    0,
    1,
    "Share of each expert's replayed segments drawn from its own days (the days it traded, or won: see Experts' own days; 0 = uniform over the shared replay).",
    { step: 0.05 },
  ),
  int(
    `${P}.bufferSize`,
    'Shared replay',
    D.bufferSize,
    64,
    1_000_000,
    'Capacity of the experts’ shared replay.',
    { unit: 'transitions' },
  ),
  num(`${P}.tau`, 'Target τ', D.tau, 0.0001, 1, 'Polyak rate of the experts’ target critics.', {
    step: 0.005,
  }),
];

export const HIER_ROUTER_FIELDS: readonly FieldSpec[] = [
  int(
    `${P}.routerInterval`,
    'Decision every n',
    D.routerInterval,
    1,
    63,
    'Days each expert the router picks trades before it picks again.',
    { unit: 'days' },
  ),
  num(
    `${P}.klLambda`,
    'Diversity bonus λ',
    D.klLambda,
    0,
    5,
    "Weight of KL(π_selected ‖ π_mean) in the router's reward (seed: 0.1).",
    { step: 0.05 },
  ),
  num(
    `${P}.entCoef`,
    'Router entropy',
    D.entCoef,
    0,
    1,
    "Entropy coefficient of the router's PPO (seed: 0.01).",
    { step: 0.005 },
  ),
  num(
    `${P}.routerLearningRate`,
    'Router learning rate',
    D.routerLearningRate,
    1e-5,
    0.1,
    "Adam step of the router's PPO.",
  ),
  int(
    `${P}.lookback`,
    'Regime lookback',
    D.lookback,
    8,
    252,
    "Days of returns the router's regime features (autocorrelation, trend, volatility) look at.",
    { unit: 'days' },
  ),
  choice(
    `${P}.encoder`,
    'Encoder',
    D.encoder,
    [
      { value: 'none', label: 'Regime features only' },
      { value: 'timesnet', label: "+ TimesNet's FFT periods" },
    ],
    "'timesnet' adds the amplitudes of the train split's top FFT periods (TimesNet's period detection) to what the router sees.",
  ),
  bool(
    `${P}.routerSeesEdge`,
    "Router sees experts' edge",
    D.routerSeesEdge,
    "Adds each expert's recent edge to what the router sees: its shadow book's (the expert trading alone) return over buy-and-hold over the last 5 and 20 days.",
  ),
  choice(
    `${P}.routerReward`,
    'Router reward',
    D.routerReward,
    [
      { value: 'benchmark', label: 'Book vs buy-and-hold' },
      { value: 'counterfactual', label: 'Chosen expert vs its peers' },
    ],
    "The router's return term over a decision: the hierarchy's book against buy-and-hold, or the chosen expert's shadow book (the expert trading alone) against the mean of every expert's on the same days, which cancels the market's own move.",
  ),
  choice(
    `${P}.ownership`,
    "Experts' own days",
    D.ownership,
    [
      { value: 'acted', label: 'Days it traded' },
      { value: 'won', label: 'Days it earned most' },
      { value: 'cluster', label: 'Days of its market cluster' },
    ],
    "Which days count as an expert's own for the Own-days share: the days it traded, or the decisions on which its shadow book (the expert trading alone) earned more than every other expert's — winner-take-all credit, so each expert learns most from where it is best — or the decisions that start in its cluster of market states (k-means of the router's regime features on the train split, one cluster per expert), so each expert learns from one kind of market.",
  ),
  num(
    `${P}.rewardScale`,
    'Reward scale',
    D.rewardScale,
    0.01,
    10_000,
    'Daily returns × this before learning, so they weigh against the skill and KL terms.',
  ),
];

export const HIER_SCHEDULE_FIELDS: readonly FieldSpec[] = [
  int(
    `${P}.routerEvery`,
    'Router update every',
    D.routerEvery,
    1,
    1000,
    'Router decisions per PPO update; the experts are frozen meanwhile (seed: 10).',
    { unit: 'decisions' },
  ),
  int(
    `${P}.expertEvery`,
    'Expert update every',
    D.expertEvery,
    1,
    1000,
    'Decisions between expert updates in the expert phase; the router is frozen (seed: 5).',
    { unit: 'decisions' },
  ),
  int(
    `${P}.populationEvery`,
    'Population step every',
    D.populationEvery,
    1,
    10_000,
    'Decisions between population (MF-PBT) steps (seed: 20 = one router + one expert phase).',
    { unit: 'decisions' },
  ),
  int(
    `${P}.pbtMembers`,
    'PBT members',
    D.pbtMembers,
    0,
    64,
    'MF-PBT population size (0 = train one hierarchy). 4 → one sub-population evolving every round; 8 → two (every 1 and 10 rounds); 16 or more (a multiple of 16) → four (1/10/25/50). In the lab the members train on a pool of member workers (cores − 1; member m in worker m mod k); in `lab train`, one after another.',
    { unit: 'members' },
  ),
  int(
    `${P}.numEnvs`,
    'Parallel episodes',
    D.numEnvs,
    1,
    64,
    'Market episodes per phase, random starts in the train split, each as long as the trading env’s Episode length.',
    { unit: 'envs' },
  ),
  int(
    `${P}.totalSteps`,
    'Training days',
    D.totalSteps,
    1,
    10_000_000,
    'Env steps (days, all episodes together) to train for.',
    { unit: 'steps' },
  ),
];

export const HIER_FIELDS: readonly FieldSpec[] = [
  ...HIER_EXPERT_FIELDS,
  ...HIER_ROUTER_FIELDS,
  ...HIER_SCHEDULE_FIELDS,
];

/** An experiment config's `hierarchical` settings (defaults filled, ranges checked by path). */
export function hierConfigOf(config: unknown): HierConfig {
  const given = (config as Record<string, unknown> | null)?.[P];
  const flat: Record<string, FieldValue> = {
    ...defaultsOf(HIER_FIELDS),
    ...((given && typeof given === 'object' ? flatten(given as Record<string, unknown>, P) : {}) as Record<
      string,
      FieldValue
    >),
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flat)) out[k.slice(P.length + 1)] = v;
  return resolveHierConfig(out as Partial<HierConfig>);
}

export const hierarchicalWorkflow: WorkflowDef = {
  id: 'hierarchical',
  title: 'Hierarchy of diverse experts',
  seed: '002',
  summary:
    "K SAC experts with a DIAYN skill reward (each expert's id is its skill) share one replay and learn from each other's days through V-trace; a maskable-PPO router picks an expert every n days from regime features (returns' autocorrelation, trend, volatility), rewarded for beating buy-and-hold plus λ·KL(π_selected ‖ π_mean). Router and experts train in alternation (router every 10 decisions, experts every 5). Evaluated per split: the hierarchy, each expert alone and buy-and-hold; which expert it chose in which market regime, and how different the experts stay (MAPD).",
  data: {
    needs: 'daily prices of one asset (the synthetic market with two planted regimes is the proof market)',
    kinds: ['embedded', 'synthetic', 'panel'],
  },
  fields: HIER_FIELDS,
  setup: [
    { id: 'data', title: 'Market', fields: [...DATA_FIELDS, ...SYNTHETIC_FIELDS, ...SPLIT_FIELDS] },
    { id: 'env', title: 'Trading env', fields: ENV_FIELDS },
    { id: 'experts', title: 'Experts (SAC + DIAYN, V-trace)', fields: HIER_EXPERT_FIELDS },
    { id: 'router', title: 'Router (maskable PPO)', fields: HIER_ROUTER_FIELDS },
    { id: 'schedule', title: 'Alternate freezing', fields: HIER_SCHEDULE_FIELDS },
  ],
  learner:
    'discrete SAC experts with a DIAYN skill reward and V-trace on a shared replay, under a maskable-PPO router (settings in Setup)',
  algorithms: [],
  results: [
    'hierarchical-usage',
    'equity',
    'metrics',
    'hierarchical-experts',
    'hierarchical-regimes',
    'hierarchical-diversity',
    'hierarchical-pbt',
    'hierarchical-periods',
    'drawdown',
    'positions',
    'learning',
  ],
  // The proof market: one synthetic asset with planted trending / mean-reverting quarters; the
  // experts see 5 days of bars; BUY = all in and SELL = all out, so the actions are target positions.
  start: {
    'data.kind': 'synthetic',
    'data.config.assets': 1,
    'data.config.days': 1500,
    'data.config.regimes': 2,
    'features.window': 5,
    'features.sma': false,
    'features.ema': false,
    'features.rsi': false,
    'features.macd': false,
    'features.atr': false,
    'features.bbands': false,
    'features.ichimoku': false,
    'features.heikinAshi': false,
    'features.supertrend': false,
    'env.buyPct': 1,
    'env.sellPct': 1,
  },
  cli: 'lab hier train',
};
