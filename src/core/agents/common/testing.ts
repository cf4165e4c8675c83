/**
 * Helpers for the agents' learning tests (not used by production code): exact greedy value of a
 * policy on the contextual bandit, and a training driver that records what the tests assert on.
 */
import type { ContextualBanditEnv } from '../../envs/bandit.ts';
import type { IterationReport } from './onPolicy.ts';

interface PredictorLike {
  predict(obs: Float32Array, rows: number, masks: Uint8Array | null, deterministic: boolean): Promise<Int32Array | Float32Array>;
}

/**
 * Expected reward per step of the deterministic policy, computed exactly from the bandit's tables
 * (no sampling noise): mean over contexts of the mean reward of the greedy action(s).
 */
export async function greedyBanditValue(agent: PredictorLike, env: ContextualBanditEnv): Promise<number> {
  const { numContexts, mode } = env.config;
  const heads = mode === 'discrete' ? 1 : env.config.numHeads;
  let total = 0;
  for (let c = 0; c < numContexts; c++) {
    const obs = new Float32Array(numContexts);
    obs[c] = 1;
    const masks = env.config.maskedActions ? env.maskForContext(c) : null;
    const a = await agent.predict(obs, 1, masks, true);
    let r = 0;
    for (let h = 0; h < heads; h++) {
      if (mode === 'box') r += 1 - (Math.min(1, Math.max(-1, a[h])) - env.targets[c][h]) ** 2;
      else r += env.mean(c, h, a[h]);
    }
    total += r / heads;
  }
  return total / numContexts;
}

export interface RunRecord {
  returns: number[];
  reports: IterationReport[];
}

/** Iterate until done (or maxIterations), keeping episode returns and iteration reports. */
export async function trainToEnd(agent: { done: boolean; iterate(): Promise<IterationReport> }, maxIterations = Infinity): Promise<RunRecord> {
  const returns: number[] = [];
  const reports: IterationReport[] = [];
  for (let i = 0; i < maxIterations && !agent.done; i++) {
    const r = await agent.iterate();
    reports.push(r);
    for (const e of r.episodes) returns.push(e.return);
  }
  return { returns, reports };
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
