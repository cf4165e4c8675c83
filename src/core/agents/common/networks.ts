/**
 * The on-policy agents' network, as serialisable config (it travels to workers and into
 * checkpoints): everything of nets/actorCritic.ts's ActorCriticConfig except what the env decides
 * (observation and action spaces, the market layout) and the seed (derived from the agent's seed).
 */
import type { Action, BoxSpace, Env, Space } from '../../envs/types.ts';
import type { MarketObsLayout } from '../../features/types.ts';
import { makeActorCritic, type ActorCritic, type ActorCriticConfig } from '../nets/actorCritic.ts';

export type NetworkSpec = Omit<ActorCriticConfig, 'obsSpace' | 'actionSpace' | 'seed' | 'layout'>;

/** CleanRL's Agent: separate 64×64 tanh actor and critic MLPs. */
export const defaultNetwork: NetworkSpec = { encoder: 'mlp', hidden: [64, 64], activation: 'tanh' };

/** The market observation layout of envs that have one (TradingEnv, PortfolioEnv). */
export function envLayout(env: Env<Action>): MarketObsLayout | undefined {
  const layout = (env as { layout?: MarketObsLayout }).layout;
  return layout && typeof layout.window === 'number' ? layout : undefined;
}

/** The full ActorCriticConfig for an env: the spec plus spaces, layout and seed. */
export function actorCriticConfig(
  spec: NetworkSpec,
  ctx: { observationSpace: BoxSpace; actionSpace: Space; layout?: MarketObsLayout; seed: number },
): ActorCriticConfig {
  const encoder = spec.encoder ?? 'mlp';
  if (encoder !== 'mlp' && !ctx.layout)
    throw new Error(
      `network encoder '${encoder}' needs a market env (an observation layout); this env has none — use encoder 'mlp'`,
    );
  const config: ActorCriticConfig = {
    ...spec,
    obsSpace: { shape: [...ctx.observationSpace.shape] },
    actionSpace: ctx.actionSpace,
    seed: ctx.seed,
  };
  if (ctx.layout) config.layout = ctx.layout;
  return config;
}

export function buildActorCritic(
  spec: NetworkSpec,
  ctx: { observationSpace: BoxSpace; actionSpace: Space; layout?: MarketObsLayout; seed: number },
): ActorCritic {
  return makeActorCritic(actorCriticConfig(spec, ctx));
}
