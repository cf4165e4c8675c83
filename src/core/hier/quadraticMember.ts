/**
 * A population member with known optimal hyperparameters, to check the MF-PBT machinery (genetics,
 * copies, sharding, worker threads) without the cost of a hierarchy: `lab hier pbt --env quadratic`.
 *
 * The member tracks a drifting target θ* in 4 dimensions by gradient steps on ½·Σ h_j (θ_j − θ*_j)²
 * with gradient noise: dimensions 0–1 have curvature 2 and learning rate `quadratic.lrA`, 2–3
 * curvature 8 and `quadratic.lrB`. One step scales the error by (1 − lr·h), so the fastest tracking
 * is lr = 1/h (0.5 and 0.125); lr ≥ 2/h diverges. The target jumps (a seeded random walk shared by
 * all members) every `period` steps; the score is minus the mean squared error over the steps of the
 * last `train` call, so members with rates near 1/h score best. Its state (θ, steps trained) is the
 * snapshot, so a copy continues exactly where the parent stood.
 */
import type { CheckpointArtifacts } from '../agents/checkpoint.ts';
import { Rng } from '../rng.ts';
import type { HyperparameterSpec } from '../sweeps/mfpbt.ts';
import type { PbtMember } from './population.ts';

export const QUADRATIC_CURVATURE = [2, 2, 8, 8] as const;
/** The rates that track fastest (1/h), what a working population should move toward. */
export const QUADRATIC_OPTIMA = { 'quadratic.lrA': 0.5, 'quadratic.lrB': 0.125 } as const;

export const QUADRATIC_SEARCH: HyperparameterSpec[] = [
  { name: 'quadratic.lrA', min: 0.005, max: 1, init: 'log-uniform' },
  { name: 'quadratic.lrB', min: 0.005, max: 1, init: 'log-uniform' },
];

export interface QuadraticOptions {
  /** Steps between target jumps (default 10). */
  period?: number;
  /** Gradient noise std (default 0.1). */
  noise?: number;
  /** Seed of the target's walk, shared by the population (default 0). */
  envSeed?: number;
}

// A checkpoint in the lab's layout (agents/checkpoint.ts): θ as one float32 weight, steps in meta.
const FORMAT = 'rl-trading-lab/checkpoint';
const DIM = QUADRATIC_CURVATURE.length;
const LIMIT = 1e6;

export function createQuadraticMember(seed: number, opts: QuadraticOptions = {}): PbtMember {
  const period = opts.period ?? 10;
  const noise = opts.noise ?? 0.1;
  const envRng = new Rng(opts.envSeed ?? 0);
  const targets = new Map<number, Float64Array>();
  // Target of block k: a random walk of unit steps from 0, the same for every member.
  const targetAt = (step: number): Float64Array => {
    const k = Math.floor(step / period);
    let t = targets.get(k);
    if (!t) {
      const prev = k === 0 ? new Float64Array(DIM) : targetAt((k - 1) * period);
      const r = envRng.fork(k);
      t = prev.map((v) => v + r.normal(0, 3));
      targets.set(k, t);
    }
    return t;
  };
  let theta = new Float32Array(DIM);
  let steps = 0;
  let lastMse = NaN;
  let hps: Record<string, number> = { ...QUADRATIC_OPTIMA };
  return {
    async train(n) {
      const lr = [hps['quadratic.lrA'], hps['quadratic.lrA'], hps['quadratic.lrB'], hps['quadratic.lrB']];
      let sum = 0;
      for (let s = 0; s < n; s++) {
        const t = targetAt(steps);
        // Noise from the member's seed and the step: a copy continues with its own stream.
        const r = new Rng(seed).fork(steps);
        let se = 0;
        for (let j = 0; j < DIM; j++) {
          const g = QUADRATIC_CURVATURE[j] * (theta[j] - t[j]) + r.normal(0, noise);
          theta[j] = Math.max(-LIMIT, Math.min(LIMIT, theta[j] - lr[j] * g));
          se += (theta[j] - t[j]) ** 2;
        }
        sum += se / DIM;
        steps++;
      }
      lastMse = sum / Math.max(1, n);
    },
    async score() {
      return -lastMse;
    },
    async snapshot(): Promise<CheckpointArtifacts> {
      return {
        modelTopology: {
          format: FORMAT,
          version: 1,
          meta: { netConfig: { kind: 'quadratic', dim: DIM }, globalStep: steps, extra: { lastMse } },
          weightNames: ['theta'],
        },
        format: FORMAT,
        generatedBy: 'rl-trading-lab',
        convertedBy: null,
        weightSpecs: [{ name: 'theta', shape: [DIM], dtype: 'float32' }],
        weightData: theta.slice().buffer,
      };
    },
    async restore(s) {
      const meta = (s.modelTopology as { meta?: { globalStep?: number; extra?: { lastMse?: number } } }).meta;
      if (s.weightData.byteLength !== DIM * 4 || typeof meta?.globalStep !== 'number')
        throw new Error('quadratic member: not a snapshot of a quadratic member');
      theta = new Float32Array(s.weightData.slice(0));
      steps = meta.globalStep;
      lastMse = meta.extra?.lastMse ?? NaN;
    },
    hyperparameters: () => ({ ...hps }),
    setHyperparameters(h) {
      for (const k of Object.keys(h))
        if (!(k in QUADRATIC_OPTIMA)) throw new Error(`quadratic member: no hyperparameter '${k}'`);
      hps = { ...hps, ...h };
    },
    dispose() {
      targets.clear();
    },
  };
}

/** The member's state as numbers (tests): θ and steps trained. */
export function quadraticState(s: CheckpointArtifacts): { theta: number[]; steps: number } {
  const meta = (s.modelTopology as { meta: { globalStep: number } }).meta;
  return { theta: Array.from(new Float32Array(s.weightData)), steps: meta.globalStep };
}
