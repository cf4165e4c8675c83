/**
 * Seed 004: an ensemble of analysts (technical, news/sentiment, risk/regime) → a weighted vote →
 * a position per day and asset; its backtest beside buy-and-hold; and the 34-feature offline
 * dataset labelled with the ensemble's action and strength, for behaviour cloning.
 * Pure core: typed arrays, no DOM, no tfjs.
 */
export * from './types.ts';
export * from './technical.ts';
export * from './signals.ts';
export * from './news.ts';
export * from './risk.ts';
export * from './vote.ts';
export * from './backtest.ts';
export * from './ensemble.ts';
export * from './state.ts';
export * from './dataset.ts';
export * from './rlAnalyst.ts';
export * from './env.ts';
export * from './report.ts';
export * from './tables.ts';
