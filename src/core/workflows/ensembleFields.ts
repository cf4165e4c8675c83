/**
 * Seed 004's `ensemble` workflow settings, each declared once under `ensemble.*` (pure, no tfjs:
 * the page reads them through registry.ts). The runner is ./ensembleRunner.ts.
 */
import { DEFAULT_ENSEMBLE } from '../ensemble/ensemble.ts';
import { DEFAULT_FINETUNE, DEFAULT_POLICY_TRAIN } from '../ensemble/policyConfig.ts';
import { choice, int, num, type FieldSpec } from '../experiment/fields.ts';

const V = DEFAULT_ENSEMBLE.vote;
const B = DEFAULT_POLICY_TRAIN;
const P = DEFAULT_FINETUNE;

export const ENSEMBLE_FIELDS: readonly FieldSpec[] = [
  num(
    'ensemble.threshold',
    'Vote threshold',
    V.threshold,
    0.01,
    1,
    'BUY/SELL when the weighted net vote reaches ±this; HOLD otherwise.',
    { step: 0.05 },
  ),
  num(
    'ensemble.weightTechnical',
    'Technical weight',
    V.weights.technical,
    0,
    10,
    'Weight of the RSI/MACD/Bollinger analyst in the vote.',
    { step: 0.5 },
  ),
  num(
    'ensemble.weightNews',
    'News weight',
    V.weights.news,
    0,
    10,
    'Weight of the news analyst (it abstains without news).',
    { step: 0.5 },
  ),
  int(
    'ensemble.bcSeeds',
    'BC seeds',
    1,
    1,
    9,
    'BC policies trained from consecutive seeds; with more than one the 4th analyst is their seed ensemble (majority action, mean strength).',
  ),
  choice(
    'ensemble.news',
    'News analyst reads',
    'none',
    [
      { value: 'none', label: 'nothing (abstains)' },
      { value: 'synthetic', label: 'synthetic news (synthetic market)' },
      { value: 'file', label: 'my signals CSV (Data panel)' },
    ],
    "The news analyst's posts: none (it abstains), sentiment drawn from the synthetic market's planted signal, or the signals CSV loaded in the Data panel.",
  ),
  num(
    'ensemble.fee',
    'Fee',
    DEFAULT_ENSEMBLE.fee,
    0,
    0.05,
    'Fee per traded notional, each side, for every strategy.',
    { display: { unit: 'bps', scale: 1e4 }, step: 1 },
  ),
  int(
    'ensemble.bcEpochs',
    'BC epochs',
    B.epochs,
    1,
    500,
    'Most passes of behaviour cloning over the train rows.',
    { unit: 'epochs' },
  ),
  int(
    'ensemble.bcPatience',
    'Early-stop patience',
    B.patience,
    0,
    100,
    'Epochs without a lower validation loss before BC stops (0: never); the best epoch is kept.',
    { unit: 'epochs' },
  ),
  num(
    'ensemble.bcDropout',
    'BC dropout',
    B.dropout,
    0,
    0.9,
    'Dropout after each hidden layer while training (the seed: 0.1–0.4 against overfitting).',
    { step: 0.05 },
  ),
  num(
    'ensemble.bcLearningRate',
    'BC learning rate',
    B.learningRate,
    1e-6,
    1,
    'Adam step size of behaviour cloning.',
  ),
  int('ensemble.bcBatchSize', 'BC batch size', B.batchSize, 1, 4096, 'Rows per BC gradient step.', {
    unit: 'rows',
  }),
  choice(
    'ensemble.imbalance',
    'Class imbalance',
    B.imbalance,
    [
      { value: 'none', label: 'None' },
      { value: 'class-weights', label: 'Class weights' },
      { value: 'oversample', label: 'Oversample' },
      { value: 'focal', label: 'Focal loss' },
    ],
    'How BC counters a skewed HOLD/BUY/SELL mix.',
  ),
  num(
    'ensemble.rlWeight',
    'RL analyst weight',
    1,
    0,
    10,
    'Weight of the BC policy’s vote as the ensemble’s 4th analyst.',
    { step: 0.5 },
  ),
  int(
    'ensemble.ppoSteps',
    'PPO steps',
    P.totalSteps,
    0,
    10_000_000,
    'Env steps of PPO fine-tuning (and of PPO from scratch, the same budget); 0 skips both.',
    { unit: 'steps', step: 1024 },
  ),
  num(
    'ensemble.ppoLearningRate',
    'PPO learning rate',
    P.learningRate,
    1e-7,
    1,
    'Adam step size of PPO (small: fine-tuning starts from BC).',
  ),
  int(
    'ensemble.ppoEpisodeLength',
    'PPO episode length',
    P.episodeLength,
    2,
    100_000,
    'Rows per PPO training episode (random windows of the train split, starting in cash).',
    { unit: 'days' },
  ),
];
