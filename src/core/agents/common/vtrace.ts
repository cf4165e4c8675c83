/**
 * V-trace off-policy targets (Espeholt et al. 2018, IMPALA §4.1) over a trajectory stored
 * time-major [numSteps, numEnvs] like gae.ts (index t · numEnvs + k), for learning from data that
 * another policy μ (another expert, an older self) collected:
 *
 *   ρ_t = min(ρ̄, π(a_t|x_t)/μ(a_t|x_t)),   c_t = λ·min(c̄, π(a_t|x_t)/μ(a_t|x_t))
 *   δ_t = ρ_t·(r_t + γ_t·V(x_{t+1}) − V(x_t))
 *   v_s = V(x_s) + Σ_{t≥s} (Π_{i=s}^{t−1} γ_i·c_i)·δ_t      ⇔   v_s − V_s = δ_s + γ_s·c_s·(v_{s+1} − V_{s+1})
 *   A^pg_s = min(ρ̄_pg, π/μ)·(r_s + γ_s·v_{s+1} − V(x_s))
 *
 * The trace coefficient of step s is c_s (the paper's product runs to t − 1), not c_{s+1}.
 * γ_t is γ while the episode goes on and 0 after the step that ends it; a step cut by a time limit
 * bootstraps from V(final obs) (`timeouts`/`finalValues`, as gae.ts) instead of V(x_{t+1}), which
 * belongs to the next episode. After the last stored step the chain bootstraps from
 * `bootstrapValues` = V(x_T), so v_T = V(x_T).
 * λ (rlax's lambda_, default 1) scales the traces: on-policy (π = μ, ρ̄, c̄ ≥ 1) v_s is then exactly
 * GAE(λ)'s return, and λ = 1 gives the n-step bootstrapped return.
 */
export interface VTraceInput {
  numSteps: number;
  numEnvs: number;
  gamma: number;
  /** [T·K] log μ(a_t|x_t) of the behaviour policy that acted. */
  behaviourLogProbs: ArrayLike<number>;
  /** [T·K] log π(a_t|x_t) of the policy being learned. */
  targetLogProbs: ArrayLike<number>;
  /** [T·K] rewards. */
  rewards: ArrayLike<number>;
  /** [T·K] V(x_t) under the current value function. */
  values: ArrayLike<number>;
  /** [T·K] 1 when step t ended env k's episode (terminated or truncated). */
  dones: ArrayLike<number>;
  /** [T·K] 1 when step t was cut by a time limit and not terminated: bootstrap from `finalValues`. */
  timeouts?: ArrayLike<number>;
  /** [T·K] V(final observation) where `timeouts` is set. */
  finalValues?: ArrayLike<number>;
  /** [K] V(x_T) of the observation after the last stored step. */
  bootstrapValues: ArrayLike<number>;
}

export interface VTraceOptions {
  /** ρ̄: clip of the importance weight in δ_t. Default 1. */
  clipRho?: number;
  /** c̄: clip of the trace coefficients. Default 1. */
  clipC?: number;
  /** Clip of the importance weight in the policy-gradient advantage. Default ρ̄. */
  clipPgRho?: number;
  /** Trace λ multiplying every c_t. Default 1. */
  lambda?: number;
}

export interface VTraceOutput {
  /** [T·K] value targets v_s. */
  vs: Float32Array;
  /** [T·K] policy-gradient advantages min(ρ̄_pg, π/μ)·(r_s + γ_s·v_{s+1} − V_s). */
  pgAdvantages: Float32Array;
  /** [T·K] the clipped importance weights ρ_t (diagnostics: how off-policy the data is). */
  rhos: Float32Array;
}

const positive = (name: string, v: number) => {
  if (!(v > 0)) throw new Error(`computeVTrace: ${name} must be > 0, got ${v}`);
  return v;
};

/** Backward recursion, O(T·K); computed in float64, stored in float32. */
export function computeVTrace(input: VTraceInput, options: VTraceOptions = {}): VTraceOutput {
  const { numSteps: T, numEnvs: K, gamma, rewards, values, dones, timeouts, finalValues } = input;
  const clipRho = positive('clipRho', options.clipRho ?? 1);
  const clipC = positive('clipC', options.clipC ?? 1);
  const clipPgRho = positive('clipPgRho', options.clipPgRho ?? clipRho);
  const lambda = options.lambda ?? 1;
  if (!(lambda >= 0 && lambda <= 1))
    throw new Error(`computeVTrace: lambda must be in [0, 1], got ${lambda}`);
  const n = T * K;
  for (const [name, arr] of [
    ['behaviourLogProbs', input.behaviourLogProbs],
    ['targetLogProbs', input.targetLogProbs],
    ['rewards', rewards],
    ['values', values],
    ['dones', dones],
  ] as const) {
    if (arr.length !== n)
      throw new Error(`computeVTrace: ${name} has ${arr.length} entries, expected numSteps·numEnvs = ${n}`);
  }
  if (input.bootstrapValues.length !== K)
    throw new Error(
      `computeVTrace: bootstrapValues has ${input.bootstrapValues.length} entries, expected numEnvs = ${K}`,
    );
  if (timeouts && !finalValues) throw new Error('computeVTrace: timeouts given without finalValues');
  const vs = new Float32Array(n);
  const pgAdvantages = new Float32Array(n);
  const rhos = new Float32Array(n);
  for (let k = 0; k < K; k++) {
    // v_{t+1} − V(x_{t+1}) and v_{t+1}, V(x_{t+1}) of the step after t (float64).
    let nextAcc = 0;
    let nextVs = input.bootstrapValues[k];
    let nextValue = input.bootstrapValues[k];
    for (let t = T - 1; t >= 0; t--) {
      const i = t * K + k;
      const ratio = Math.exp(input.targetLogProbs[i] - input.behaviourLogProbs[i]);
      const rho = Math.min(clipRho, ratio);
      const c = lambda * Math.min(clipC, ratio);
      const done = dones[i] !== 0;
      const timeout = timeouts !== undefined && timeouts[i] !== 0;
      // What step t bootstraps from: V(x_{t+1}) / v_{t+1} inside an episode, V(final obs) at a
      // time limit (its v equals its V: nothing of that episode is stored after it), 0 at an end.
      const bootV = timeout ? finalValues![i] : done ? 0 : nextValue;
      const bootVs = timeout ? finalValues![i] : done ? 0 : nextVs;
      const delta = rho * (rewards[i] + gamma * bootV - values[i]);
      const acc = delta + (done ? 0 : gamma * c * nextAcc);
      const v = values[i] + acc;
      vs[i] = v;
      pgAdvantages[i] = Math.min(clipPgRho, ratio) * (rewards[i] + gamma * bootVs - values[i]);
      rhos[i] = rho;
      nextAcc = acc;
      nextVs = v;
      nextValue = values[i];
    }
  }
  return { vs, pgAdvantages, rhos };
}
