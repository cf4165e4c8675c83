import { describe, expect, it } from 'vitest';
import { SANITY_ENVS, defaultSanityAlgo, defaultSanityPreset, isSanityEnv, makeSanityEnv } from './sanity.ts';
import { checkEnv } from './check.ts';

describe('sanity envs', () => {
  it('builds every named env, and each passes the env checker', () => {
    for (const name of SANITY_ENVS) checkEnv(makeSanityEnv(name)(), { steps: 50 });
    expect(makeSanityEnv('pendulum')().actionSpace).toMatchObject({ kind: 'box', low: -2, high: 2 });
  });

  it('knows its names and the algorithm and preset each starts with', () => {
    expect(isSanityEnv('pendulum')).toBe(true);
    expect(isSanityEnv('pong')).toBe(false);
    expect(defaultSanityAlgo('pendulum')).toBe('sac');
    expect(defaultSanityAlgo('cartpole')).toBe('a2c');
    expect(defaultSanityPreset('pendulum', 'sac')).toBe('pendulum');
    expect(defaultSanityPreset('pendulum', 'ppo')).toBe('standard');
  });
});
