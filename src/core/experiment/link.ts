/**
 * Share links: an experiment ⇄ the `key=value&…` text after `#` (TF Playground style), keys being
 * the config's dotted paths (`agent.learningRate=0.0007&env.feeRate=0.0005`). The lab writes it
 * after every change, `lab config from-link` / `to-link` read and write it, so a link reproduces
 * the same run in the browser and headless.
 *
 * Declared fields (vocabulary.ts) are written as text (`64,64`, `null` for off); any other leaf
 * of a config (say `agent.network.activation`) as JSON, so a config file survives the round trip.
 * Reading never throws: an unknown key or an invalid value is dropped for its default and listed
 * in `notices`, which the lab shows and `lab config from-link` prints. Pure: no DOM.
 */
import { formatFieldValue, parseFieldText, type FieldValue, type Values } from './fields.ts';
import { isPlainObject } from './merge.ts';
import { workflowFieldOf, workflowValues } from '../workflows/registry.ts';
import {
  activeFields,
  agentValues,
  defaultTotalSteps,
  ALGO_IDS,
  defaultSplitsFor,
  defaultValues,
  fieldOf,
  flatten,
  normalizeValues,
  splitValues,
  unflatten,
  valuesOfConfig,
  type AlgoId,
} from './vocabulary.ts';

const MAX_LINK_LENGTH = 16_000;
const TICKER = /^[A-Za-z0-9.^_=-]{1,24}$/;
/** Leaves of a config that are not declared fields but may travel as JSON (checked when the config resolves). */
const FREE_PREFIXES = ['agent.', 'env.', 'eval.', 'features.', 'data.config.'];
/** Keys a link carries besides field paths. */
const SPECIAL_KEYS = ['workflow', 'name', 'preset', 'assets'];

/** Short, safe rendering of untrusted text for a notice. */
function show(text: string): string {
  const clean = Array.from(text, (ch) => (ch.charCodeAt(0) < 32 ? '?' : ch)).join('');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}

/** The link text (without '#') of an experiment config (input or resolved). */
export function linkOfConfig(config: Record<string, unknown>): string {
  const params = new URLSearchParams();
  params.set('workflow', String(config.workflow ?? 'market'));
  const given = valuesOfConfig(config);
  const base = defaultValues();
  // Splits: the config's own (dates or fractions, not a mix), else its data source's default.
  for (const k of Object.keys(base)) if (k.startsWith('splits.')) delete base[k];
  if (!Object.keys(given).some((k) => k.startsWith('splits.')))
    Object.assign(
      base,
      splitValues(
        defaultSplitsFor(
          isPlainObject(config.data) ? (config.data as { kind: string; name?: string }) : undefined,
        ),
      ),
    );
  // Agent values and step budget: the config's algorithm's (and preset's) defaults under what it sets.
  if (given.algo !== undefined && given.algo !== base.algo) {
    Object.assign(
      base,
      agentValues(given.algo as AlgoId, typeof config.preset === 'string' ? config.preset : 'standard'),
    );
    base.totalSteps = defaultTotalSteps(String(given.algo));
  }
  const values = normalizeValues({ ...base, ...given });
  const algo = (values.algo ?? 'a2c') as AlgoId;
  for (const f of activeFields(values)) {
    const v = values[f.path];
    if (v !== undefined) params.set(f.path, formatFieldValue(f, v));
  }
  // The workflow's own settings (kol.maxWeight, …), every one spelled out like the shared fields.
  const own = workflowValues(config);
  for (const [path, v] of Object.entries(own)) {
    const f = workflowFieldOf(path);
    if (f && (!f.when || f.when(own))) params.set(path, formatFieldValue(f, v));
  }
  if (config.preset !== undefined && config.preset !== 'standard')
    params.set('preset', String(config.preset));
  if (typeof config.name === 'string' && config.name !== 'experiment') params.set('name', config.name);
  if (Array.isArray(config.assets) && config.assets.length > 0) params.set('assets', config.assets.join(','));
  // Leaves no field declares (a network's activation, eval.baselines, …) travel as JSON.
  for (const [path, v] of Object.entries(flatten(config))) {
    if (fieldOf(path, algo) || SPECIAL_KEYS.includes(path) || params.has(path)) continue;
    if (!FREE_PREFIXES.some((p) => path.startsWith(p))) continue;
    if (path.startsWith('features.') && fieldOf(path.split('.').slice(0, 2).join('.'), algo)) continue;
    params.set(path, JSON.stringify(v));
  }
  return params.toString();
}

export interface ParsedLink {
  /** The ExperimentConfig input the link describes (defaults for whatever it leaves out). */
  config: Record<string, unknown>;
  /** Its declared fields as flat values (what the lab's forms edit). */
  values: Values;
  /** Leaves beyond the declared fields, already parsed (dotted path → value). */
  extras: Record<string, unknown>;
  assets: string[];
  workflow: string;
  preset: string;
  name: string | null;
  /** What was dropped or adjusted, for the user. */
  notices: string[];
}

/** Reads a link, a URL with a hash, or the hash alone; never throws. */
export function parseLink(input: string): ParsedLink {
  const notices: string[] = [];
  const hashAt = input.indexOf('#');
  const text = (hashAt >= 0 ? input.slice(hashAt + 1) : input).trim();
  const out: ParsedLink = {
    config: {},
    values: defaultValues(),
    extras: {},
    assets: [],
    workflow: 'market',
    preset: 'standard',
    name: null,
    notices,
  };
  if (text === '') return finish(out);
  if (text.length > MAX_LINK_LENGTH) {
    notices.push(`The link is too long (${text.length} characters); the default experiment is used instead.`);
    return finish(out);
  }
  let params: [string, string][];
  try {
    params = [...new URLSearchParams(text).entries()];
  } catch {
    notices.push('The link could not be read; the default experiment is used instead.');
    return finish(out);
  }
  const get = (k: string) => params.find(([key]) => key === k)?.[1];
  // Data source and algorithm decide the defaults of the splits and the agent: apply them first.
  const values = out.values;
  const algoText = get('algo');
  if (algoText !== undefined) {
    if ((ALGO_IDS as readonly string[]).includes(algoText)) values.algo = algoText;
    else
      notices.push(
        `Unknown algorithm “${show(algoText)}” in the link; using ${String(values.algo).toUpperCase()}.`,
      );
  }
  const algo = values.algo as AlgoId;
  const presetText = get('preset');
  let preset = 'standard';
  if (presetText !== undefined) {
    try {
      agentValues(algo, presetText);
      preset = presetText;
    } catch {
      notices.push(`Unknown ${algo} preset “${show(presetText)}” in the link; using standard.`);
    }
  }
  Object.assign(values, agentValues(algo, preset));
  values.totalSteps = defaultTotalSteps(algo);
  out.preset = preset;
  for (const key of ['data.kind', 'data.name']) {
    const t = get(key);
    if (t === undefined) continue;
    const f = fieldOf(key, algo);
    const r = f ? parseFieldText(f, t) : null;
    if (r?.ok) values[key] = r.value;
    else
      notices.push(
        `“${show(key)}=${show(t)}” in the link ${r && !r.ok ? r.error : 'is unknown'}; using the default.`,
      );
  }
  const hasSplits = params.some(([k]) => k.startsWith('splits.'));
  for (const k of Object.keys(values)) if (k.startsWith('splits.')) delete values[k];
  const dataDefaults = defaultSplitsFor({
    kind: String(values['data.kind']),
    name: String(values['data.name'] ?? ''),
  });
  // Links set either dates or fractions; start from the data's default of the same kind.
  const wantsFractions = params.some(([k]) => k.startsWith('splits.fractions.'));
  const splitBase = !hasSplits
    ? dataDefaults
    : wantsFractions
      ? { fractions: { train: 0.6, valid: 0.2 } }
      : 'fractions' in dataDefaults
        ? defaultSplitsFor({ kind: 'embedded', name: 'sp500' })
        : dataDefaults;
  Object.assign(values, splitValues(splitBase));

  for (const [key, raw] of params) {
    if (key === 'algo' || key === 'preset' || key === 'data.kind' || key === 'data.name') continue;
    if (key === 'workflow') {
      out.workflow = /^[a-z][a-z0-9-]{0,40}$/.test(raw) ? raw : 'market';
      continue;
    }
    if (key === 'name') {
      out.name = raw.slice(0, 200);
      continue;
    }
    if (key === 'assets') {
      const tickers = raw.split(',').filter((t) => t !== '');
      const bad = tickers.filter((t) => !TICKER.test(t));
      if (bad.length > 0)
        notices.push(`Ignored invalid asset names in the link: ${bad.map(show).join(', ')}.`);
      out.assets = tickers.filter((t) => TICKER.test(t)).slice(0, 500);
      continue;
    }
    const f = fieldOf(key, algo) ?? workflowFieldOf(key);
    if (f) {
      const r = parseFieldText(f, raw);
      if (r.ok) values[key] = r.value;
      else
        notices.push(
          `“${show(key)}=${show(raw)}” in the link ${r.error}; using the default ${values[key] === undefined ? '' : formatFieldValue(f, values[key] as FieldValue)}.`.replace(
            / \.$/,
            '.',
          ),
        );
      continue;
    }
    if (FREE_PREFIXES.some((p) => key.startsWith(p)) && /^[A-Za-z0-9_.]{1,120}$/.test(key)) {
      try {
        out.extras[key] = JSON.parse(raw);
        continue;
      } catch {
        notices.push(`“${show(key)}=${show(raw)}” in the link is not a JSON value; ignored.`);
        continue;
      }
    }
    notices.push(`Ignored unknown setting “${show(key)}” in the link.`);
  }
  if (values['data.kind'] === 'panel')
    notices.push(
      'This link was made with CSV files loaded from a computer; load the same files to reproduce it.',
    );
  return finish(out);
}

function finish(out: ParsedLink): ParsedLink {
  // Settings of another workflow than the link's cannot run with it.
  for (const k of Object.keys(out.values)) {
    const f = workflowFieldOf(k);
    if (f && !k.startsWith(`${out.workflow}.`)) {
      delete out.values[k];
      out.notices.push(`Ignored “${show(k)}”: a setting of another workflow than ${out.workflow}.`);
    }
  }
  out.values = normalizeValues(out.values);
  const config = unflatten({ ...out.values, ...out.extras });
  config.workflow = out.workflow;
  if (out.preset !== 'standard') config.preset = out.preset;
  if (out.name !== null) config.name = out.name;
  if (out.assets.length > 0) config.assets = out.assets;
  out.config = config;
  return out;
}

/** The config of flat values plus extras, assets, preset, name and workflow (what a lab experiment runs). */
export function configOf(parts: {
  values: Values;
  extras?: Record<string, unknown>;
  assets?: readonly string[];
  preset?: string;
  workflow?: string;
  name?: string | null;
}): Record<string, unknown> {
  const workflow = parts.workflow ?? 'market';
  // Values kept from another workflow (the lab keeps them while the user switches) do not run here.
  const values = Object.fromEntries(
    Object.entries(normalizeValues(parts.values)).filter(
      ([k]) => !workflowFieldOf(k) || k.startsWith(`${workflow}.`),
    ),
  );
  const config = unflatten({ ...values, ...(parts.extras ?? {}) });
  config.workflow = workflow;
  if (parts.preset && parts.preset !== 'standard') config.preset = parts.preset;
  if (parts.name) config.name = parts.name;
  if (parts.assets && parts.assets.length > 0) config.assets = [...parts.assets];
  if (isPlainObject(config.data) && config.data.kind === 'panel' && config.data.label === undefined)
    config.data.label = 'CSV files';
  return config;
}
