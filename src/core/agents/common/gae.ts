/**
 * Generalised advantage estimation, GAE(λ) (Schulman et al. 2016), over a rollout stored
 * time-major [numSteps, numEnvs] as CleanRL does: index t * numEnvs + k.
 *
 *   δ_t = r_t + γ·V_next − V(s_t),   A_t = δ_t + γλ·(1 − done_t)·A_{t+1},   R_t = A_t + V(s_t)
 *
 * where V_next is V(s_{t+1}) while the episode goes on, 0 when it terminated (the MDP ended), and
 * V(final obs) when it was truncated by a time limit (the episode was cut, not over: Pardo et al.
 * 2018; SB3 adds γ·V(final obs) to the reward for the same reason). After the last stored step the
 * chain bootstraps from `lastValues` = V(s_T) unless that step ended the episode.
 * λ = 1 gives the discounted n-step returns of A2C (A_t = G_t − V(s_t)); λ = 0 the one-step TD error.
 */
export interface GaeInput {
  numSteps: number;
  numEnvs: number;
  gamma: number;
  lambda: number;
  /** [T·K] rewards. */
  rewards: ArrayLike<number>;
  /** [T·K] V(s_t) recorded while acting. */
  values: ArrayLike<number>;
  /** [T·K] 1 when step t ended env k's episode (terminated or truncated). */
  dones: ArrayLike<number>;
  /** [T·K] 1 when step t was cut by a time limit and not terminated: bootstrap from `finalValues`. */
  timeouts?: ArrayLike<number>;
  /** [T·K] V(final observation) where `timeouts` is set (other entries are ignored). */
  finalValues?: ArrayLike<number>;
  /** [K] V(s_T) of the observation after the rollout. */
  lastValues: ArrayLike<number>;
}

export interface GaeOutput {
  advantages: Float32Array;
  returns: Float32Array;
}

/** Backward recursion, O(T·K); computed in float64, stored in float32. */
export function computeGae(input: GaeInput, out?: GaeOutput): GaeOutput {
  const {
    numSteps: T,
    numEnvs: K,
    gamma,
    lambda,
    rewards,
    values,
    dones,
    timeouts,
    finalValues,
    lastValues,
  } = input;
  const n = T * K;
  for (const [name, arr] of [
    ['rewards', rewards],
    ['values', values],
    ['dones', dones],
  ] as const) {
    if (arr.length !== n)
      throw new Error(`computeGae: ${name} has ${arr.length} entries, expected numSteps·numEnvs = ${n}`);
  }
  if (lastValues.length !== K)
    throw new Error(`computeGae: lastValues has ${lastValues.length} entries, expected numEnvs = ${K}`);
  if (timeouts && !finalValues) throw new Error('computeGae: timeouts given without finalValues');
  const advantages = out?.advantages ?? new Float32Array(n);
  const returns = out?.returns ?? new Float32Array(n);
  for (let k = 0; k < K; k++) {
    let nextAdvantage = 0;
    let nextValue = lastValues[k];
    for (let t = T - 1; t >= 0; t--) {
      const i = t * K + k;
      const done = dones[i] !== 0;
      const bootstrap = timeouts && timeouts[i] !== 0 ? finalValues![i] : done ? 0 : nextValue;
      const delta = rewards[i] + gamma * bootstrap - values[i];
      const advantage = delta + (done ? 0 : gamma * lambda * nextAdvantage);
      advantages[i] = advantage;
      returns[i] = advantage + values[i];
      nextAdvantage = advantage;
      nextValue = values[i];
    }
  }
  return { advantages, returns };
}
