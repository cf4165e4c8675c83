/** The run loop: runTraining, its control object, the metric schema and the algorithm registry (evaluation: ../experiment/evaluation.ts). */
export * from './trainer.ts';
export * from './control.ts';
export * from './metrics.ts';
export * from './algorithms.ts';
