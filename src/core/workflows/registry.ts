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
import type { FieldSpec, Values } from '../experiment/fields.ts';
import {
  ALGO_IDS,
  DATA_FIELDS,
  ENV_FIELDS,
  FEATURE_FIELDS,
  RUN_FIELDS,
  SPLIT_FIELDS,
  SYNTHETIC_FIELDS,
  type AlgoId,
} from '../experiment/vocabulary.ts';

/** Result sections the lab knows how to draw (src/ui/results). */
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

export interface WorkflowSection {
  id: string;
  title: string;
  /** The fields of this section, in form order (each field's own `when` still applies). */
  fields: readonly FieldSpec[];
}

export interface WorkflowDef {
  /** Stable id: share links carry `workflow=<id>`, the CLI names it. */
  id: string;
  title: string;
  /** The design document it implements (shared/seeds). */
  seed: string;
  /** One paragraph for the start view. */
  summary: string;
  /** What data it needs, in words, and which data sources it accepts. */
  data: { needs: string; kinds: readonly ('embedded' | 'synthetic' | 'panel')[] };
  /** Panels of the lab: Setup (data, splits, features, env) and the run fields. */
  setup: readonly WorkflowSection[];
  /** Algorithms it trains (the Agent panel's choice). */
  algorithms: readonly AlgoId[];
  /** What its Results view shows, in order. */
  results: readonly ResultSection[];
  /** Start values over the default experiment (one click on the start view). */
  start: Values;
  /** The `lab` subcommand that runs it headless. */
  cli: string;
}

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

const WORKFLOWS: WorkflowDef[] = [market];

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
