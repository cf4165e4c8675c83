/**
 * Seed 000 as a workflow of the lab: its declaration (what it is, its data, its setup fields, its
 * result sections, its CLI) in the shape of src/core/workflows/registry.ts, ready to join
 * `WORKFLOWS` there, and its config fields declared once (default, range, unit, help) so the
 * lab's forms, share links and `lab kol` read the same vocabulary.
 *
 * Registered in WORKFLOWS; its runner (kol/runner.ts) trains residual IQL from these fields, so
 * `algorithms` is empty (the learner is set by the workflow's own fields). This module stays light:
 * the page imports it through the registry (no lexicons, no tfjs).
 */
import { choice, int, num, type FieldSpec, type Values } from '../experiment/fields.ts';
import { DATA_FIELDS, SYNTHETIC_FIELDS } from '../experiment/vocabulary.ts';
import type { WorkflowDef } from '../workflows/types.ts';
import { DEFAULT_KOL_PREPARE, type KolPrepareConfig } from './prepare.ts';
import { DEFAULT_SCORER, SCORERS, type ScorerName } from './scorerNames.ts';
import { DEFAULT_KOL_RESIDUAL, type KolResidualConfig } from './residualConfig.ts';
import { KOL_SYNTHETIC_DEFAULTS, type KolSyntheticConfig } from './synthetic.ts';

const P = DEFAULT_KOL_PREPARE;
const G = KOL_SYNTHETIC_DEFAULTS;
const fractions = P.split.kind === 'fractions' ? P.split : { train: 0.6, valid: 0.2 };

/** The baseline book and the join rules. */
export const KOL_BOOK_FIELDS: readonly FieldSpec[] = [
  num(
    'kol.maxWeight',
    'Max weight per ticker',
    P.maxWeight,
    0.01,
    1,
    'Cap on each |weight| after normalisation; the capped mass stays in cash.',
    { step: 0.01, learn: 'kol-book' },
  ),
  num(
    'kol.holdDecay',
    'Hold decay',
    P.holdDecay,
    0,
    1,
    "A ticker not mentioned today keeps yesterday's weight × this (1 = keep, 0 = close).",
    { step: 0.05, learn: 'kol-book' },
  ),
  num('kol.fee', 'Fee', P.feeRate, 0, 0.01, 'Cost per unit of traded value, charged on turnover.', {
    display: { unit: 'bps', scale: 1e4 },
  }),
  choice(
    'kol.scorer',
    'Text scorer',
    DEFAULT_SCORER as ScorerName,
    SCORERS.map((s) => ({
      value: s,
      label: s === 'afinn-fin' ? 'AFINN + finance words (default)' : 'VADER (social media)',
    })),
    'Lexicon that scores posts given as text; rough on financial text (see Learn).',
    { learn: 'kol-scorer' },
  ),
  choice(
    'kol.dateOnly',
    'Posts without a time',
    P.dateOnly,
    [
      { value: 'before-close', label: 'count on their date' },
      { value: 'after-close', label: 'count on the next trading day' },
    ],
    'Posts at or after the 16:00 close always count for the next trading day.',
  ),
  num(
    'kol.split.train',
    'Train share',
    fractions.train,
    0.05,
    0.95,
    'Share of the days with posts in the train split (by date).',
    { step: 0.05 },
  ),
  num(
    'kol.split.valid',
    'Valid share',
    fractions.valid,
    0,
    0.9,
    'Share of the days with posts in the valid split; test is the rest.',
    { step: 0.05 },
  ),
];

const gen = (f: FieldSpec): FieldSpec => ({
  ...f,
  when: (v: Values) => (v['kol.signals'] ?? 'synthetic') === 'synthetic',
});

/** Where the posts come from, and the synthetic generator's knobs. */
export const KOL_SIGNAL_FIELDS: readonly FieldSpec[] = [
  choice(
    'kol.signals',
    'Posts',
    'synthetic',
    [
      { value: 'synthetic', label: 'Synthetic posts (seeded)' },
      { value: 'file', label: 'My signals CSV' },
    ],
    'A signals CSV (date, ticker, sentiment + confidence or text), or seeded synthetic posts over the prices.',
  ),
  gen(int('kol.synthetic.seed', 'Seed', G.seed, 0, 2 ** 31 - 1, 'Seed of the synthetic posts.')),
  gen(
    num(
      'kol.synthetic.postsPerDay',
      'Posts per day',
      G.postsPerDay,
      0.1,
      100,
      'Mean posts per trading day (Poisson).',
      { unit: 'posts' },
    ),
  ),
  gen(
    int(
      'kol.synthetic.tickers',
      'Tickers covered',
      G.tickers,
      0,
      1000,
      'How many of the tickers the posts cover; 0 = all.',
    ),
  ),
  gen(
    num(
      'kol.synthetic.accuracy',
      'Sign accuracy',
      G.accuracy,
      0,
      1,
      "Probability a post's sentiment sign matches the next-day return (0.5 = uninformative).",
      { step: 0.01 },
    ),
  ),
  gen(
    num(
      'kol.synthetic.tickerSpread',
      'Accuracy spread across tickers',
      G.tickerSpread,
      0,
      0.5,
      "Tickers' sign accuracies spread evenly over accuracy ± this (0 = every ticker alike): the edge a residual that sees the ticker can learn.",
      { step: 0.01 },
    ),
  ),
  gen(
    num(
      'kol.synthetic.calibration',
      'Calibration',
      G.calibration,
      0,
      1,
      'How much more often confident posts are right.',
      { step: 0.05 },
    ),
  ),
  gen(
    num('kol.synthetic.noise', 'Noise', G.noise, 0, 10, 'Std of Gaussian noise on the sentiment.', {
      step: 0.05,
    }),
  ),
  gen(
    num(
      'kol.synthetic.afterClose',
      'After-close share',
      G.afterClose,
      0,
      1,
      'Share of posts published after the previous close or on a weekend.',
      { step: 0.05 },
    ),
  ),
  gen(
    num(
      'kol.synthetic.textFraction',
      'Text-only share',
      G.textFraction,
      0,
      1,
      'Share of posts given as text only (scored by the lexicon).',
      { step: 0.05 },
    ),
  ),
];

const R = DEFAULT_KOL_RESIDUAL;

/** The residual policy (residual IQL): one declaration each, defaults from residualConfig.ts. */
export const KOL_RESIDUAL_FIELDS: readonly FieldSpec[] = [
  num(
    'kol.fidelityLambda',
    'Fidelity λ',
    R.fidelityLambda,
    0,
    1e6,
    'Penalty λ·(policy − baseline)² on the policy: 0 lets the critic move it, 1 halfway, 1e6 holds it at the baseline.',
    { learn: 'kol-residual' },
  ),
  num(
    'kol.residualScale',
    'Residual scale',
    R.residualScale,
    0,
    0.95,
    'Action = baseline·(1 + scale·tanh δ): each ticker-day scaled by at most ± this, never flipped.',
    { step: 0.05, learn: 'kol-residual' },
  ),
  int(
    'kol.bcEpochs',
    'BC epochs',
    R.bcEpochs,
    0,
    20,
    'Behaviour-cloning passes towards the baseline before IQL.',
  ),
  int('kol.steps', 'IQL updates', R.steps, 1, 100_000, 'Gradient updates of residual IQL.'),
  int(
    'kol.explore',
    'Counterfactual copies',
    R.explore,
    0,
    16,
    'Perturbed copies of each train ticker-day, with the exact reward of that weight (0 = the baseline only: nothing to learn).',
  ),
  choice(
    'kol.reward',
    'Reward',
    R.reward,
    [
      { value: 'book', label: "The book's gain (gross-neutral, fees)" },
      { value: 'ticker', label: 'Weight × next-day return (the seed)' },
    ],
    "What a transition's reward measures.",
  ),
  num(
    'kol.beta',
    'Advantage temperature β',
    R.beta,
    0,
    50,
    'Inverse temperature of the advantage weights, in standard deviations of the advantages.',
    { step: 0.5 },
  ),
  int(
    'kol.textDim',
    'Text embedding size',
    R.textDim,
    1,
    256,
    'Dimension of the hashed n-gram embedding of the posts.',
  ),
];

export const KOL_FIELDS: readonly FieldSpec[] = [
  ...KOL_SIGNAL_FIELDS,
  ...KOL_BOOK_FIELDS,
  ...KOL_RESIDUAL_FIELDS,
];

/** The workflow's declaration (registered in core/workflows/registry.ts; its runner is kol/runner.ts). */
export const kolWorkflow: WorkflowDef = {
  id: 'kol',
  title: 'Opinion leaders (KOL)',
  seed: '000',
  summary:
    "Opinion-leader posts become a faithful long-short book: each mentioned ticker gets tanh(2·sentiment·confidence), unmentioned tickers keep yesterday's weight × hold decay, gross exposure ≤ 1 and each weight ≤ max weight. A bounded residual learned offline (BC, then IQL with a fidelity penalty) scales the book by at most ± the residual scale without ever flipping it. Evaluated on train/valid/test against the baseline book and buy-and-hold of the same tickers.",
  data: {
    needs: 'daily prices of the tickers the posts name, and a signals CSV (or synthetic posts)',
    kinds: ['embedded', 'synthetic', 'panel'],
  },
  fields: KOL_FIELDS,
  setup: [
    { id: 'data', title: 'Prices', fields: [...DATA_FIELDS, ...SYNTHETIC_FIELDS] },
    { id: 'signals', title: 'Posts', fields: KOL_SIGNAL_FIELDS },
    { id: 'book', title: 'Baseline book', fields: KOL_BOOK_FIELDS },
    { id: 'residual', title: 'Residual policy', fields: KOL_RESIDUAL_FIELDS },
  ],
  postsSource: 'kol.signals',
  learner: 'BC warm start, then IQL on the residual with a fidelity penalty (settings in Setup)',
  algorithms: [],
  results: ['equity', 'drawdown', 'metrics', 'positions', 'learning', 'kol-deviation', 'kol-decisions'],
  // A long-short book needs several tickers: eight synthetic ones (as `lab kol prepare`'s default).
  start: { 'data.kind': 'synthetic', 'data.config.assets': 8 },
  cli: 'lab kol prepare',
};

/** Flat field values (defaults filled in) → the prepare config and the synthetic generator's config. */
export function kolConfigFromValues(values: Values): {
  prepare: Partial<KolPrepareConfig>;
  synthetic: Partial<KolSyntheticConfig> | null;
  scorer: ScorerName;
} {
  const v = (path: string) => {
    const f = KOL_FIELDS.find((x) => x.path === path)!;
    return values[path] ?? f.default;
  };
  const synthetic =
    v('kol.signals') === 'synthetic'
      ? {
          seed: v('kol.synthetic.seed') as number,
          postsPerDay: v('kol.synthetic.postsPerDay') as number,
          tickers: v('kol.synthetic.tickers') as number,
          accuracy: v('kol.synthetic.accuracy') as number,
          calibration: v('kol.synthetic.calibration') as number,
          tickerSpread: v('kol.synthetic.tickerSpread') as number,
          noise: v('kol.synthetic.noise') as number,
          afterClose: v('kol.synthetic.afterClose') as number,
          textFraction: v('kol.synthetic.textFraction') as number,
        }
      : null;
  return {
    prepare: {
      maxWeight: v('kol.maxWeight') as number,
      holdDecay: v('kol.holdDecay') as number,
      feeRate: v('kol.fee') as number,
      dateOnly: v('kol.dateOnly') as KolPrepareConfig['dateOnly'],
      split: {
        kind: 'fractions',
        train: v('kol.split.train') as number,
        valid: v('kol.split.valid') as number,
      },
    },
    synthetic,
    scorer: v('kol.scorer') as ScorerName,
  };
}

/** Flat field values → the residual's settings (the run's seed trains it). */
export function kolResidualFromValues(values: Values, seed: number): KolResidualConfig {
  const v = (path: string) => {
    const f = KOL_FIELDS.find((x) => x.path === path)!;
    return values[path] ?? f.default;
  };
  return {
    ...DEFAULT_KOL_RESIDUAL,
    hidden: [...DEFAULT_KOL_RESIDUAL.hidden],
    seed,
    fidelityLambda: v('kol.fidelityLambda') as number,
    residualScale: v('kol.residualScale') as number,
    bcEpochs: v('kol.bcEpochs') as number,
    steps: v('kol.steps') as number,
    explore: v('kol.explore') as number,
    reward: v('kol.reward') as KolResidualConfig['reward'],
    beta: v('kol.beta') as number,
    textDim: v('kol.textDim') as number,
  };
}
