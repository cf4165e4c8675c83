/**
 * The lab's experiment: core's flat values (dotted path → value, core units) plus what a link adds
 * (assets, workflow, name, undeclared extras). Every field is declared once, in core
 * (src/core/experiment/vocabulary.ts); the store only keeps values, per algorithm for the agent so
 * switching algorithm keeps what the user set. Share links and train requests come from core's
 * codec (src/core/experiment/link.ts): nothing here translates names or units.
 */
import { defaultsOf, type FieldSpec, type FieldValue, type Values } from '../core/experiment/fields.ts';
import { configOf, linkOfConfig, parseLink, type ParsedLink } from '../core/experiment/link.ts';
import {
  activeFields,
  agentValues,
  ALGO_IDS,
  defaultSplitsFor,
  defaultValues,
  fieldOf,
  matchingPreset,
  normalizeValues,
  splitValues,
  type AlgoId,
} from '../core/experiment/vocabulary.ts';
import { getWorkflow, workflowIds, type WorkflowDef } from '../core/workflows/registry.ts';

export interface Experiment {
  /** Workflow id (core/workflows/registry.ts); share links carry it. */
  workflow: string;
  /** Every non-agent value (data, splits, features, env, run — `algo` among them). */
  values: Values;
  /** Agent values (`agent.*`) of every algorithm. */
  agents: Record<AlgoId, Values>;
  /** Config leaves no field declares (from a link), carried through unchanged. */
  extras: Record<string, unknown>;
  /** Selected tickers; empty = all assets of the dataset. */
  assets: string[];
  name: string | null;
}

const isAgentPath = (path: string) => path.startsWith('agent.');

export function algoOf(e: Experiment): AlgoId {
  return e.values.algo as AlgoId;
}

const defaultsByWorkflow = new Map<string, Readonly<Values>>();

/**
 * Defaults of a workflow's own settings (`kol.maxWeight`, …; none for market), computed once per
 * workflow: flatValues runs in store selectors on every update. Callers spread it, never mutate it.
 */
function workflowDefaults(workflow: string): Readonly<Values> {
  let d = defaultsByWorkflow.get(workflow);
  if (!d) {
    d = Object.freeze(workflowIds().includes(workflow) ? defaultsOf(getWorkflow(workflow).fields ?? []) : {});
    defaultsByWorkflow.set(workflow, d);
  }
  return d;
}

/** The experiment's flat values: the workflow's settings, common values and the current algorithm's agent values. */
export function flatValues(e: Experiment): Values {
  return { ...workflowDefaults(e.workflow), ...e.values, ...e.agents[algoOf(e)] };
}

/** Splits flat values back into the experiment (normalised: new fields filled, hidden ones dropped). */
export function withFlat(e: Experiment, flat: Values): Experiment {
  const v = normalizeValues(flat);
  const algo = v.algo as AlgoId;
  const values: Values = {};
  const agent: Values = {};
  for (const [k, x] of Object.entries(v)) (isAgentPath(k) ? agent : values)[k] = x;
  return { ...e, values, agents: { ...e.agents, [algo]: agent } };
}

function allAgentDefaults(): Record<AlgoId, Values> {
  return Object.fromEntries(
    ALGO_IDS.map((a) => [a, normalizeValues({ ...defaultValues(), algo: a, ...agentValues(a) })]).map(
      ([a, v]) => [a, Object.fromEntries(Object.entries(v as Values).filter(([k]) => isAgentPath(k)))],
    ),
  ) as Record<AlgoId, Values>;
}

/** The default experiment of a workflow (its start values over core's defaults). */
export function defaultExperiment(workflow = 'market'): Experiment {
  const w = getWorkflow(workflow);
  const base: Experiment = {
    workflow: w.id,
    values: {},
    agents: allAgentDefaults(),
    extras: {},
    assets: [],
    name: null,
  };
  const flat: Values = { ...defaultValues(), ...workflowDefaults(w.id), ...structuredClone(w.start) };
  // A start market other than the default data gets that data's default splits (a synthetic market
  // starting in 2000 would otherwise keep the S&P 500's dates and have empty valid and test splits),
  // unless the start values set splits themselves.
  const startsOwnData = 'data.kind' in w.start || 'data.name' in w.start;
  if (startsOwnData && !Object.keys(w.start).some((k) => k.startsWith('splits.'))) {
    for (const k of Object.keys(flat)) if (k.startsWith('splits.')) delete flat[k];
    const kind = String(flat['data.kind']);
    Object.assign(flat, splitValues(defaultSplitsFor({ kind, name: String(flat['data.name'] ?? 'sp500') })));
  }
  return withFlat(base, flat);
}

/** The experiment of a parsed link (other algorithms keep their defaults). */
export function experimentOfLink(p: ParsedLink): Experiment {
  const workflow = workflowIds().includes(p.workflow) ? p.workflow : 'market';
  const e: Experiment = {
    ...defaultExperiment(workflow),
    extras: structuredClone(p.extras),
    assets: [...p.assets],
    name: p.name,
  };
  return withFlat(e, p.values);
}

/** Reads a link (`#…`, a URL, or the text); unknown or invalid values fall back with notices. */
export function experimentOfHash(hash: string): { experiment: Experiment; notices: string[] } {
  const p = parseLink(hash);
  const notices = [...p.notices];
  if (!workflowIds().includes(p.workflow))
    notices.push(`Unknown workflow “${p.workflow.slice(0, 40)}” in the link; using market.`);
  return { experiment: experimentOfLink(p), notices };
}

/** The agent preset the current values match, or null (custom). */
export function presetOf(e: Experiment): string | null {
  return matchingPreset(algoOf(e), e.agents[algoOf(e)]);
}

/** The ExperimentConfig input of the experiment: what Train sends, what a config file holds. */
export function configOfExperiment(e: Experiment): Record<string, unknown> {
  const preset = presetOf(e);
  return configOf({
    values: flatValues(e),
    extras: e.extras,
    assets: e.assets,
    workflow: e.workflow,
    name: e.name,
    preset: preset ?? 'standard',
  });
}

/** The share-link text (without '#'). */
export function hashOfExperiment(e: Experiment): string {
  return linkOfConfig(configOfExperiment(e));
}

/** Sets one value by its dotted path; the data source resets splits and assets to its defaults. */
export function setValueIn(e: Experiment, path: string, value: FieldValue): Experiment {
  const flat = { ...flatValues(e), [path]: value };
  if (path === 'algo') return withFlat(e, { ...e.values, algo: value, ...e.agents[value as AlgoId] });
  if (path === 'data.kind' || path === 'data.name') {
    for (const k of Object.keys(flat)) if (k.startsWith('splits.')) delete flat[k];
    const kind = String(flat['data.kind']);
    Object.assign(flat, splitValues(defaultSplitsFor({ kind, name: String(flat['data.name'] ?? 'sp500') })));
    return { ...withFlat(e, flat), assets: [] };
  }
  return withFlat(e, flat);
}

/** Error key of a field: agent errors belong to their algorithm. */
export function errorKey(path: string, algo: AlgoId): string {
  return isAgentPath(path) ? `${algo}:${path}` : path;
}

/** Whether the splits are dates or fractions of the rows. */
export function splitMode(values: Values): 'dates' | 'fractions' {
  return values['splits.fractions.train'] !== undefined ? 'fractions' : 'dates';
}

/** Cross-field problems of the splits (ordered dates, not overlapping; fractions leave test rows). */
export function splitProblems(values: Values): string[] {
  const out: string[] = [];
  if (splitMode(values) === 'fractions') {
    const t = Number(values['splits.fractions.train']);
    const v = Number(values['splits.fractions.valid']);
    if (t + v >= 1) out.push('train + valid shares must leave some rows for test');
    return out;
  }
  const g = (k: string) => String(values[`splits.${k}`]);
  for (const name of ['train', 'valid', 'test'])
    if (g(`${name}.start`) > g(`${name}.end`)) out.push(`${name} starts after it ends`);
  if (g('train.end') >= g('valid.start')) out.push('train must end before valid starts');
  if (g('valid.end') >= g('test.start')) out.push('valid must end before test starts');
  return out;
}

/** The panel a field belongs to, for messages ('Data', 'Setup', 'Agent', 'Train'). */
export function panelOf(path: string): string {
  if (isAgentPath(path) || path === 'algo') return 'Agent';
  if (path.startsWith('data.') || path.startsWith('splits.')) return 'Data';
  if (path.startsWith('features.') || path.startsWith('env.') || path === 'envKind') return 'Setup';
  return 'Train';
}

/** The active fields of the experiment in a workflow section's order. */
export function shownFields(fields: readonly FieldSpec[], flat: Values): FieldSpec[] {
  return fields.filter((f) => !f.when || f.when(flat));
}

/** The field spec of a path for the experiment's algorithm. */
export function specOf(e: Experiment, path: string): FieldSpec | undefined {
  return fieldOf(path, algoOf(e));
}

export { activeFields };
export type { AlgoId, FieldSpec, FieldValue, Values, WorkflowDef };
