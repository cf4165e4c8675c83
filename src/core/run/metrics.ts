/**
 * The lab's one metric schema: flat keys (CleanRL/TensorBoard style) keyed by the global env step.
 * Producers emit MetricRows; the UI and the CLI only render or write them (learning.csv).
 */

/** Every key the run loop emits, with what it means. `eval/*` keys are open-ended (see evalKeys). */
export const metricKeys = {
  'losses/policy': 'policy loss: −mean(A·log π) (A2C) or the clipped surrogate (PPO), mean over minibatches',
  'losses/value': 'value loss: mean (V − R)² (A2C) or ½·mean, clipped when clipVloss (PPO)',
  'losses/entropy': 'mean policy entropy, summed over heads (masked actions excluded)',
  'losses/loss': 'total loss that was differentiated',
  'losses/approx_kl': 'PPO: mean((r − 1) − log r), the k3 KL estimator (Schulman)',
  'losses/old_approx_kl': 'PPO: mean(−log r)',
  'losses/clipfrac': 'PPO: fraction of samples with |r − 1| > clip',
  'losses/explained_variance': '1 − Var(R − V) / Var(R) over the rollout',
  'losses/grad_norm': 'global gradient norm before clipping',
  'losses/epochs': 'PPO: epochs run before a target-KL stop',
  'charts/episodic_return': 'undiscounted return of an episode that ended at this step',
  'charts/episodic_length': 'length of that episode',
  'charts/learning_rate': 'optimizer learning rate (after annealing)',
  'perf/sps': 'env steps per second over the last iteration (collect + update)',
  'perf/env_ms': 'ms stepping the envs in the last iteration',
  'perf/forward_ms': 'ms in batched forward passes while acting',
  'perf/readback_ms': 'ms reading policy outputs back from the backend',
  'perf/sample_ms': 'ms sampling actions on the CPU',
  'perf/bootstrap_ms': 'ms computing bootstrap values and GAE',
  'perf/update_ms': 'ms in the update (forward + backward + optimizer)',
  'perf/iteration_ms': 'ms for the whole iteration',
} as const;

/** Keys written by evaluations; market envs add the portfolio ones. */
export const evalKeys = {
  'eval/mean_return': 'mean undiscounted return of the evaluation episodes',
  'eval/std_return': 'standard deviation of those returns',
  'eval/mean_length': 'mean episode length',
  'eval/total_return': 'market envs: final / initial portfolio value − 1 (first episode)',
  'eval/sharpe': 'market envs: annualised Sharpe of the per-step portfolio returns',
  'eval/max_drawdown': 'market envs: maximum drawdown (≤ 0)',
  'eval/final_value': 'market envs: final portfolio value',
} as const;

export type MetricKey = keyof typeof metricKeys | keyof typeof evalKeys;

/** One row of the schema: the global env step and the values observed at it. */
export interface MetricRow {
  step: number;
  values: Partial<Record<MetricKey, number>> & Record<string, number>;
}

/** CSV with a `step` column then one column per key (sorted: losses, charts, perf, eval). Empty cells where a row lacks a key. */
export function metricRowsToCsv(rows: readonly MetricRow[]): string {
  const keys = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.values)) keys.add(k);
  const order = Object.keys({ ...metricKeys, ...evalKeys });
  const cols = [...keys].sort((a, b) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    return (ia < 0 ? 1e6 : ia) - (ib < 0 ? 1e6 : ib) || a.localeCompare(b);
  });
  const lines = [['step', ...cols].join(',')];
  for (const r of rows)
    lines.push(
      [String(r.step), ...cols.map((c) => (c in r.values ? formatNumber(r.values[c]) : ''))].join(','),
    );
  return lines.join('\n') + '\n';
}

function formatNumber(v: number): string {
  return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/**
 * Collects rows and hands them over in batches at most `maxPerSecond` times a second (the UI renders
 * what it gets; a worker posts one message per batch). The clock is injected: no timers, no DOM.
 */
export class MetricThrottle {
  private pending: MetricRow[] = [];
  private lastEmit = -Infinity;
  private readonly minIntervalMs: number;

  constructor(
    private readonly emit: (batch: MetricRow[]) => void,
    private readonly clock: () => number,
    maxPerSecond = 10,
  ) {
    if (!(maxPerSecond > 0)) throw new Error(`maxPerSecond must be > 0, got ${maxPerSecond}`);
    this.minIntervalMs = 1000 / maxPerSecond;
  }

  push(...rows: MetricRow[]): void {
    this.pending.push(...rows);
    if (this.clock() - this.lastEmit >= this.minIntervalMs) this.flush();
  }

  /** Emit what is pending now (end of run, pause, stop). */
  flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.lastEmit = this.clock();
    this.emit(batch);
  }
}
