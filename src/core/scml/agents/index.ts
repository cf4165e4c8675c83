/** The reference agents by name (the tournament's and CLI's `--agents` vocabulary). */
import type { ScmlAgent } from '../world.ts';
import { GreedyAgent } from './greedy.ts';
import { PenguinAgent } from './penguin.ts';
import { RandomAgent } from './random.ts';
import { SyncRandomAgent } from './syncrandom.ts';

export const AGENT_TYPES = ['random', 'syncrandom', 'greedy', 'penguin'] as const;
export type AgentType = (typeof AGENT_TYPES)[number];

export function isAgentType(s: string): s is AgentType {
  return (AGENT_TYPES as readonly string[]).includes(s);
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
  }
}

export { GreedyAgent, PenguinAgent, RandomAgent, SyncRandomAgent };
