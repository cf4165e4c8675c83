import { bool, choice, int, num, type DateField, type FieldSpec } from './fields.ts';

/** Where the market data comes from. `csv` = files the user loaded (not reproducible from a link). */
export type DataSource = 'sp500' | 'stocks' | 'synthetic' | 'csv';

export const DATA_FIELDS: readonly FieldSpec[] = [
  choice<DataSource>(
    'data',
    'Dataset',
    'sp500',
    [
      { value: 'sp500', label: 'S&P 500 daily 2000–2020' },
      { value: 'stocks', label: '5 stocks, monthly 2000–2010' },
      { value: 'synthetic', label: 'Synthetic market (seeded)' },
      { value: 'csv', label: 'My CSV files' },
    ],
    'Embedded datasets ship with the app; CSV files stay on this computer.',
  ),
];

/** Knobs of the seeded synthetic market generator (src/core/data/synthetic.ts). */
export const SYNTHETIC_FIELDS: readonly FieldSpec[] = [
  int('syn.assets', 'Assets', 4, 1, 32, 'Number of correlated assets.', { unit: 'assets' }),
  int('syn.days', 'Days', 2500, 60, 20000, 'Length of the series in business days (from 2000-01-03).', {
    unit: 'days',
  }),
  int('syn.seed', 'Generator seed', 7, 0, 2 ** 31 - 1, 'Same seed, same market.'),
  num(
    'syn.signal',
    'Planted signal φ',
    0,
    0,
    0.95,
    'AR(1) coefficient of daily returns: 0 = no alpha to find, 0.1 = a faint predictable trend.',
    {
      step: 0.05,
      learn: 'planted-signal',
    },
  ),
  num('syn.drift', 'Drift', 5, -50, 50, 'Annual mean log return.', { unit: '%/yr', step: 1 }),
  num('syn.vol', 'Volatility', 20, 1, 200, 'Annual volatility in calm times.', { unit: '%', step: 1 }),
  num('syn.corr', 'Correlation', 0.3, 0, 0.99, 'Pairwise correlation of the asset shocks.', { step: 0.05 }),
  num('syn.jumps', 'Jumps per year', 2.5, 0, 50, 'Average number of price jumps per asset and year.', {
    unit: '/yr',
    step: 0.5,
  }),
  bool(
    'syn.regimes',
    'Regime switching',
    true,
    'Turbulent spells with 2.5× volatility (about one every 50 days).',
  ),
];

const date = (key: string, label: string, def: string, help: string): DateField => ({
  kind: 'date',
  key,
  label,
  default: def,
  help,
});

/** Date splits (QTMRL defaults; each dataset proposes its own, see DATASET_SPLITS). */
export const SPLIT_FIELDS: readonly FieldSpec[] = [
  date('train.start', 'Train from', '2000-01-01', 'First date of the training split.'),
  date('train.end', 'Train to', '2010-12-31', 'Last date of the training split.'),
  date('valid.start', 'Valid from', '2011-01-01', 'First date of the validation split.'),
  date('valid.end', 'Valid to', '2018-12-31', 'Last date of the validation split.'),
  date('test.start', 'Test from', '2019-01-01', 'First date of the test split.'),
  date('test.end', 'Test to', '2021-12-31', 'Last date of the test split.'),
];

export const INDICATORS = [
  { key: 'ohlcv', label: 'OHLCV' },
  { key: 'sma', label: 'SMA 10/20/50' },
  { key: 'ema', label: 'EMA 12/26' },
  { key: 'rsi', label: 'RSI 14' },
  { key: 'macd', label: 'MACD 12/26/9' },
  { key: 'atr', label: 'ATR 14' },
  { key: 'bbands', label: 'Bollinger 20/2' },
  { key: 'ichimoku', label: 'Ichimoku 9/26/52' },
  { key: 'heikinAshi', label: 'Heikin-Ashi' },
  { key: 'supertrend', label: 'Supertrend 10/3' },
] as const;
export type IndicatorKey = (typeof INDICATORS)[number]['key'];

export const FEATURE_FIELDS: readonly FieldSpec[] = [
  int('window', 'Window W', 20, 1, 250, 'Days of history the agent sees at each step.', {
    unit: 'days',
    learn: 'window',
  }),
  ...INDICATORS.map((i) =>
    bool(`ind.${i.key}`, i.label, true, `Include ${i.label} in the features.`, { learn: `ind-${i.key}` }),
  ),
];

export const ENV_FIELDS: readonly FieldSpec[] = [
  choice(
    'env',
    'Environment',
    'trading',
    [
      { value: 'trading', label: 'Trading (BUY/SELL/HOLD per asset)' },
      { value: 'portfolio', label: 'Portfolio (target weights)' },
    ],
    'Trading follows QTMRL; Portfolio sets target weights (long-short).',
    { learn: 'env-kind' },
  ),
  num('initialCash', 'Initial cash', 100_000, 100, 1e9, 'Starting cash of every episode.', {
    unit: '$',
    step: 1000,
  }),
  num('feeBps', 'Fee', 5, 0, 500, 'One-sided fee on the traded amount (5 bps = 0.05%).', {
    unit: 'bps',
    step: 1,
    learn: 'fee',
  }),
  num('slippageBps', 'Slippage', 0, 0, 500, 'Price moves against each order by this much.', {
    unit: 'bps',
    step: 1,
    learn: 'slippage',
  }),
  num('buyPct', 'Buy fraction', 20, 1, 100, 'A BUY spends this share of the current cash.', {
    unit: '%',
    step: 1,
    learn: 'buy-sell',
  }),
  num('sellPct', 'Sell fraction', 50, 1, 100, 'A SELL sells this share of the position.', {
    unit: '%',
    step: 1,
    learn: 'buy-sell',
  }),
  bool('fractional', 'Fractional shares', true, 'Allow fractional share quantities.'),
  num(
    'limitPct',
    'Price limit',
    0,
    0,
    50,
    'Limit-up/limit-down band: no buying at +limit, no selling at −limit (0 = off).',
    {
      unit: '%',
      step: 1,
      learn: 'price-limit',
    },
  ),
  num('maxWeight', 'Max weight', 0.2, 0.01, 1, 'Portfolio env: cap on each |weight|.', {
    step: 0.05,
    learn: 'max-weight',
  }),
  num('holdDecay', 'Hold decay', 1, 0, 1, 'Portfolio env: weight kept by assets with no new signal.', {
    step: 0.05,
    learn: 'hold-decay',
  }),
  choice(
    'reward',
    'Reward',
    'return',
    [
      { value: 'return', label: 'Return P_t/P_{t−1} − 1' },
      { value: 'log', label: 'Log return' },
    ],
    'Per-step reward of the agent.',
    { learn: 'reward' },
  ),
  int(
    'episodeLen',
    'Episode length',
    252,
    10,
    100_000,
    'Steps per training episode (random start inside train).',
    {
      unit: 'steps',
    },
  ),
];

export const TRAIN_FIELDS: readonly FieldSpec[] = [
  int(
    'steps',
    'Training steps',
    20_000,
    100,
    10_000_000,
    'Env steps summed over parallel envs (A2C, PPO) or gradient steps (BC, IQL).',
    { unit: 'steps', step: 1000 },
  ),
  int('seed', 'Seed', 42, 0, 2 ** 31 - 1, 'Same seed, config and backend → the same numbers.'),
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
    'Where tfjs runs; the one actually in use is shown beside the progress bar.',
    { learn: 'backend' },
  ),
  int('evalEvery', 'Evaluate every', 5000, 100, 1_000_000, 'Validation equity curve refresh interval.', {
    unit: 'steps',
    step: 500,
  }),
];

/** Default splits of each embedded dataset (QTMRL for the daily S&P; a 60/20/20 cut for the others). */
export const DATASET_SPLITS: Record<Exclude<DataSource, 'csv'>, Record<string, string>> = {
  sp500: {
    'train.start': '2000-01-01',
    'train.end': '2010-12-31',
    'valid.start': '2011-01-01',
    'valid.end': '2018-12-31',
    'test.start': '2019-01-01',
    'test.end': '2021-12-31',
  },
  stocks: {
    'train.start': '2000-01-01',
    'train.end': '2007-12-31',
    'valid.start': '2008-01-01',
    'valid.end': '2008-12-31',
    'test.start': '2009-01-01',
    'test.end': '2010-12-31',
  },
  // The generator's calendar starts 2000-01-03 (business days); 2500 days ≈ 2000–2009.
  synthetic: {
    'train.start': '2000-01-01',
    'train.end': '2005-12-31',
    'valid.start': '2006-01-01',
    'valid.end': '2007-12-31',
    'test.start': '2008-01-01',
    'test.end': '2030-12-31',
  },
};
