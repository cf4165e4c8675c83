/**
 * The one catalogue of metric keys: every key any learner or the run loop emits (flat schema keyed
 * by global step, CleanRL-style `losses/value`, `charts/episodic_return`, `perf/sps`), with its
 * label, unit, the Train panel chart it belongs to (null = only in the learning CSV) and the
 * algorithms that emit it. Pure data (no tfjs): the UI imports it to group its live charts, and
 * metricKeys.test.ts checks that learners emit exactly what is listed here.
 */

export type AlgoName = 'a2c' | 'ppo' | 'bc' | 'iql' | 'iql-residual' | 'sac' | 'diayn';

export const ALL_ALGOS: readonly AlgoName[] = ['a2c', 'ppo', 'bc', 'iql', 'iql-residual', 'sac', 'diayn'];
const SOFT_AC: readonly AlgoName[] = ['sac', 'diayn'];
/** Learners that step envs themselves (episodes come from their own rollouts). */
const ONLINE: readonly AlgoName[] = ['a2c', 'ppo', ...SOFT_AC];
const ON_POLICY: readonly AlgoName[] = ['a2c', 'ppo'];
const IQL: readonly AlgoName[] = ['iql', 'iql-residual'];
const OFFLINE: readonly AlgoName[] = ['bc', 'iql', 'iql-residual'];

/** The Train panel's live charts, in display order. */
export const CHART_GROUPS = [
  { id: 'losses', title: 'Losses', learn: 'learning-curves' },
  { id: 'q-values', title: 'Q and V', learn: 'iql' },
  { id: 'accuracy', title: 'Validation accuracy', learn: 'learning-curves' },
  { id: 'entropy', title: 'Entropy', learn: 'entropy' },
  { id: 'returns', title: 'Episodic return', learn: 'learning-curves' },
  { id: 'validation', title: 'Validation', learn: 'equity' },
  { id: 'diagnostics', title: 'Diagnostics', learn: 'learning-curves' },
  { id: 'tournament', title: 'Tournament: mean score per agent type', learn: 'learning-curves' },
] as const;

export type ChartGroupId = (typeof CHART_GROUPS)[number]['id'];

export interface MetricKeyInfo {
  /** The key, or a pattern with one `*` (e.g. `eval/val_recall_c*`, one key per class). */
  key: string;
  label: string;
  /** '' = dimensionless. */
  unit: string;
  chart: ChartGroupId | null;
  /** Algorithms that emit it. */
  algos: readonly AlgoName[];
  /** Emitted only in some runs (a condition in words); the others every run. */
  when?: string;
}

export const METRIC_KEYS: readonly MetricKeyInfo[] = [
  // Losses
  { key: 'losses/loss', label: 'total loss', unit: '', chart: 'losses', algos: [...ON_POLICY, 'bc'] },
  { key: 'losses/policy', label: 'policy loss', unit: '', chart: 'losses', algos: [...ON_POLICY, ...IQL] },
  {
    key: 'losses/value',
    label: 'value loss (IQL: expectile V loss)',
    unit: '',
    chart: 'losses',
    algos: [...ON_POLICY, ...IQL],
  },
  { key: 'losses/q', label: 'Q loss (twin TD error)', unit: '', chart: 'losses', algos: IQL },
  { key: 'losses/action', label: 'action loss (CE; MSE for Box)', unit: '', chart: 'losses', algos: ['bc'] },
  { key: 'losses/strength', label: 'strength MSE', unit: '', chart: 'losses', algos: ['bc'] },
  {
    key: 'losses/fidelity',
    label: 'fidelity ‖π − baseline‖²',
    unit: '',
    chart: 'losses',
    algos: ['iql-residual'],
  },
  {
    key: 'losses/bc_warm_start',
    label: 'BC warm-start loss',
    unit: '',
    chart: null,
    algos: ['iql-residual'],
    when: 'bcWarmStartEpochs > 0',
  },
  // SAC (CleanRL's sac_continuous_action.py names, flat)
  { key: 'losses/qf1', label: 'Q₁ TD loss', unit: '', chart: 'losses', algos: SOFT_AC },
  { key: 'losses/qf2', label: 'Q₂ TD loss', unit: '', chart: null, algos: SOFT_AC },
  { key: 'losses/qf', label: 'Q₁ + Q₂ loss', unit: '', chart: null, algos: SOFT_AC },
  { key: 'losses/actor', label: 'actor loss E[α·log π − min Q]', unit: '', chart: 'losses', algos: SOFT_AC },
  {
    key: 'losses/alpha',
    label: 'entropy temperature loss',
    unit: '',
    chart: 'diagnostics',
    algos: SOFT_AC,
    when: 'autotune',
  },
  { key: 'losses/qf1_values', label: 'Q₁(s, a)', unit: '', chart: 'q-values', algos: SOFT_AC },
  { key: 'losses/qf2_values', label: 'Q₂(s, a)', unit: '', chart: null, algos: SOFT_AC },
  { key: 'charts/alpha', label: 'entropy temperature α', unit: '', chart: 'diagnostics', algos: SOFT_AC },
  // DIAYN
  {
    key: 'losses/discriminator',
    label: 'discriminator cross-entropy −log q(z|s)',
    unit: 'nats',
    chart: 'losses',
    algos: ['diayn'],
  },
  {
    key: 'charts/discriminator_accuracy',
    label: 'discriminator accuracy (chance 1/K)',
    unit: '',
    chart: 'accuracy',
    algos: ['diayn'],
  },
  {
    key: 'charts/skill_reward',
    label: 'skill reward log q(z|s) − log p(z)',
    unit: 'nats',
    chart: 'diagnostics',
    algos: ['diayn'],
  },
  // Q and V (IQL)
  { key: 'losses/q_values', label: 'min target Q(s, a)', unit: '', chart: 'q-values', algos: IQL },
  { key: 'losses/v_values', label: 'V(s)', unit: '', chart: 'q-values', algos: IQL },
  { key: 'losses/advantage', label: 'advantage Q − V', unit: '', chart: 'q-values', algos: IQL },
  {
    key: 'losses/awr_weight',
    label: 'advantage weight exp(β·A)',
    unit: '',
    chart: 'diagnostics',
    algos: IQL,
  },
  // Entropy and diagnostics (on-policy)
  {
    key: 'losses/entropy',
    label: 'policy entropy (SAC: −E[log π])',
    unit: 'nats',
    chart: 'entropy',
    algos: [...ON_POLICY, ...SOFT_AC],
  },
  { key: 'losses/grad_norm', label: 'gradient norm', unit: '', chart: 'diagnostics', algos: ON_POLICY },
  {
    key: 'losses/explained_variance',
    label: 'explained variance',
    unit: '',
    chart: 'diagnostics',
    algos: ON_POLICY,
  },
  { key: 'losses/approx_kl', label: 'approx. KL', unit: '', chart: 'diagnostics', algos: ['ppo'] },
  { key: 'losses/old_approx_kl', label: 'old approx. KL', unit: '', chart: null, algos: ['ppo'] },
  { key: 'losses/clipfrac', label: 'clip fraction', unit: '', chart: 'diagnostics', algos: ['ppo'] },
  { key: 'losses/epochs', label: 'update epochs run', unit: 'epochs', chart: null, algos: ['ppo'] },
  // BC validation
  { key: 'eval/val_loss', label: 'validation loss', unit: '', chart: 'losses', algos: ['bc'] },
  {
    key: 'eval/val_accuracy',
    label: 'validation accuracy',
    unit: '',
    chart: 'accuracy',
    algos: ['bc'],
    when: 'discrete actions',
  },
  {
    key: 'eval/val_exact_match',
    label: 'validation exact match (all heads)',
    unit: '',
    chart: 'accuracy',
    algos: ['bc'],
    when: 'several heads',
  },
  {
    key: 'eval/val_recall_c*',
    label: 'validation recall of class *',
    unit: '',
    chart: null,
    algos: ['bc'],
    when: 'discrete actions',
  },
  {
    key: 'eval/val_precision_c*',
    label: 'validation precision of class *',
    unit: '',
    chart: null,
    algos: ['bc'],
    when: 'discrete actions',
  },
  // Episodes and evaluation (the run loop)
  { key: 'charts/episodic_return', label: 'episodic return', unit: '', chart: 'returns', algos: ONLINE },
  { key: 'charts/episodic_length', label: 'episode length', unit: 'steps', chart: null, algos: ONLINE },
  {
    key: 'charts/behaviour_return',
    label: 'behaviour policy return',
    unit: '',
    chart: 'returns',
    algos: OFFLINE,
    when: 'dataset collected by rollout',
  },
  {
    key: 'eval/mean_return',
    label: 'evaluation mean return',
    unit: '',
    chart: null,
    algos: ALL_ALGOS,
    when: 'an eval env',
  },
  {
    key: 'eval/std_return',
    label: 'evaluation return std',
    unit: '',
    chart: null,
    algos: ALL_ALGOS,
    when: 'an eval env',
  },
  {
    key: 'eval/mean_length',
    label: 'evaluation episode length',
    unit: 'steps',
    chart: null,
    algos: ALL_ALGOS,
    when: 'an eval env',
  },
  {
    key: 'eval/total_return',
    label: 'validation total return',
    unit: 'fraction',
    chart: 'validation',
    algos: ALL_ALGOS,
    when: 'a market eval env',
  },
  {
    key: 'eval/sharpe',
    label: 'validation Sharpe',
    unit: '',
    chart: 'validation',
    algos: ALL_ALGOS,
    when: 'a market eval env',
  },
  {
    key: 'eval/max_drawdown',
    label: 'validation max drawdown',
    unit: 'fraction',
    chart: 'validation',
    algos: ALL_ALGOS,
    when: 'a market eval env',
  },
  {
    key: 'eval/final_value',
    label: 'validation final value',
    unit: 'cash',
    chart: null,
    algos: ALL_ALGOS,
    when: 'a market eval env',
  },
  // Schedules and bookkeeping
  {
    key: 'charts/learning_rate',
    label: 'learning rate (IQL: actor)',
    unit: '',
    chart: null,
    algos: [...ON_POLICY, ...IQL],
  },
  { key: 'charts/epoch', label: 'epoch', unit: 'epochs', chart: null, algos: ['bc'] },
  {
    key: 'charts/best_epoch',
    label: 'best validation epoch',
    unit: 'epochs',
    chart: null,
    algos: ['bc'],
    when: 'last epoch',
  },
  {
    key: 'charts/early_stopped',
    label: 'stopped early (1) or not (0)',
    unit: '',
    chart: null,
    algos: ['bc'],
    when: 'last epoch',
  },
  // Supply-chain tournaments (the supplychain workflow's runner, no learner): keyed by worlds done
  {
    key: 'charts/mean_score/*',
    label: 'mean score (final ÷ initial balance) of an agent type so far',
    unit: '',
    chart: 'tournament',
    algos: [],
    when: 'supplychain tournaments, step = worlds done',
  },
  {
    key: 'charts/bankrupt_rate/*',
    label: 'share of an agent type’s factories gone bankrupt so far',
    unit: '',
    chart: null,
    algos: [],
    when: 'supplychain tournaments, step = worlds done',
  },
  {
    key: 'perf/agent_days_per_s',
    label: 'simulated factory-days per second of the tournament',
    unit: 'agent-days/s',
    chart: null,
    algos: [],
    when: 'supplychain tournaments',
  },
  // Throughput: one key for every algorithm, extras beside it
  {
    key: 'perf/sps',
    label: 'steps per second (offline: gradient steps)',
    unit: 'steps/s',
    chart: null,
    algos: ALL_ALGOS,
  },
  {
    key: 'perf/samples_per_s',
    label: 'training samples per second',
    unit: 'samples/s',
    chart: null,
    algos: ['bc'],
  },
  {
    key: 'perf/*_ms',
    label: 'time of one phase (*) per iteration',
    unit: 'ms',
    chart: null,
    algos: ON_POLICY,
  },
];

function matches(pattern: string, key: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return pattern === key;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return key.length > pattern.length - 1 && key.startsWith(head) && key.endsWith(tail);
}

/** The catalogue entry of a key (patterns included), or undefined for an unknown key. */
export function metricInfo(key: string): MetricKeyInfo | undefined {
  return METRIC_KEYS.find((m) => matches(m.key, key));
}

/** The Train panel chart a key is drawn in (null: not charted, or unknown). */
export function chartOf(key: string): ChartGroupId | null {
  return metricInfo(key)?.chart ?? null;
}
