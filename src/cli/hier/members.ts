/**
 * What a `lab hier pbt` population's members are, as plain data that a worker thread or another
 * machine can rebuild the same members from: the quadratic check member (known optimum) or the
 * hierarchy (core/hier/member.ts) on the run's data.
 */
import { createQuadraticMember } from '../../core/hier/quadraticMember.ts';
import type { PbtMemberFactory } from '../../core/hier/population.ts';

export type MemberSpec =
  | { kind: 'quadratic'; envSeed: number; period: number; noise: number }
  | {
      kind: 'hierarchical';
      /** The experiment config (workflow 'hierarchical') every member starts from. */
      config: unknown;
      /** --data sources when the config's data is the user's files. */
      dataSpecs: string[];
    };

/** The member factory of a spec (loads the data once for hierarchical members). */
export async function memberFactory(
  spec: MemberSpec,
  opts: { quiet?: boolean } = {},
): Promise<PbtMemberFactory> {
  if (spec.kind === 'quadratic')
    return (_member, seed) =>
      createQuadraticMember(seed, { envSeed: spec.envSeed, period: spec.period, noise: spec.noise });
  void opts;
  throw new Error('hierarchical members need src/core/hier/member.ts (createHierMember), not in this build');
}
