/** The run loop: runTraining, its control object, the metric schema, evaluation and the algorithm registry. */
export * from './trainer.ts';
export * from './control.ts';
export * from './metrics.ts';
export * from './evaluate.ts';
export * from './algorithms.ts';
