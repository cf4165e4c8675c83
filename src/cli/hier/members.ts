/**
 * What a `lab hier pbt` population's members are, as plain data that a worker thread or another
 * machine can rebuild the same members from: the quadratic check member (known optimum) or the
 * hierarchy (core/hier/member.ts) on the run's data.
 */
import { createQuadraticMember } from '../../core/hier/quadraticMember.ts';
import type { PbtMemberFactory } from '../../core/hier/population.ts';
import type { BackendPref } from '../../core/agents/backend.ts';
import type { DataSourceConfig } from '../../core/experiment/config.ts';

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
  const { initBackend } = await import('../../core/agents/backend.ts');
  const backend = (spec.config as { backend?: string }).backend;
  const info = await initBackend((backend ?? 'wasm') as BackendPref);
  if (info.fallbackReason && info.backend !== backend)
    throw new Error(`backend ${backend} unavailable: ${info.fallbackReason}`);
  const { experimentPanel } = await import('../dataSources.ts');
  const { createHierMember } = await import('../../core/hier/member.ts');
  const data = (spec.config as { data: DataSourceConfig }).data;
  const panel = await experimentPanel(data, spec.dataSpecs, 'hier pbt', { quiet: opts.quiet });
  return (_member, seed) => createHierMember(panel, spec.config, seed);
}
