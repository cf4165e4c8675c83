/**
 * Seed 000's residual policy, the pure parts: the action map and fidelity. The actor that outputs
 * δ and its training (BC warm start, IQL with the fidelity penalty) live with the agents.
 *
 *   action = baseline · (1 + residual_scale · tanh(δ))
 *
 * With 0 ≤ residual_scale < 1 the factor lies in (1 − scale, 1 + scale) ⊂ (0, 2): the action has
 * the baseline's sign, is 0 exactly where the baseline is 0 (a residual never opens a position the
 * text did not ask for), never flips, and deviates by at most scale·|baseline|. δ = 0 is the baseline.
 */

/** Throws unless 0 ≤ scale < 1 (scale = 1 would let tanh(δ) → −1 close a position the text opened). */
export function checkResidualScale(scale: number): void {
  if (!(scale >= 0 && scale < 1)) throw new Error(`residual_scale must be in [0, 1), got ${scale}`);
}

/** baseline · (1 + scale · tanh(δ)) for one weight. */
export function residualAction(baseline: number, delta: number, scale: number): number {
  checkResidualScale(scale);
  if (Number.isNaN(delta)) throw new Error('residualAction: δ is NaN');
  return baseline * (1 + scale * Math.tanh(delta));
}

/** The map over arrays (out may alias baseline). */
export function residualActions(
  baseline: ArrayLike<number>,
  delta: ArrayLike<number>,
  scale: number,
  out: Float64Array = new Float64Array(baseline.length),
): Float64Array {
  if (delta.length !== baseline.length || out.length !== baseline.length)
    throw new Error(
      `residualActions: ${baseline.length} baseline weights, ${delta.length} residuals, ${out.length} outputs`,
    );
  checkResidualScale(scale);
  for (let i = 0; i < baseline.length; i++) {
    const d = delta[i];
    if (Number.isNaN(d)) throw new Error(`residualActions: δ[${i}] is NaN`);
    out[i] = baseline[i] * (1 + scale * Math.tanh(d));
  }
  return out;
}

/** Fidelity = mean |policy − baseline| over the decisions (0 for the baseline itself; NaN when there are none). */
export function fidelity(policy: ArrayLike<number>, baseline: ArrayLike<number>): number {
  if (policy.length !== baseline.length)
    throw new Error(`fidelity: ${policy.length} policy actions, ${baseline.length} baseline actions`);
  if (policy.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < policy.length; i++) s += Math.abs(policy[i] - baseline[i]);
  return s / policy.length;
}
