/** The reference agents by name (the tournament's and CLI's `--agents` vocabulary). */
import type { ScmlAgent } from '../world.ts';
import { GreedyAgent } from './greedy.ts';
import { PenguinAgent } from './penguin.ts';
import { RandomAgent } from './random.ts';
import { SyncRandomAgent } from './syncrandom.ts';

export const AGENT_TYPES = ['random', 'syncrandom', 'greedy', 'penguin'] as const;
/** A built-in type, or `prefix:arg` served by a registered factory (e.g. `hrl:RUN`). */
export type AgentType = (typeof AGENT_TYPES)[number] | `${string}:${string}`;

/** Registration hook for agents outside this folder (the HRL agent): prefix → factory of `arg`. */
const factories = new Map<string, (arg: string) => ScmlAgent>();
export function registerAgentFactory(prefix: string, make: (arg: string) => ScmlAgent): void {
  factories.set(prefix, make);
}

export function isAgentType(s: string): s is AgentType {
  if ((AGENT_TYPES as readonly string[]).includes(s)) return true;
  const i = s.indexOf(':');
  return i > 0 && factories.has(s.slice(0, i));
}

export function makeAgent(type: AgentType): ScmlAgent {
  switch (type) {
    case 'random':
      return new RandomAgent();
    case 'syncrandom':
      return new SyncRandomAgent();
    case 'greedy':
      return new GreedyAgent();
    case 'penguin':
      return new PenguinAgent();
    default: {
      const i = type.indexOf(':');
      const make = i > 0 ? factories.get(type.slice(0, i)) : undefined;
      if (!make) throw new Error(`scml: unknown agent type '${type}'`);
      return make(type.slice(i + 1));
    }
  }
}

export { GreedyAgent, PenguinAgent, RandomAgent, SyncRandomAgent };
