export * from './types.ts';
export * from './vector.ts';
export * from './trading.ts';
export * from './portfolio.ts';
export * from './check.ts';
export * from './replay.ts';
export type { EpisodeRows, SplitSelector } from './market.ts';
export { layoutSize } from './market.ts';
