/**
 * Diversity of a population of policies (seed 002: experts must stay distinguishable; "MAPD ≥ 0.25").
 * The seed names the score without defining it; the lab uses the mean absolute pairwise difference
 * of the experts' action distributions on the same states, as total variation: for experts i < j
 * and states s, ½ Σ_a |π_i(a|s) − π_j(a|s)|, averaged. 0 = identical experts, 1 = disjoint actions.
 * For continuous actions (weights) the same mean of |a_i − a_j| per dimension, scaled by the action
 * range, keeps the 0..1 reading.
 *
 * The router's diversity bonus KL(π_selected ‖ π̄), π̄ the mean of the experts' distributions, is here
 * too, so the reward and the score read the same numbers.
 */

/**
 * MAPD of K discrete policies over S states and A actions: `probs[k][s·A + a]` = π_k(a|s).
 * Returns NaN for fewer than two experts.
 */
export function mapdDiscrete(probs: readonly ArrayLike<number>[], actions: number): number {
  const K = probs.length;
  if (K < 2) return NaN;
  const S = probs[0].length / actions;
  if (!Number.isInteger(S))
    throw new Error(`mapd: ${probs[0].length} probabilities are not states × ${actions} actions`);
  let total = 0;
  let pairs = 0;
  for (let i = 0; i < K; i++)
    for (let j = i + 1; j < K; j++) {
      if (probs[i].length !== probs[j].length || probs[j].length !== S * actions)
        throw new Error(
          `mapd: expert ${j} has ${probs[j].length} probabilities, expert ${i} ${probs[i].length}`,
        );
      let tv = 0;
      for (let x = 0; x < S * actions; x++) tv += Math.abs(probs[i][x] - probs[j][x]);
      total += tv / 2 / S;
      pairs++;
    }
  return total / pairs;
}

/** MAPD of K deterministic continuous policies on S states of D dims: mean |a_i − a_j| / range. */
export function mapdContinuous(actions: readonly ArrayLike<number>[], range: number): number {
  const K = actions.length;
  if (K < 2) return NaN;
  if (!(range > 0)) throw new Error(`mapd: the action range must be > 0, got ${range}`);
  let total = 0;
  let pairs = 0;
  for (let i = 0; i < K; i++)
    for (let j = i + 1; j < K; j++) {
      const n = actions[i].length;
      let d = 0;
      for (let x = 0; x < n; x++) d += Math.abs(actions[i][x] - actions[j][x]);
      total += d / n / range;
      pairs++;
    }
  return total / pairs;
}

/**
 * KL(π_selected ‖ π̄) per state, averaged: the router's bonus for choosing an expert that acts unlike
 * the population's mean policy. `probs[k][s·A + a]`; zero probabilities contribute 0.
 */
export function klToMean(probs: readonly ArrayLike<number>[], selected: number, actions: number): number {
  const K = probs.length;
  const S = probs[selected].length / actions;
  let kl = 0;
  for (let s = 0; s < S; s++)
    for (let a = 0; a < actions; a++) {
      const x = s * actions + a;
      const p = probs[selected][x];
      if (p <= 0) continue;
      let mean = 0;
      for (let k = 0; k < K; k++) mean += probs[k][x];
      mean /= K;
      kl += p * Math.log(p / mean);
    }
  return kl / S;
}

/**
 * Mutual information (nats) between two discrete labels seen together (the planted market regime
 * and the expert the router chose), from their joint counts; 0 when the choice ignores the regime.
 */
export function mutualInformation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n !== y.length) throw new Error(`mutualInformation: ${n} vs ${y.length} labels`);
  if (n === 0) return NaN;
  const joint = new Map<string, number>();
  const px = new Map<number, number>();
  const py = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    joint.set(`${x[i]} ${y[i]}`, (joint.get(`${x[i]} ${y[i]}`) ?? 0) + 1);
    px.set(x[i], (px.get(x[i]) ?? 0) + 1);
    py.set(y[i], (py.get(y[i]) ?? 0) + 1);
  }
  let mi = 0;
  for (const [key, c] of joint) {
    const [a, b] = key.split(' ').map(Number);
    mi += (c / n) * Math.log((c * n) / (px.get(a)! * py.get(b)!));
  }
  return Math.max(0, mi);
}
