/**
 * The sanity envs by name: small envs with known answers that check an algorithm end to end
 * (`lab train --env NAME`, `lab evaluate` of such a checkpoint). One place decides which envs exist,
 * how they are built and which preset of an algorithm fits them, so the CLI only parses names.
 */
import type { Action, Env } from './types.ts';
import { CartPoleEnv } from './cartpole.ts';
import { ContextualBanditEnv } from './bandit.ts';
import { PendulumEnv } from './pendulum.ts';

export const SANITY_ENVS = ['cartpole', 'bandit', 'pendulum'] as const;
export type SanityEnvName = (typeof SANITY_ENVS)[number];

export function isSanityEnv(name: string): name is SanityEnvName {
  return (SANITY_ENVS as readonly string[]).includes(name);
}

/** A factory of the env (the vector env seeds copy i with seed + i on reset). */
export function makeSanityEnv(name: SanityEnvName): () => Env<Action> {
  switch (name) {
    case 'cartpole':
      return () => new CartPoleEnv();
    case 'bandit':
      return () => new ContextualBanditEnv({});
    case 'pendulum':
      return () => new PendulumEnv();
  }
}

/**
 * The preset an algorithm starts from on a sanity env when none is asked for: SAC (and DIAYN on it)
 * on Pendulum use the 'pendulum' preset (20k steps, sized for two CPU cores); everything else 'standard'.
 */
export function defaultSanityPreset(name: SanityEnvName, algo: string): string {
  return name === 'pendulum' && (algo === 'sac' || algo === 'diayn') ? 'pendulum' : 'standard';
}

/** The algorithm a sanity env trains with when none is asked for (Pendulum's actions are continuous). */
export function defaultSanityAlgo(name: SanityEnvName): string {
  return name === 'pendulum' ? 'sac' : 'a2c';
}
