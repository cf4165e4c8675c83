/**
 * The experiment's vocabulary: every field a user can set, declared once by its dotted path in
 * the ExperimentConfig, with default, range, unit and help (fields.ts). The lab's forms, share
 * links (link.ts), sweep builders and `lab … --set` read these lists; nothing translates between
 * names. Agent defaults are the algorithms' 'standard' presets and AGENT_PRESETS their other
 * presets, in core's own names (vocabulary.test.ts checks both against the agents' config objects).
 *
 * Flat values (`Values`, path → value) are the form of an experiment that forms and links edit;
 * `configOfValues` builds the nested ExperimentConfig input from them and `valuesOfConfig` reads
 * one back. Pure: no DOM, no tfjs.
 */
import { EMBEDDED_DATASETS } from '../data/embedded.ts';
import { SYNTHETIC_DEFAULTS } from '../data/synthetic.ts';
import {
  bool,
  choice,
  date,
  int,
  intList,
  num,
  defaultsOf,
  type FieldSpec,
  type FieldValue,
  type Values,
} from './fields.ts';
import { isPlainObject } from './merge.ts';

export type AlgoId = 'a2c' | 'ppo' | 'bc' | 'iql';
export const ALGO_IDS: readonly AlgoId[] = ['a2c', 'ppo', 'bc', 'iql'];
export const ALGO_OPTIONS: readonly { value: AlgoId; label: string }[] = [
  { value: 'a2c', label: 'A2C (advantage actor-critic)' },
  { value: 'ppo', label: 'PPO (proximal policy optimisation)' },
  { value: 'bc', label: 'BC (behaviour cloning)' },
  { value: 'iql', label: 'IQL (implicit Q-learning, offline)' },
];
export const INDICATOR_KEYS = [
  'ohlcv',
  'sma',
  'ema',
  'rsi',
  'macd',
  'atr',
  'bbands',
  'ichimoku',
  'heikinAshi',
  'supertrend',
] as const;
export type IndicatorKey = (typeof INDICATOR_KEYS)[number];
export const INDICATOR_LABELS: Record<IndicatorKey, string> = {
  ohlcv: 'OHLCV',
  sma: 'SMA 10/20/50',
  ema: 'EMA 12/26',
  rsi: 'RSI 14',
  macd: 'MACD 12/26/9',
  atr: 'ATR 14',
  bbands: 'Bollinger 20/2',
  ichimoku: 'Ichimoku 9/26/52',
  heikinAshi: 'Heikin-Ashi',
  supertrend: 'Supertrend 10/3',
};

const is =
  (path: string, ...vals: FieldValue[]) =>
  (v: Values) =>
    vals.includes(v[path] ?? null);
const has = (path: string) => (v: Values) => v[path] !== undefined;

// ---- data --------------------------------------------------------------------------------------

export const DATA_FIELDS: readonly FieldSpec[] = [
  choice(
    'data.kind',
    'Data source',
    'embedded',
    [
      { value: 'embedded', label: 'Embedded dataset' },
      { value: 'synthetic', label: 'Synthetic market (seeded)' },
      { value: 'panel', label: 'My CSV files' },
    ],
    'Embedded datasets ship with the app; CSV files stay on this computer; the synthetic market is generated from its seed.',
  ),
  choice(
    'data.name',
    'Dataset',
    'sp500',
    (Object.values(EMBEDDED_DATASETS) as { name: string; title: string }[]).map((d) => ({
      value: d.name,
      label: d.title,
    })),
    'Which embedded dataset.',
    { when: is('data.kind', 'embedded') },
  ),
];

const syn = (f: FieldSpec): FieldSpec => ({ ...f, when: is('data.kind', 'synthetic') });
const S = SYNTHETIC_DEFAULTS;

/** Knobs of the seeded synthetic market (src/core/data/synthetic.ts), defaults from SYNTHETIC_DEFAULTS. */
export const SYNTHETIC_FIELDS: readonly FieldSpec[] = [
  syn(
    int('data.config.assets', 'Assets', S.assets, 1, 64, 'Number of correlated assets.', { unit: 'assets' }),
  ),
  syn(
    int(
      'data.config.days',
      'Days',
      S.days,
      60,
      20_000,
      `Length of the series in business days (from ${S.start}).`,
      { unit: 'days' },
    ),
  ),
  syn(int('data.config.seed', 'Generator seed', S.seed, 0, 2 ** 31 - 1, 'Same seed, same market.')),
  syn(
    num(
      'data.config.signalStrength',
      'Planted signal φ',
      S.signalStrength,
      0,
      0.95,
      'AR(1) coefficient of daily returns: 0 = no alpha to find, 0.1 = a faint predictable trend.',
      { step: 0.05, learn: 'planted-signal' },
    ),
  ),
  syn(
    num('data.config.drift', 'Drift', S.drift, -0.5, 0.5, 'Annual mean log return.', {
      display: { unit: '%/yr', scale: 100 },
      step: 1,
    }),
  ),
  syn(
    num('data.config.volatility', 'Volatility', S.volatility, 0.01, 2, 'Annual volatility in calm times.', {
      display: { unit: '%/yr', scale: 100 },
      step: 1,
    }),
  ),
  syn(
    num(
      'data.config.correlation',
      'Correlation',
      typeof S.correlation === 'number' ? S.correlation : 0.3,
      0,
      0.99,
      'Pairwise correlation of the asset shocks.',
      { step: 0.05 },
    ),
  ),
  syn(
    num(
      'data.config.jumpProbability',
      'Jumps',
      S.jumpProbability,
      0,
      0.2,
      'Chance of a price jump per asset and day.',
      { display: { unit: '/yr', scale: 252 }, step: 0.5 },
    ),
  ),
  syn(
    num(
      'data.config.pCalmToTurbulent',
      'Regime switching',
      S.pCalmToTurbulent,
      0,
      0.5,
      `Daily chance of a turbulent spell with ${S.turbulentMultiplier}× volatility (0 = no regimes).`,
      { step: 0.01 },
    ),
  ),
  syn(
    int(
      'data.config.regimes',
      'Return regimes',
      S.regimes,
      1,
      2,
      '1: φ throughout. 2: alternating spells where returns trend (φ + 0.3) or revert (φ − 0.3); the true regime is kept per day.',
    ),
  ),
  {
    ...int(
      'data.config.regimeLength',
      'Regime length',
      S.regimeLength,
      5,
      2_000,
      'Days of each planted trending or mean-reverting spell.',
      { unit: 'days' },
    ),
    when: (v: Values) => v['data.kind'] === 'synthetic' && v['data.config.regimes'] === 2,
  },
];

// ---- splits ------------------------------------------------------------------------------------

/** Default splits of each data source: QTMRL's dates for the daily S&P 500, 60/20/20 otherwise. */
export const DEFAULT_SPLITS: Record<
  string,
  | {
      train: { start: string; end: string };
      valid: { start: string; end: string };
      test: { start: string; end: string };
    }
  | { fractions: { train: number; valid: number } }
> = {
  sp500: {
    train: { start: '2000-01-01', end: '2010-12-31' },
    valid: { start: '2011-01-01', end: '2018-12-31' },
    test: { start: '2019-01-01', end: '2021-12-31' },
  },
  stocks: {
    train: { start: '2000-01-01', end: '2007-12-31' },
    valid: { start: '2008-01-01', end: '2008-12-31' },
    test: { start: '2009-01-01', end: '2010-12-31' },
  },
  synthetic: { fractions: { train: 0.6, valid: 0.2 } },
  panel: { fractions: { train: 0.6, valid: 0.2 } },
};

/** The default splits of a data source config. */
export function defaultSplitsFor(
  data: { kind: string; name?: string } | undefined,
): (typeof DEFAULT_SPLITS)[string] {
  const key = data === undefined ? 'sp500' : data.kind === 'embedded' ? (data.name ?? 'sp500') : data.kind;
  return structuredClone(DEFAULT_SPLITS[key] ?? DEFAULT_SPLITS.panel);
}

const dates = has('splits.train.start');
const fractions = has('splits.fractions.train');
/** Date splits or fractions of the rows; an experiment holds one set (the other is absent from its values). */
export const SPLIT_FIELDS: readonly FieldSpec[] = [
  ...(
    [
      ['train', 'Train', '2000-01-01', '2010-12-31'],
      ['valid', 'Valid', '2011-01-01', '2018-12-31'],
      ['test', 'Test', '2019-01-01', '2021-12-31'],
    ] as const
  ).flatMap(([s, label, start, end]) => [
    { ...date(`splits.${s}.start`, `${label} from`, start, `First date of the ${s} split.`), when: dates },
    { ...date(`splits.${s}.end`, `${label} to`, end, `Last date of the ${s} split.`), when: dates },
  ]),
  num(
    'splits.fractions.train',
    'Train share',
    0.6,
    0.01,
    0.98,
    'Share of the dates in the train split (the first ones).',
    { when: fractions, display: { unit: '%', scale: 100 }, step: 5 },
  ),
  num(
    'splits.fractions.valid',
    'Valid share',
    0.2,
    0.01,
    0.98,
    'Share of the dates in the valid split (test gets the rest).',
    { when: fractions, display: { unit: '%', scale: 100 }, step: 5 },
  ),
];

// ---- features ----------------------------------------------------------------------------------

export const FEATURE_FIELDS: readonly FieldSpec[] = [
  int('features.window', 'Window W', 20, 1, 250, 'Days of history the agent sees at each step.', {
    unit: 'days',
    learn: 'window',
  }),
  ...INDICATOR_KEYS.map((k) =>
    bool(`features.${k}`, INDICATOR_LABELS[k], true, `Include ${INDICATOR_LABELS[k]} in the features.`, {
      learn: `ind-${k}`,
    }),
  ),
];

// ---- env ---------------------------------------------------------------------------------------

const trading = is('envKind', 'trading');
const portfolio = is('envKind', 'portfolio');

export const ENV_FIELDS: readonly FieldSpec[] = [
  choice(
    'envKind',
    'Environment',
    'trading',
    [
      { value: 'trading', label: 'Trading (BUY/SELL/HOLD per asset)' },
      { value: 'portfolio', label: 'Portfolio (target weights)' },
    ],
    'Trading follows QTMRL (shared cash pool); Portfolio sets target weights (long-short, seed 000).',
    { learn: 'env-kind' },
  ),
  {
    ...num('env.initialCash', 'Initial cash', 1e6, 100, 1e12, 'Starting cash of every episode.', {
      unit: '$',
      step: 1000,
    }),
    when: trading,
  },
  {
    ...num('env.feeRate', 'Fee', 0.0005, 0, 0.05, 'One-sided fee on the traded amount (5 bps = 0.05%).', {
      display: { unit: 'bps', scale: 1e4 },
      step: 1,
      learn: 'fee',
    }),
    when: trading,
  },
  {
    ...num('env.slippageBps', 'Slippage', 0, 0, 500, 'Price moves against each order by this much.', {
      unit: 'bps',
      step: 1,
      learn: 'slippage',
    }),
    when: trading,
  },
  {
    ...num('env.buyPct', 'Buy fraction', 0.2, 0.01, 1, 'A BUY spends this share of the current cash.', {
      display: { unit: '%', scale: 100 },
      step: 1,
      learn: 'buy-sell',
    }),
    when: trading,
  },
  {
    ...num('env.sellPct', 'Sell fraction', 0.5, 0.01, 1, 'A SELL sells this share of the position.', {
      display: { unit: '%', scale: 100 },
      step: 1,
      learn: 'buy-sell',
    }),
    when: trading,
  },
  {
    ...bool('env.fractionalShares', 'Fractional shares', true, 'Allow fractional share quantities.'),
    when: trading,
  },
  {
    ...num(
      'env.limitPct',
      'Price limit',
      0.1,
      0.001,
      0.5,
      'Limit-up/limit-down band: no buying at +limit, no selling at −limit (empty = off).',
      { display: { unit: '%', scale: 100 }, nullMeans: 'off', step: 1, learn: 'price-limit' },
    ),
    default: null,
    when: trading,
  },
  {
    ...choice(
      'env.reward',
      'Reward',
      'return',
      [
        { value: 'return', label: 'Return P_t/P_{t−1} − 1' },
        { value: 'log', label: 'Log return' },
      ],
      'Per-step reward of the agent.',
      { learn: 'reward' },
    ),
    when: trading,
  },
  {
    ...num('env.costRate', 'Trading cost', 0.0005, 0, 0.05, 'Cost per unit of turnover (fees + slippage).', {
      display: { unit: 'bps', scale: 1e4 },
      step: 1,
      learn: 'fee',
    }),
    when: portfolio,
  },
  {
    ...num('env.maxWeight', 'Max weight', 0.2, 0.01, 1, 'Cap on each |weight|.', {
      step: 0.05,
      learn: 'max-weight',
    }),
    when: portfolio,
  },
  {
    ...num('env.holdDecay', 'Hold decay', 1, 0, 1, 'Weight kept by assets with no new signal, per day.', {
      step: 0.05,
      learn: 'hold-decay',
    }),
    when: portfolio,
  },
  {
    ...int(
      'env.episodeLength',
      'Episode length',
      252,
      2,
      1_000_000,
      'Steps per training episode from a random start inside train (empty = the whole split).',
      { unit: 'steps', nullMeans: 'whole split' },
    ),
  },
];

// ---- run ---------------------------------------------------------------------------------------

export const BACKENDS = ['auto', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

export const RUN_FIELDS: readonly FieldSpec[] = [
  choice('algo', 'Algorithm', 'a2c', ALGO_OPTIONS, 'The learning algorithm.', { learn: 'algorithms' }),
  int(
    'totalSteps',
    'Training steps',
    20_000,
    100,
    100_000_000,
    'Env steps summed over parallel envs (A2C, PPO) or gradient steps (BC, IQL).',
    { unit: 'steps', step: 1000 },
  ),
  int(
    'seed',
    'Seed',
    1,
    0,
    2 ** 31 - 1,
    'Seeds weights, sampling and envs (env i: seed + i). Same seed, config and backend → the same numbers.',
  ),
  choice(
    'backend',
    'Backend',
    'auto',
    [
      { value: 'auto', label: 'Auto (WebGPU → wasm → cpu)' },
      { value: 'webgpu', label: 'WebGPU' },
      { value: 'wasm', label: 'WebAssembly' },
      { value: 'cpu', label: 'CPU (plain JS)' },
    ],
    'Where tfjs runs (Node: auto = wasm); the one actually in use is shown beside the progress bar.',
    { learn: 'backend' },
  ),
  int(
    'eval.every',
    'Evaluate every',
    5000,
    0,
    100_000_000,
    'Env steps between validation evaluations (the live equity curve); 0 = only at the end.',
    { unit: 'steps', step: 500 },
  ),
];

// ---- agents ------------------------------------------------------------------------------------

const lr = (path: string, def: number, label = 'Learning rate') =>
  num(path, label, def, 1e-7, 1, 'Step size of the optimiser.', { step: 1e-5, learn: 'learning-rate' });
const gamma = (def: number) =>
  num('agent.gamma', 'Discount γ', def, 0, 1, 'How much future rewards count; 0.96 in QTMRL.', {
    step: 0.01,
    learn: 'gamma',
  });
const gaeLambda = (def: number) =>
  num(
    'agent.gaeLambda',
    'GAE λ',
    def,
    0,
    1,
    'Bias/variance trade-off of the advantage; 1 = plain n-step returns.',
    { step: 0.01, learn: 'gae' },
  );
const entCoef = (def: number) =>
  num('agent.entCoef', 'Entropy coef', def, 0, 1, 'Bonus for keeping the policy random (exploration).', {
    step: 0.01,
    learn: 'entropy',
  });
const vfCoef = (def: number) =>
  num('agent.vfCoef', 'Value coef', def, 0, 10, 'Weight of the critic loss in the total loss.', {
    step: 0.1,
  });
const maxGradNorm = (def: number) =>
  num(
    'agent.maxGradNorm',
    'Grad clip',
    def,
    0,
    100,
    'Gradients are rescaled to at most this global norm (0 = off).',
    { step: 0.1 },
  );
const rewardScale = num(
  'agent.rewardScale',
  'Reward scale',
  1,
  1e-3,
  1e4,
  'Rewards are multiplied by this before learning (daily returns are ~0.1%).',
  { step: 1 },
);
const numSteps = (def: number) =>
  int('agent.numSteps', 'Rollout length', def, 1, 8192, 'Env steps per env collected before each update.', {
    unit: 'steps',
  });
const numEnvs = (def: number) =>
  int(
    'agent.numEnvs',
    'Parallel envs',
    def,
    1,
    64,
    'K env copies stepped together with one batched forward pass.',
    { unit: 'envs' },
  );
const normAdv = (def: boolean) =>
  bool('agent.normAdv', 'Normalise advantages', def, 'Standardise advantages within each batch.');
const annealLr = (def: boolean) =>
  bool('agent.annealLr', 'Anneal learning rate', def, 'Decay the learning rate linearly to 0 over training.');
const useMasks = bool(
  'agent.useMasks',
  'Action masks',
  true,
  'Forbid BUY without cash and SELL without a position (maskable PPO).',
  { learn: 'action-mask' },
);
const optimizer = (def: 'rmsprop' | 'adam') =>
  choice(
    'agent.optimizer',
    'Optimizer',
    def,
    [
      { value: 'rmsprop', label: 'RMSprop' },
      { value: 'adam', label: 'Adam' },
    ],
    'RMSprop (SB3 A2C) or Adam (QTMRL, PPO).',
  );
const optimizerEps = (def: number) =>
  num(
    'agent.optimizerEps',
    'Optimizer ε',
    def,
    1e-12,
    1,
    'Numerical ε of the optimizer (SB3 RMSprop 1e-5, Adam 1e-8).',
    { step: 1e-6 },
  );
const mlp = is('agent.network.encoder', 'mlp');
const marketEncoder = is('agent.network.encoder', 'timecnn', 'transformer');
const networkFields: readonly FieldSpec[] = [
  choice(
    'agent.network.encoder',
    'Encoder',
    'mlp',
    [
      { value: 'mlp', label: 'MLP' },
      { value: 'timecnn', label: 'TimeCNN' },
      { value: 'transformer', label: 'Transformer' },
    ],
    'Network that reads the window: MLP (fastest); TimeCNN (QTMRL), computed once per (asset, day) and shared by every window; Transformer, run per window (attention does not decompose by day, so it is slower).',
    { learn: 'encoder' },
  ),
  {
    ...intList(
      'agent.network.hidden',
      'Hidden layers',
      [64, 64],
      1,
      1024,
      'Widths of the MLP trunk layers, e.g. 64,64.',
      { unit: 'units' },
    ),
    when: mlp,
  },
  {
    ...int(
      'agent.network.dModel',
      'Model width d',
      64,
      4,
      512,
      'Width D of the TimeCNN / Transformer embedding.',
      { unit: 'units' },
    ),
    when: marketEncoder,
  },
];

const offline = (def: { steps: number }): readonly FieldSpec[] => [
  choice(
    'agent.dataset.behaviour',
    'Behaviour policy',
    'random',
    [
      { value: 'random', label: 'Random' },
      { value: 'constant', label: 'Constant action' },
    ],
    'Policy rolled out in the train split to collect the offline dataset.',
  ),
  {
    ...int(
      'agent.dataset.action',
      'Constant action',
      0,
      0,
      2,
      'The constant behaviour’s action on every asset (0 HOLD, 1 BUY, 2 SELL).',
    ),
    when: is('agent.dataset.behaviour', 'constant'),
  },
  int(
    'agent.dataset.steps',
    'Dataset size',
    def.steps,
    100,
    1_000_000,
    'Transitions collected for the dataset.',
    { unit: 'steps' },
  ),
  num(
    'agent.dataset.randomMix',
    'Random-action mix',
    0.5,
    0,
    1,
    'Share of random actions mixed into the behaviour policy.',
    { step: 0.05 },
  ),
];

export const AGENT_FIELDS: Record<AlgoId, readonly FieldSpec[]> = {
  a2c: [
    lr('agent.learningRate', 7e-4),
    gamma(0.99),
    gaeLambda(1),
    entCoef(0),
    vfCoef(0.5),
    maxGradNorm(0.5),
    rewardScale,
    numSteps(5),
    numEnvs(8),
    optimizer('rmsprop'),
    optimizerEps(1e-5),
    annealLr(false),
    normAdv(false),
    useMasks,
    ...networkFields,
  ],
  ppo: [
    lr('agent.learningRate', 2.5e-4),
    annealLr(true),
    gamma(0.99),
    gaeLambda(0.95),
    num('agent.clipCoef', 'Clip ε', 0.2, 0.01, 1, 'How far one update may move the policy ratio from 1.', {
      step: 0.05,
      learn: 'ppo-clip',
    }),
    entCoef(0.01),
    vfCoef(0.5),
    maxGradNorm(0.5),
    rewardScale,
    numSteps(128),
    numEnvs(4),
    int(
      'agent.numMinibatches',
      'Minibatches',
      4,
      1,
      512,
      'Minibatches per epoch (must divide envs × rollout length).',
      { unit: 'per epoch' },
    ),
    int('agent.updateEpochs', 'Epochs', 4, 1, 50, 'Passes over each rollout.', { unit: 'passes' }),
    normAdv(true),
    bool('agent.clipVloss', 'Clip value loss', true, 'Clip the value update like the policy ratio.'),
    {
      ...num(
        'agent.targetKl',
        'Target KL',
        0.02,
        1e-4,
        1,
        'Stop the epoch loop early when the KL passes this (empty = off).',
        { step: 0.005, nullMeans: 'off' },
      ),
      default: null,
    },
    useMasks,
    ...networkFields,
  ],
  bc: [
    lr('agent.learningRate', 1e-3),
    num('agent.alpha', 'α (action CE)', 1, 0, 10, 'Weight of the cross-entropy of the action head.', {
      step: 0.1,
    }),
    num('agent.beta', 'β (strength MSE)', 1, 0, 10, 'Weight of the MSE of the position-strength head.', {
      step: 0.1,
    }),
    choice(
      'agent.imbalance',
      'Class imbalance',
      'none',
      [
        { value: 'none', label: 'None' },
        { value: 'class-weights', label: 'Class weights' },
        { value: 'oversample', label: 'Oversampling' },
        { value: 'focal', label: 'Focal loss (γ 2)' },
      ],
      'How rare actions (BUY/SELL) are kept from being ignored.',
    ),
    int(
      'agent.epochs',
      'Epochs',
      20,
      1,
      500,
      'Passes over the training set (the step budget may end training sooner).',
      { unit: 'passes' },
    ),
    int('agent.batchSize', 'Batch size', 256, 8, 4096, 'Samples per gradient step.', { unit: 'samples' }),
    num(
      'agent.valFraction',
      'Validation share',
      0.1,
      0.05,
      0.5,
      'Share of samples held out for early stopping.',
      { step: 0.05 },
    ),
    int(
      'agent.patience',
      'Early-stop patience',
      5,
      1,
      100,
      'Epochs without validation improvement before stopping.',
      { unit: 'epochs' },
    ),
    intList('agent.hidden', 'Hidden layers', [128, 128], 1, 1024, 'Widths of the hidden layers.', {
      unit: 'units',
    }),
    ...offline({ steps: 20_000 }),
  ],
  iql: [
    lr('agent.actorLearningRate', 3e-4, 'Actor learning rate'),
    lr('agent.criticLearningRate', 3e-4, 'Critic learning rate'),
    lr('agent.valueLearningRate', 3e-4, 'Value learning rate'),
    gamma(0.99),
    num(
      'agent.expectile',
      'Expectile τ',
      0.7,
      0.5,
      0.99,
      'Expectile of the value regression; higher = more optimistic.',
      { step: 0.05, learn: 'iql' },
    ),
    num('agent.beta', 'Temperature β', 3, 0, 100, 'Sharpness of the advantage weighting of the actor.', {
      step: 0.5,
    }),
    num(
      'agent.maxWeight',
      'Max exp-weight',
      100,
      1,
      1000,
      'Cap on exp(β·A) so a few samples cannot dominate.',
      { step: 10 },
    ),
    num('agent.tau', 'Target τ', 0.005, 1e-4, 1, 'Polyak rate of the target Q networks.', { step: 0.001 }),
    int('agent.batchSize', 'Batch size', 64, 8, 4096, 'Samples per gradient step.', { unit: 'samples' }),
    num(
      'agent.rewardScale',
      'Reward scale',
      1,
      1e-3,
      1e4,
      'Rewards are multiplied by this before learning.',
      { step: 1 },
    ),
    intList('agent.hidden', 'Hidden layers', [64, 64], 1, 1024, 'Widths of the hidden layers.', {
      unit: 'units',
    }),
    ...offline({ steps: 20_000 }),
  ],
};

/**
 * Presets beyond 'standard' (whose values are the field defaults), as flat values over the
 * defaults. Identical to core's a2cPresets / ppoPresets (checked by vocabulary.test.ts).
 */
export const AGENT_PRESETS: Record<AlgoId, Record<string, Values>> = {
  a2c: {
    standard: {},
    qtmrl: {
      'agent.numEnvs': 8,
      'agent.numSteps': 50,
      'agent.gamma': 0.96,
      'agent.gaeLambda': 1,
      'agent.learningRate': 1e-5,
      'agent.optimizer': 'adam',
      'agent.optimizerEps': 1e-8,
      'agent.maxGradNorm': 1,
      'agent.entCoef': 0.05,
      'agent.vfCoef': 1,
    },
  },
  ppo: {
    standard: {},
    sb3: {
      'agent.numEnvs': 1,
      'agent.numSteps': 2048,
      'agent.learningRate': 3e-4,
      'agent.annealLr': false,
      'agent.numMinibatches': 32,
      'agent.updateEpochs': 10,
      'agent.entCoef': 0,
      'agent.clipVloss': false,
    },
    qtmrl: {
      'agent.numEnvs': 8,
      'agent.numSteps': 50,
      'agent.gamma': 0.96,
      'agent.entCoef': 0.05,
      'agent.maxGradNorm': 1,
    },
  },
  bc: { standard: {} },
  iql: { standard: {}, corl: { 'agent.hidden': [256, 256], 'agent.batchSize': 256 } },
};

/**
 * The step budget an experiment gets when it names none: 20,000 env steps, but IQL counts gradient
 * updates (~750 small kernels each) and 2,000 of them fit a minute on two cores with wasm.
 */
export const DEFAULT_TOTAL_STEPS: Record<AlgoId, number> = {
  a2c: 20_000,
  ppo: 20_000,
  bc: 20_000,
  iql: 2_000,
};

export function defaultTotalSteps(algo: string): number {
  return DEFAULT_TOTAL_STEPS[algo as AlgoId] ?? 20_000;
}

/** Agent values of a preset: the field defaults with the preset's values over them. */
export function agentValues(algo: AlgoId, preset = 'standard'): Values {
  const p = AGENT_PRESETS[algo][preset];
  if (!p)
    throw new Error(`unknown ${algo} preset '${preset}' (${Object.keys(AGENT_PRESETS[algo]).join(', ')})`);
  return { ...defaultsOf(AGENT_FIELDS[algo]), ...structuredClone(p) };
}

/** The preset (if any) whose values the agent values match exactly. */
export function matchingPreset(algo: AlgoId, values: Values): string | null {
  for (const name of Object.keys(AGENT_PRESETS[algo])) {
    const full = agentValues(algo, name);
    if (
      Object.keys(full)
        .filter((k) => values[k] !== undefined)
        .every((k) => JSON.stringify(full[k]) === JSON.stringify(values[k]))
    )
      return name;
  }
  return null;
}

/** Every field that is not an agent field, in form order. */
export const COMMON_FIELDS: readonly FieldSpec[] = [
  ...DATA_FIELDS,
  ...SYNTHETIC_FIELDS,
  ...SPLIT_FIELDS,
  ...FEATURE_FIELDS,
  ...ENV_FIELDS,
  ...RUN_FIELDS,
];

const COMMON_BY_PATH = new Map(COMMON_FIELDS.map((f) => [f.path, f]));
const AGENT_BY_PATH: Record<AlgoId, Map<string, FieldSpec>> = Object.fromEntries(
  ALGO_IDS.map((a) => [a, new Map(AGENT_FIELDS[a].map((f) => [f.path, f]))]),
) as Record<AlgoId, Map<string, FieldSpec>>;

/** The spec of a path for an algorithm (common fields first), or undefined. */
export function fieldOf(path: string, algo: AlgoId): FieldSpec | undefined {
  return COMMON_BY_PATH.get(path) ?? AGENT_BY_PATH[algo]?.get(path);
}

/** Every field that applies to these values (their `when` holds), common then agent. */
export function activeFields(values: Values): FieldSpec[] {
  const algo = (values.algo ?? 'a2c') as AlgoId;
  return [...COMMON_FIELDS, ...(AGENT_FIELDS[algo] ?? [])].filter((f) => !f.when || f.when(values));
}

/** The flat values of the default experiment (the lab's Train with nothing changed, `lab train` with no flags). */
export function defaultValues(): Values {
  const v: Values = { ...defaultsOf(COMMON_FIELDS.filter((f) => !f.path.startsWith('splits.'))) };
  Object.assign(v, splitValues(defaultSplitsFor({ kind: 'embedded', name: 'sp500' })), agentValues('a2c'));
  return normalizeValues(v);
}

/** Flat values of a splits config. */
export function splitValues(splits: unknown): Values {
  return flatten({ splits }) as Values;
}

/**
 * The values with every applicable field filled (its default) and inapplicable ones dropped: after
 * switching the env kind, the data source or the encoder, the newly shown fields have values.
 */
export function normalizeValues(values: Values): Values {
  let v = { ...values };
  for (let pass = 0; pass < 3; pass++) {
    for (const f of activeFields(v))
      if (v[f.path] === undefined && !f.path.startsWith('splits.')) v[f.path] = structuredClone(f.default);
    v = pruneInactive(v);
  }
  return v;
}

/** Drops values whose field does not apply (another env kind's settings, synthetic knobs for embedded data). */
export function pruneInactive(values: Values): Values {
  const active = new Set(activeFields(values).map((f) => f.path));
  return Object.fromEntries(Object.entries(values).filter(([k]) => active.has(k) || !isDeclared(k)));
}

/** Declared by a common field or by any algorithm's agent fields. */
function isDeclared(path: string): boolean {
  return COMMON_BY_PATH.has(path) || ALGO_IDS.some((a) => AGENT_BY_PATH[a].has(path));
}

/** Dotted leaves of a nested object (arrays and null are leaves). */
export function flatten(obj: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(v) && Object.keys(v).length > 0) Object.assign(out, flatten(v, p));
    else out[p] = v;
  }
  return out;
}

/** The nested object of dotted leaves (inverse of flatten). */
export function unflatten(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, v] of Object.entries(values)) {
    const parts = path.split('.');
    let o = out;
    for (const p of parts.slice(0, -1)) {
      if (!isPlainObject(o[p])) o[p] = {};
      o = o[p] as Record<string, unknown>;
    }
    o[parts[parts.length - 1]] = v;
  }
  return out;
}

/** The ExperimentConfig input these flat values describe (what runs; what config files hold). */
export function configOfValues(values: Values): Record<string, unknown> {
  return unflatten(pruneInactive(values));
}

/**
 * The flat values of a config (input or resolved): the declared fields it sets. Indicator lists
 * read as on/off (a resolved config spells `features.sma: [10, 20, 50]`).
 */
export function valuesOfConfig(config: Record<string, unknown>): Values {
  const algo = (config.algo ?? 'a2c') as AlgoId;
  const flat = flatten(config);
  const out: Values = {};
  for (const [path, v] of Object.entries(flat)) {
    const f = fieldOf(path, algo);
    if (!f) continue;
    if (f.kind === 'bool' && path.startsWith('features.') && typeof v !== 'boolean')
      out[path] = Array.isArray(v) ? v.length > 0 : v !== null && v !== false;
    else out[path] = v as FieldValue;
  }
  // Indicator objects (macd: {fast, …}) flatten to deeper paths; read them as on.
  for (const k of INDICATOR_KEYS) {
    const prefix = `features.${k}.`;
    if (out[`features.${k}`] === undefined && Object.keys(flat).some((p) => p.startsWith(prefix)))
      out[`features.${k}`] = true;
  }
  return out;
}
