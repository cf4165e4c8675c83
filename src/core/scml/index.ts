/** SCML-lite (seed 001): the supply-chain negotiation world, its reference agents, tournaments and learning views. */
export {
  generateConfig,
  nAgentsOf,
  levelStarts,
  SCML_RANGES,
  type ScmlConfig,
  type ScmlConfigOptions,
} from './config.ts';
export {
  ACCEPT,
  END,
  REJECT,
  TIMEOUT,
  RESPONSE_NAMES,
  World,
  type ScmlAgent,
  type WorldLogger,
} from './world.ts';
export { Ledger, DaySettlement } from './ledger.ts';
export { AGENT_TYPES, isAgentType, makeAgent, type AgentType } from './agents/index.ts';
export { safeSellQty, penguinBuyNeed, penguinSellNeed } from './agents/penguin.ts';
export {
  tournamentRuns,
  shardWorldRuns,
  runWorld,
  summarizeScores,
  truncatedMean,
  type TournamentSpec,
  type WorldRun,
  type WorldResult,
  type TypeStats,
} from './tournament.ts';
export { ScmlParallelEnv, ScmlSingleAgentEnv, OBS_SIZE, type ScmlEnvOptions } from './env.ts';
