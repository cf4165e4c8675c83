/** Networks for the lab's agents: custom-gradient dense layers, MLPs, market encoders, actor-critics. */
export * from './module.ts';
export * from './init.ts';
export * from './dense.ts';
export * from './kernels.ts';
export * from './conv.ts';
export * from './mlp.ts';
export * from './attention.ts';
export * from './encoders.ts';
export * from './actorCritic.ts';
