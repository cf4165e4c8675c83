/**
 * SCML-lite world throughput in simulated agent-days per second (factories × days), without
 * learning agents and without logs: a fixed tournament of the four reference agents (round-robin
 * over factories) on seeded configurations from the note's ranges, after a warm-up world.
 * Figures: `agent_days_per_s` (wall clock, one thread = one core), `agent_days_per_cpu_s` (per
 * second of this process's CPU time; a shared machine distorts it less), the same for worlds of
 * Penguins only and of Random agents only (Random's threads run to the 20-round limit: the worst
 * case), and the target. Target (issue 14): ≥ 10,000 agent-days/s per core.
 */
import type { AgentType } from '../../core/scml/agents/index.ts';
import { runWorld, tournamentRuns, type TournamentSpec } from '../../core/scml/tournament.ts';

export const SCML_TARGET_AGENT_DAYS_PER_S = 10_000;

function measure(
  agents: readonly AgentType[],
  configs: number,
): { wall: number; cpu: number; agentDays: number } {
  const spec: TournamentSpec = { agents, configs, seed: 12345 };
  const runs = tournamentRuns(spec);
  runWorld(spec, runs[0], { negotiations: false, daily: false }); // warm-up
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let agentDays = 0;
  for (const run of runs) agentDays += runWorld(spec, run, { negotiations: false, daily: false }).agentDays;
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wall: agentDays / wallS, cpu: agentDays / ((cpu.user + cpu.system) / 1e6), agentDays };
}

export async function benchScml(): Promise<Record<string, number | string | boolean>> {
  const mixed = measure(['random', 'syncrandom', 'greedy', 'penguin'], 8);
  const penguin = measure(['penguin'], 8);
  const random = measure(['random'], 4);
  return {
    unit: 'simulated agent-days per second (factories × days), one thread',
    agent_days: mixed.agentDays,
    agent_days_per_s: Math.round(mixed.wall),
    agent_days_per_cpu_s: Math.round(mixed.cpu),
    penguin_only_agent_days_per_s: Math.round(penguin.wall),
    random_only_agent_days_per_s: Math.round(random.wall),
    target_agent_days_per_s: SCML_TARGET_AGENT_DAYS_PER_S,
    meets_target: mixed.cpu >= SCML_TARGET_AGENT_DAYS_PER_S,
  };
}
