/**
 * Seed 000, opinion leaders (KOL): signals import and lexicon scoring, the join to prices
 * (generate_reward), the baseline book, its evaluation and decision export, synthetic posts, and
 * the residual policy's pure parts (action map, text embedding, state, settings check).
 * Pure TypeScript on typed arrays: no DOM, no tfjs; one seeded Rng.
 */
export * from './types.ts';
export * from './issues.ts';
export * from './scorer.ts';
export * from './time.ts';
export * from './signals.ts';
export * from './book.ts';
export * from './prepare.ts';
export * from './evaluate.ts';
export * from './synthetic.ts';
export * from './residual.ts';
export * from './embedding.ts';
export * from './state.ts';
export * from './settings.ts';
export * from './workflow.ts';
export * from './meta.ts';
export * from './replay.ts';
