/**
 * Workflows: the systems the lab holds (seed 003's market RL first; seeds 000, 004, 002 and 001
 * join as `kol`, `ensemble`, `hierarchical`, `supplychain`). A workflow declares what it is, what
 * data it needs, which config fields its Setup and Agent views show, which algorithms it trains and
 * which result sections it fills; the lab's start view, panels and share links, and the `lab` CLI
 * are driven by these declarations. How it runs (prepare → train through the one training loop →
 * evaluate) lives beside it in ./runners.ts, which the trainer worker and the CLI import; this
 * file stays free of tfjs and of the runner so the page can read it.
 *
 * Adding a workflow: declare it here (config fields in the vocabulary or its own section), give it
 * a runner in runners.ts, and, where it shows something new, a result section in the lab.
 */
import {
  defaultsOf,
  fieldSchema,
  type FieldSpec,
  type FieldValue,
  type Values,
} from '../experiment/fields.ts';
import { isPlainObject } from '../experiment/merge.ts';
import {
  ALGO_IDS,
  DATA_FIELDS,
  ENV_FIELDS,
  FEATURE_FIELDS,
  RUN_FIELDS,
  SPLIT_FIELDS,
  SYNTHETIC_FIELDS,
  flatten,
  unflatten,
} from '../experiment/vocabulary.ts';
import { hierarchicalWorkflow } from '../hier/workflow.ts';
import { kolWorkflow } from '../kol/workflow.ts';
import { ENSEMBLE_FIELDS } from './ensembleFields.ts';

/**
 * Result sections every workflow may list (src/ui/results draws them from the evaluation's splits).
 * A workflow's own sections are named `<workflow>-<name>` (`kol-deviation`), read their data from
 * `RunEvaluation.extras[<section id>]` and are drawn by src/ui/results/sections.tsx.
 */
export const RESULT_SECTIONS = [
  'equity',
  'drawdown',
  'metrics',
  'rolling-sharpe',
  'monthly',
  'positions',
  'trades',
  'learning',
] as const;
export type ResultSection = (typeof RESULT_SECTIONS)[number];

import type { WorkflowDef } from './types.ts';

export type { WorkflowDef, WorkflowSection } from './types.ts';

const market: WorkflowDef = {
  id: 'market',
  title: 'Market RL (QTMRL)',
  seed: '003',
  summary:
    'Multi-asset trading with a shared cash pool: an actor-critic (A2C or PPO) with factorized BUY/SELL/HOLD heads reads a window of indicators through an MLP, TimeCNN or Transformer; BC and IQL learn offline from a collected dataset. Evaluated on train/valid/test against buy-and-hold, equal weight and moving-average baselines.',
  data: {
    needs: 'daily (or monthly) OHLCV bars of one or more assets',
    kinds: ['embedded', 'synthetic', 'panel'],
  },
  setup: [
    { id: 'data', title: 'Data', fields: [...DATA_FIELDS, ...SYNTHETIC_FIELDS] },
    { id: 'splits', title: 'Splits', fields: SPLIT_FIELDS },
    { id: 'features', title: 'Features', fields: FEATURE_FIELDS },
    { id: 'env', title: 'Environment', fields: ENV_FIELDS },
    { id: 'run', title: 'Run', fields: RUN_FIELDS.filter((f) => f.path !== 'algo') },
  ],
  algorithms: ALGO_IDS,
  results: ['equity', 'drawdown', 'metrics', 'rolling-sharpe', 'monthly', 'positions', 'trades', 'learning'],
  start: {},
  cli: 'lab train',
};

/** Ensemble settings by name, in the order given (a form section). */
function ensembleFields(names: readonly string[]): FieldSpec[] {
  return names.map((n) => {
    const f = ENSEMBLE_FIELDS.find((x) => x.path === `ensemble.${n}`);
    if (!f) throw new Error(`ensemble: no setting ensemble.${n}`);
    return f;
  });
}

/** Seed 004: the runner is ./ensembleRunner.ts (agent = the ensemble with the BC policy as 4th analyst). */
const ensemble: WorkflowDef = {
  id: 'ensemble',
  title: 'Ensemble of analysts → BC → RL',
  seed: '004',
  summary:
    'Technical, news and risk/regime analysts vote on every day; behaviour cloning (34 → 128 → 128, action and strength heads) imitates the ensemble from its 34-feature states, joins it as a 4th analyst, and PPO fine-tunes it from the BC weights on a single-asset env. Evaluated per split: the ensemble with and without the RL analyst, PPO from BC and from scratch, and buy-and-hold.',
  data: {
    needs: 'daily OHLCV bars of one or more assets (PPO trades the first)',
    kinds: ['embedded', 'synthetic', 'panel'],
  },
  fields: ENSEMBLE_FIELDS,
  setup: [
    { id: 'data', title: 'Data', fields: [...DATA_FIELDS, ...SYNTHETIC_FIELDS] },
    { id: 'splits', title: 'Splits', fields: SPLIT_FIELDS },
    {
      id: 'ensemble',
      title: 'Ensemble',
      fields: ensembleFields(['threshold', 'weightTechnical', 'weightNews', 'news', 'fee']),
    },
    {
      id: 'bc',
      title: 'Behaviour cloning',
      fields: ensembleFields([
        'bcEpochs',
        'bcPatience',
        'bcDropout',
        'bcLearningRate',
        'bcBatchSize',
        'imbalance',
        'bcSeeds',
      ]),
    },
    {
      id: 'ppo',
      title: 'PPO fine-tuning',
      fields: ensembleFields(['rlWeight', 'ppoSteps', 'ppoLearningRate', 'ppoEpisodeLength']),
    },
    { id: 'run', title: 'Run', fields: RUN_FIELDS.filter((f) => f.path === 'seed') },
  ],
  postsSource: 'ensemble.news',
  learner:
    'behaviour cloning (action and strength heads), then PPO fine-tuning from its weights (settings in Setup)',
  algorithms: [],
  results: [
    'ensemble-votes',
    'equity',
    'metrics',
    'ensemble-checklist',
    'ensemble-bc',
    'ensemble-actions',
    'drawdown',
    'learning',
  ],
  start: {},
  cli: 'lab ensemble',
};

const WORKFLOWS: WorkflowDef[] = [market, kolWorkflow, ensemble, hierarchicalWorkflow];

export function workflows(): readonly WorkflowDef[] {
  return WORKFLOWS;
}

export function workflowIds(): string[] {
  return WORKFLOWS.map((w) => w.id);
}

/** The workflow of an id; throws naming the known ones. */
export function getWorkflow(id: string): WorkflowDef {
  const w = WORKFLOWS.find((x) => x.id === id);
  if (!w) throw new Error(`unknown workflow '${id}' (known: ${workflowIds().join(', ')})`);
  return w;
}

/** The declared field of a workflow setting's path (`kol.maxWeight`), in any registered workflow. */
export function workflowFieldOf(
  path: string,
  list: readonly WorkflowDef[] = WORKFLOWS,
): FieldSpec | undefined {
  const id = path.split('.')[0];
  return list.find((w) => w.id === id)?.fields?.find((f) => f.path === path);
}

/**
 * The problem with a config's workflow settings, naming the dotted path, or null: the object under
 * a workflow id must belong to the config's workflow and hold only its declared fields, in range.
 */
export function workflowSettingsError(
  config: Record<string, unknown>,
  list: readonly WorkflowDef[] = WORKFLOWS,
): string | null {
  const active = String(config.workflow ?? 'market');
  for (const w of list) {
    if (config[w.id] === undefined) continue;
    if (!w.fields || w.fields.length === 0) return `${w.id}: workflow ${w.id} has no settings of its own`;
    if (w.id !== active)
      return `${w.id}: settings of workflow ${w.id}, but the config's workflow is ${active}`;
    if (!isPlainObject(config[w.id])) return `${w.id}: expected an object of ${w.id} settings`;
    for (const [path, value] of Object.entries(flatten(config[w.id] as Record<string, unknown>, w.id))) {
      const f = w.fields.find((x) => x.path === path);
      if (!f)
        return `${path}: not a setting of workflow ${w.id} (known: ${w.fields.map((x) => x.path).join(', ')})`;
      const r = fieldSchema(f).safeParse(value);
      if (!r.success) return `${path}: ${r.error.issues[0]?.message ?? 'invalid value'}`;
    }
  }
  return null;
}

/** The flat values of the config's workflow settings, every declared field filled (its default). */
export function workflowValues(
  config: Record<string, unknown>,
  list: readonly WorkflowDef[] = WORKFLOWS,
): Values {
  const w = list.find((x) => x.id === String(config.workflow ?? 'market'));
  if (!w?.fields) return {};
  const given = isPlainObject(config[w.id]) ? flatten(config[w.id] as Record<string, unknown>, w.id) : {};
  return { ...defaultsOf(w.fields), ...(given as Record<string, FieldValue>) };
}

/** The workflow's settings object with every declared field filled (what a resolved config holds under its id). */
export function workflowSettings(
  config: Record<string, unknown>,
  list: readonly WorkflowDef[] = WORKFLOWS,
): Record<string, unknown> | undefined {
  const id = String(config.workflow ?? 'market');
  const values = workflowValues(config, list);
  if (Object.keys(values).length === 0) return undefined;
  return unflatten(values)[id] as Record<string, unknown>;
}

/** Whether these values make the workflow read the signals CSV loaded in the lab (its postsSource is 'file'). */
export function readsSignalsFile(workflow: string, values: Values): boolean {
  const w = WORKFLOWS.find((x) => x.id === workflow);
  return w?.postsSource !== undefined && values[w.postsSource] === 'file';
}
