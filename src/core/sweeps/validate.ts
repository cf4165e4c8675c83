/**
 * A sweep spec checked against ExperimentConfig before anything runs: every swept key (and the
 * seed key) must exist in the resolved base config — a typo like `agent.entropy` must not run a
 * sweep that varies nothing — and every point's config must resolve (values of the right kind).
 */
import {
  checkConfigKeys,
  resolveExperimentConfig,
  type ResolvedExperimentConfig,
} from '../experiment/config.ts';
import { expandSweep, sweptKeys, type SweepRun, type SweepSpec } from './spec.ts';

export interface ValidatedSweep {
  /** The base config with every default spelled out. */
  base: ResolvedExperimentConfig;
  runs: SweepRun[];
}

/** Throws an Error naming the key or the point that is wrong. */
export async function validateSweep(spec: SweepSpec): Promise<ValidatedSweep> {
  let base: ResolvedExperimentConfig;
  try {
    base = await resolveExperimentConfig(spec.base);
  } catch (e) {
    throw new Error(
      `invalid sweep spec at base: ${e instanceof Error ? e.message.replace(/^invalid experiment config at /, '') : String(e)}`,
    );
  }
  try {
    checkConfigKeys(base, [...sweptKeys(spec), spec.seedKey]);
  } catch (e) {
    throw new Error(`invalid sweep spec at params: ${e instanceof Error ? e.message : String(e)}`);
  }
  const runs = expandSweep(spec);
  const checked = new Set<number>();
  for (const r of runs) {
    if (checked.has(r.pointIndex)) continue;
    checked.add(r.pointIndex);
    try {
      await resolveExperimentConfig(r.config);
    } catch (e) {
      const where = Object.entries(r.point)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', ');
      throw new Error(
        `invalid sweep spec: point ${r.pointIndex} (${where}): ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  return { base, runs };
}
