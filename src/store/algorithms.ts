import { bool, choice, int, num, type FieldSpec, type Values } from './fields.ts';

/**
 * Hyperparameter schemas of the four algorithms: defaults, ranges, units and a one-line
 * explanation per field. The Agent form and the URL hash are generated from these lists.
 * Defaults follow ../shared/research/algorithms.md (QTMRL seed 003 for A2C, SB3/CleanRL otherwise).
 */
export type AlgoId = 'a2c' | 'ppo' | 'bc' | 'iql';

/**
 * Algorithms core's run loop registers (src/core/run/algorithms.ts; a unit test keeps this list in
 * step). The others have forms but cannot be trained from the lab yet; Train says so.
 */
export const TRAINABLE_ALGOS: readonly AlgoId[] = ['a2c', 'ppo', 'bc', 'iql'];

export const ALGO_OPTIONS: readonly { value: AlgoId; label: string }[] = [
  { value: 'a2c', label: 'A2C (advantage actor-critic)' },
  { value: 'ppo', label: 'PPO (proximal policy optimisation)' },
  { value: 'bc', label: 'BC (behaviour cloning)' },
  { value: 'iql', label: 'IQL (implicit Q-learning, offline)' },
];

const encoder = choice(
  'encoder',
  'Encoder',
  'mlp',
  [
    { value: 'mlp', label: 'MLP' },
    { value: 'timecnn', label: 'TimeCNN' },
    { value: 'transformer', label: 'Transformer' },
  ],
  'Network that reads the window of features: MLP (fastest), TimeCNN (QTMRL), Transformer.',
  { learn: 'encoder' },
);
const hidden = int('hidden', 'Hidden size', 64, 4, 512, 'Width of the hidden layers (d_model).', {
  unit: 'units',
});
const numEnvs = int(
  'numEnvs',
  'Parallel envs',
  8,
  1,
  64,
  'K env copies stepped together with one batched forward pass.',
  {
    unit: 'envs',
  },
);
const gamma = num('gamma', 'Discount γ', 0.99, 0, 1, 'How much future rewards count; 0.96 in QTMRL.', {
  step: 0.01,
  learn: 'gamma',
});
const lr = (def: number) =>
  num('lr', 'Learning rate', def, 1e-7, 1, 'Step size of the optimiser.', {
    step: 1e-5,
    learn: 'learning-rate',
  });
const entCoef = (def: number) =>
  num('entCoef', 'Entropy coef', def, 0, 1, 'Bonus for keeping the policy random (exploration).', {
    step: 0.01,
    learn: 'entropy',
  });
const vfCoef = (def: number) =>
  num('vfCoef', 'Value coef', def, 0, 10, 'Weight of the critic loss in the total loss.', { step: 0.1 });
const maxGradNorm = (def: number) =>
  num(
    'maxGradNorm',
    'Grad clip',
    def,
    0,
    100,
    'Gradients are rescaled to at most this global norm (0 = off).',
    { step: 0.1 },
  );

const optimizer = choice(
  'optimizer',
  'Optimizer',
  'rmsprop',
  [
    { value: 'rmsprop', label: 'RMSprop' },
    { value: 'adam', label: 'Adam' },
  ],
  'RMSprop (SB3 A2C) or Adam (QTMRL preset).',
);
/** Offline algorithms learn from a dataset collected by rolling out a behaviour policy in the train split. */
const offlineDataFields: readonly FieldSpec[] = [
  choice(
    'behaviour',
    'Behaviour policy',
    'random',
    [
      { value: 'random', label: 'Random' },
      { value: 'constant', label: 'Constant action' },
    ],
    'Policy rolled out in the train split to collect the offline dataset.',
  ),
  choice(
    'action',
    'Constant action',
    '0',
    [
      { value: '0', label: 'HOLD' },
      { value: '1', label: 'BUY' },
      { value: '2', label: 'SELL' },
    ],
    'The constant behaviour’s action on every asset.',
  ),
  int('datasetSteps', 'Dataset size', 20_000, 100, 1_000_000, 'Transitions collected for the dataset.', {
    unit: 'steps',
  }),
  num(
    'randomMix',
    'Random-action mix',
    0.5,
    0,
    1,
    'Share of random actions mixed into the behaviour policy.',
    { step: 0.05 },
  ),
];
const rewardScale = num(
  'rewardScale',
  'Reward scale',
  1,
  1e-3,
  1e4,
  'Rewards are multiplied by this before learning (daily returns are ~0.1%).',
  { step: 1 },
);
const normAdv = (def: boolean) =>
  bool('normAdv', 'Normalise advantages', def, 'Standardise advantages within each batch.');
const masks = bool(
  'masks',
  'Action masks',
  true,
  'Forbid BUY without cash and SELL without a position (maskable PPO).',
  { learn: 'action-mask' },
);
const numSteps = (def: number) =>
  int('nSteps', 'Rollout length', def, 1, 8192, 'Env steps per env collected before each update.', {
    unit: 'steps',
  });

export const ALGO_FIELDS: Record<AlgoId, readonly FieldSpec[]> = {
  a2c: [
    lr(7e-4),
    gamma,
    num(
      'gaeLambda',
      'GAE λ',
      1,
      0,
      1,
      'Bias/variance trade-off of the advantage; 1 = plain n-step returns.',
      { step: 0.01, learn: 'gae' },
    ),
    entCoef(0),
    vfCoef(0.5),
    maxGradNorm(0.5),
    rewardScale,
    numSteps(5),
    numEnvs,
    optimizer,
    normAdv(false),
    masks,
    encoder,
    hidden,
  ],
  ppo: [
    lr(2.5e-4),
    bool('annealLr', 'Anneal learning rate', true, 'Decay the learning rate linearly to 0 over training.'),
    gamma,
    num('gaeLambda', 'GAE λ', 0.95, 0, 1, 'Bias/variance trade-off of the advantage estimate.', {
      step: 0.01,
      learn: 'gae',
    }),
    num('clip', 'Clip ε', 0.2, 0.01, 1, 'How far one update may move the policy ratio from 1.', {
      step: 0.05,
      learn: 'ppo-clip',
    }),
    entCoef(0.01),
    vfCoef(0.5),
    maxGradNorm(0.5),
    rewardScale,
    numSteps(128),
    { ...numEnvs, default: 4 },
    int(
      'minibatches',
      'Minibatches',
      4,
      1,
      512,
      'Minibatches per epoch (must divide envs × rollout length).',
      { unit: 'per epoch' },
    ),
    int('epochs', 'Epochs', 4, 1, 50, 'Passes over each rollout.', { unit: 'passes' }),
    normAdv(true),
    bool('clipVloss', 'Clip value loss', true, 'Clip the value update like the policy ratio.'),
    num('targetKl', 'Target KL', 0, 0, 1, 'Stop the epoch loop early when the KL passes this (0 = off).', {
      step: 0.005,
    }),
    masks,
    encoder,
    hidden,
  ],
  bc: [
    lr(1e-3),
    num('alpha', 'α (action CE)', 1, 0, 10, 'Weight of the cross-entropy of the action head.', { step: 0.1 }),
    num('beta', 'β (strength MSE)', 1, 0, 10, 'Weight of the MSE of the position-strength head.', {
      step: 0.1,
    }),
    choice(
      'imbalance',
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
      'epochs',
      'Epochs',
      20,
      1,
      500,
      'Passes over the training set (the step budget may end training sooner).',
      { unit: 'passes' },
    ),
    int('batch', 'Batch size', 256, 8, 4096, 'Samples per gradient step.', { unit: 'samples' }),
    num('valFraction', 'Validation share', 0.1, 0.05, 0.5, 'Share of samples held out for early stopping.', {
      step: 0.05,
    }),
    int(
      'patience',
      'Early-stop patience',
      5,
      1,
      100,
      'Epochs without validation improvement before stopping.',
      { unit: 'epochs' },
    ),
    int('hidden', 'Hidden size', 128, 4, 1024, 'Width of the two hidden layers.', { unit: 'units' }),
    ...offlineDataFields,
  ],
  iql: [
    lr(3e-4),
    gamma,
    num(
      'expectile',
      'Expectile τ',
      0.7,
      0.5,
      0.99,
      'Expectile of the value regression; higher = more optimistic.',
      { step: 0.05, learn: 'iql' },
    ),
    num('temperature', 'Temperature β', 3, 0, 100, 'Sharpness of the advantage weighting of the actor.', {
      step: 0.5,
    }),
    num('maxWeight', 'Max exp-weight', 100, 1, 1000, 'Cap on exp(β·A) so a few samples cannot dominate.', {
      step: 10,
    }),
    num('tau', 'Target τ', 0.005, 0, 1, 'Polyak rate of the target Q networks.', { step: 0.001 }),
    int('batch', 'Batch size', 64, 8, 4096, 'Samples per gradient step.', { unit: 'samples' }),
    num('rewardScale', 'Reward scale', 1, 1e-3, 1e4, 'Rewards are multiplied by this before learning.', {
      step: 1,
    }),
    int('hidden', 'Hidden size', 64, 4, 1024, 'Width of the two hidden layers.', { unit: 'units' }),
    ...offlineDataFields,
  ],
};

/**
 * The Training steps default of an algorithm where it differs from the form's (20,000): IQL's steps
 * are gradient updates (~750 kernels each), and 2,000 of them fit a minute on two cores with wasm.
 */
export const DEFAULT_TRAIN_STEPS: Partial<Record<AlgoId, number>> = { iql: 2_000 };

/**
 * Presets, identical to core's (src/core/agents/a2c.ts a2cPresets, ppo.ts ppoPresets; a unit test
 * checks it): "standard" (SB3 A2C / CleanRL PPO), "sb3" (PPO), "qtmrl" (seed 003).
 */
export const PRESETS: Record<AlgoId, Record<string, Values>> = {
  a2c: {
    standard: {
      lr: 7e-4,
      gamma: 0.99,
      gaeLambda: 1,
      entCoef: 0,
      vfCoef: 0.5,
      maxGradNorm: 0.5,
      nSteps: 5,
      numEnvs: 8,
      optimizer: 'rmsprop',
      normAdv: false,
    },
    qtmrl: {
      lr: 1e-5,
      gamma: 0.96,
      gaeLambda: 1,
      entCoef: 0.05,
      vfCoef: 1,
      maxGradNorm: 1,
      nSteps: 50,
      numEnvs: 8,
      optimizer: 'adam',
      normAdv: false,
    },
  },
  ppo: {
    standard: {
      lr: 2.5e-4,
      annealLr: true,
      gamma: 0.99,
      gaeLambda: 0.95,
      clip: 0.2,
      entCoef: 0.01,
      vfCoef: 0.5,
      maxGradNorm: 0.5,
      nSteps: 128,
      numEnvs: 4,
      minibatches: 4,
      epochs: 4,
      normAdv: true,
      clipVloss: true,
      targetKl: 0,
    },
    sb3: {
      lr: 3e-4,
      annealLr: false,
      gamma: 0.99,
      gaeLambda: 0.95,
      clip: 0.2,
      entCoef: 0,
      vfCoef: 0.5,
      maxGradNorm: 0.5,
      nSteps: 2048,
      numEnvs: 1,
      minibatches: 32,
      epochs: 10,
      normAdv: true,
      clipVloss: false,
      targetKl: 0,
    },
    qtmrl: {
      lr: 2.5e-4,
      annealLr: true,
      gamma: 0.96,
      gaeLambda: 0.95,
      clip: 0.2,
      entCoef: 0.05,
      vfCoef: 0.5,
      maxGradNorm: 1,
      nSteps: 50,
      numEnvs: 8,
      minibatches: 4,
      epochs: 4,
      normAdv: true,
      clipVloss: true,
      targetKl: 0,
    },
  },
  bc: { standard: {} },
  iql: { standard: {} },
};
