/**
 * Seed ensembles (seed 004): N behaviour-cloned policies trained from different seeds vote — the
 * action most of them choose, their mean strength. A tie goes to HOLD when HOLD is among the tied
 * actions (disagreement is no reason to trade), else to the lower action index (BUY before SELL),
 * so the result never depends on the members' order.
 */
import { HOLD } from './types.ts';

export interface MemberActs {
  /** [rows] action per row (HOLD / BUY / SELL as 0 / 1 / 2). */
  action: ArrayLike<number>;
  /** [rows] strength in [0, 1]. */
  strength: ArrayLike<number>;
}

export function seedVote(
  members: readonly MemberActs[],
  rows: number,
  actions = 3,
): {
  action: Int32Array;
  strength: Float32Array;
} {
  if (members.length === 0) throw new Error('seed ensemble: no members');
  const action = new Int32Array(rows);
  const strength = new Float32Array(rows);
  const counts = new Int32Array(actions);
  for (let r = 0; r < rows; r++) {
    counts.fill(0);
    let s = 0;
    for (const m of members) {
      counts[m.action[r]]++;
      s += m.strength[r];
    }
    let best = HOLD;
    for (let a = 0; a < actions; a++) if (counts[a] > counts[best]) best = a;
    action[r] = best;
    strength[r] = s / members.length;
  }
  return { action, strength };
}
