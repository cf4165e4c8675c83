/**
 * One member of the hierarchical workflow's MF-PBT population (population.ts drives many): a whole
 * hierarchy (experts + discriminator + router) that trains for a number of env steps, scores itself
 * on the validation split, and can be snapshotted into / restored from one checkpoint so that a
 * weak member copies a strong one (exploit) and perturbs its hyperparameters (explore).
 *
 * The snapshot is the experts' checkpoint (agents/hier/experts.ts) with the router's PPO checkpoint
 * (model.json + weights, base64) and the counters in its `extra`; the shared replay is not part of
 * it (as SAC's checkpoints: a restored member refills it from its restored policies).
 */
import type { CheckpointArtifacts } from '../agents/checkpoint.ts';
import { fromFiles, readCheckpointMeta, toFiles } from '../agents/checkpoint.ts';
import { setLearningRate } from '../agents/common/optim.ts';
import type { Panel } from '../data/types.ts';
import { prepareExperiment } from '../experiment/run.ts';
import type { RunControl } from '../run/control.ts';
import { hierConfigOf } from './workflow.ts';
import { evaluateHierarchySplit } from './evaluate.ts';
import { Hierarchy, trainHierarchy } from './train.ts';

export interface PbtMember {
  /** Train this many more env steps (alternate freezing continues where it stopped); honours pause/stop. */
  train(steps: number, control?: RunControl): Promise<void>;
  /** The hierarchy's annualised Sharpe ratio on the validation split (deterministic book, after costs). */
  score(): Promise<number>;
  /** Weights + optimiser states + Rng states + counters of every expert, the discriminator and the router. */
  snapshot(): Promise<CheckpointArtifacts>;
  restore(s: CheckpointArtifacts): Promise<void>;
  /** The searched hyperparameters by dotted path (`hierarchical.miRewardWeight`, …). */
  hyperparameters(): Record<string, number>;
  setHyperparameters(h: Record<string, number>): void;
  dispose(): void;
}

/** The hyperparameters a member exposes to PBT (dotted paths of the workflow's fields). */
export const HIER_PBT_HYPERPARAMETERS = [
  'hierarchical.miRewardWeight',
  'hierarchical.klLambda',
  'hierarchical.entCoef',
  'hierarchical.expertLearningRate',
  'hierarchical.routerLearningRate',
] as const;

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * A population member over an experiment config of the `hierarchical` workflow (its data section
 * names the panel's source; `seed` replaces the config's seed). The features are built on first use.
 */
/** A hierarchy member; `hierarchy()` hands the live hierarchy to the runner that evaluates a population's best. */
export interface HierMember extends PbtMember {
  hierarchy(): Promise<Hierarchy>;
}

export function createHierMember(panel: Panel, config: unknown, seed: number): HierMember {
  const cfg = { ...(config as Record<string, unknown>), seed };
  const hc = hierConfigOf(cfg);
  let built: Promise<Hierarchy> | null = null;
  let h: Hierarchy | null = null;
  const pending: Record<string, number> = {};
  const hierarchy = async (): Promise<Hierarchy> => {
    built ??= prepareExperiment(cfg, panel).then((prep) => {
      h = new Hierarchy(prep, hc, seed);
      apply(h, pending);
      return h;
    });
    return built;
  };
  let prepared: Awaited<ReturnType<typeof prepareExperiment>> | null = null;
  const apply = (x: Hierarchy, hp: Record<string, number>) => {
    for (const [k, v] of Object.entries(hp)) {
      if (!(HIER_PBT_HYPERPARAMETERS as readonly string[]).includes(k))
        throw new Error(
          `${k}: not a hyperparameter of a hierarchy member (${HIER_PBT_HYPERPARAMETERS.join(', ')})`,
        );
      if (!Number.isFinite(v)) throw new Error(`${k}: must be a finite number, got ${v}`);
      const name = k.slice('hierarchical.'.length) as keyof typeof hc;
      (hc as unknown as Record<string, number>)[name] = v;
      if (k === 'hierarchical.miRewardWeight') x.setWeights({ miRewardWeight: v });
      else if (k === 'hierarchical.klLambda') x.setWeights({ klLambda: v });
      else if (k === 'hierarchical.entCoef') x.router.config.entCoef = v;
      else if (k === 'hierarchical.expertLearningRate') x.experts.setLearningRate(v);
      else if (k === 'hierarchical.routerLearningRate') {
        x.router.config.learningRate = v;
        setLearningRate(x.router.optimizer, v);
      }
    }
  };
  return {
    hierarchy,
    async train(steps, control) {
      const x = await hierarchy();
      await trainHierarchy(x, hc, { steps, control });
    },
    async score() {
      const x = await hierarchy();
      prepared ??= await prepareExperiment(cfg, panel);
      const res = await evaluateHierarchySplit(x, 'valid', {
        annualization: prepared.annualization,
        costs: prepared.costs,
        baselines: [],
        regimeOfRow: null,
        regimes: 0,
        experts: false,
      });
      const s = res.evaluation.metrics.agent.sharpe;
      return typeof s === 'number' && Number.isFinite(s) ? s : -Infinity;
    },
    async snapshot() {
      const x = await hierarchy();
      const router = toFiles(await x.router.saveCheckpoint());
      return x.experts.save({
        router: { json: router.json, weights: toBase64(router.weights) },
        envSteps: x.envSteps,
        cycles: x.cycles,
        klLambda: x.shared.klLambda,
        hyperparameters: this.hyperparameters(),
      });
    },
    async restore(s) {
      const x = await hierarchy();
      const extra = (readCheckpointMeta(s).extra ?? {}) as {
        router?: { json: string; weights: string };
        envSteps?: number;
        cycles?: number;
        hyperparameters?: Record<string, number>;
      };
      if (!extra.router) throw new Error('restore: not a hierarchy member checkpoint (no router inside)');
      await x.experts.load(s);
      x.expertsChanged();
      await x.router.loadCheckpoint(fromFiles(extra.router.json, fromBase64(extra.router.weights)));
      x.shared.envSteps = extra.envSteps ?? x.shared.envSteps;
      x.cycles = extra.cycles ?? x.cycles;
      if (extra.hyperparameters) apply(x, extra.hyperparameters);
    },
    hyperparameters() {
      const out: Record<string, number> = {};
      for (const k of HIER_PBT_HYPERPARAMETERS)
        out[k] = (hc as unknown as Record<string, number>)[k.slice('hierarchical.'.length)];
      return out;
    },
    setHyperparameters(hp) {
      if (h) apply(h, hp);
      else {
        Object.assign(pending, hp);
        for (const [k, v] of Object.entries(hp))
          (hc as unknown as Record<string, number>)[k.slice('hierarchical.'.length)] = v;
      }
    },
    dispose() {
      h?.dispose();
      h = null;
      built = null;
    },
  };
}
