/** The one experiment runner (worker, `lab train`, sweeps): config → panel → features → envs → train → evaluate. */
export * from './config.ts';
export * from './data.ts';
export * from './evaluation.ts';
export * from './run.ts';
export type * from './types.ts';
