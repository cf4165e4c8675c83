import { z } from 'zod';
import { ALGO_FIELDS, ALGO_OPTIONS, type AlgoId } from './algorithms.ts';
import { DATASET_SPLITS } from './config.ts';
import { defaultExperiment, SECTIONS, type Experiment, type SectionName } from './experiment.ts';
import { formatFieldValue, parseFieldText, type FieldSpec } from './fields.ts';

/**
 * The experiment ⇄ URL hash. TF Playground style: a declarative list of properties (generated from
 * the field specs), serialised as `key=value&…` after every change. Parsing never throws: an
 * unknown key or invalid value is dropped in favour of the default and reported as a notice.
 */

interface HashProp {
  key: string;
  field: FieldSpec;
  get(e: Experiment): unknown;
  set(e: Experiment, v: unknown): void;
}

const MAX_HASH_LENGTH = 8000;
const TICKER = /^[A-Za-z0-9.^_=-]{1,24}$/;
const algoSchema = z.enum(ALGO_OPTIONS.map((o) => o.value) as [AlgoId, ...AlgoId[]]);

function sectionProps(name: SectionName): HashProp[] {
  return SECTIONS[name].map((field) => ({
    key: field.key,
    field,
    get: (e) => e[name][field.key],
    set: (e, v) => {
      e[name][field.key] = v as never;
    },
  }));
}

function hpProps(algo: AlgoId): HashProp[] {
  return ALGO_FIELDS[algo].map((field) => ({
    key: `${algo}.${field.key}`,
    field,
    get: (e) => e.hp[algo][field.key],
    set: (e, v) => {
      e.hp[algo][field.key] = v as never;
    },
  }));
}

const SECTION_PROPS: HashProp[] = (Object.keys(SECTIONS) as SectionName[]).flatMap(sectionProps);
const HP_PROPS: Record<AlgoId, HashProp[]> = {
  a2c: hpProps('a2c'),
  ppo: hpProps('ppo'),
  bc: hpProps('bc'),
  iql: hpProps('iql'),
};
const PROPS = new Map<string, HashProp>(
  [...SECTION_PROPS, ...Object.values(HP_PROPS).flat()].map((p) => [p.key, p]),
);

/** Short, safe rendering of untrusted text for a notice (React escapes it; this keeps it short). */
function show(text: string): string {
  const clean = Array.from(text, (ch) => (ch.charCodeAt(0) < 32 ? '?' : ch)).join('');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}

/** Serialises the experiment: every section, the current algorithm's hyperparameters, the assets. */
export function experimentToHash(e: Experiment): string {
  const params = new URLSearchParams();
  for (const p of SECTION_PROPS) {
    if (p.key.startsWith('syn.') && e.data.data !== 'synthetic') continue;
    params.set(p.key, formatFieldValue(p.get(e) as never));
  }
  params.set('algo', e.algo);
  for (const p of HP_PROPS[e.algo]) params.set(p.key, formatFieldValue(p.get(e) as never));
  if (e.assets.length > 0) params.set('assets', e.assets.join(','));
  return params.toString();
}

export interface ParsedHash {
  experiment: Experiment;
  notices: string[];
}

/** Parses a hash (with or without '#'); unknown or invalid values fall back to defaults. */
export function hashToExperiment(hash: string): ParsedHash {
  const experiment = defaultExperiment();
  const notices: string[] = [];
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  if (text.trim() === '') return { experiment, notices };
  if (text.length > MAX_HASH_LENGTH) {
    return {
      experiment,
      notices: [`The link is too long (${text.length} characters); the default experiment is shown instead.`],
    };
  }
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(text);
  } catch {
    return { experiment, notices: ['The link could not be read; the default experiment is shown instead.'] };
  }
  // The dataset decides the default splits, so apply it first.
  const entries = [...params.entries()].sort(([a], [b]) => (a === 'data' ? -1 : b === 'data' ? 1 : 0));
  for (const [key, value] of entries) {
    if (key === 'algo') {
      const r = algoSchema.safeParse(value);
      if (r.success) experiment.algo = r.data;
      else
        notices.push(
          `Unknown algorithm “${show(value)}” in the link; using ${experiment.algo.toUpperCase()}.`,
        );
      continue;
    }
    if (key === 'assets') {
      const tickers = value.split(',').filter((t) => t !== '');
      const bad = tickers.filter((t) => !TICKER.test(t));
      if (bad.length > 0)
        notices.push(`Ignored invalid asset names in the link: ${bad.map(show).join(', ')}.`);
      experiment.assets = tickers.filter((t) => TICKER.test(t)).slice(0, 200);
      continue;
    }
    const prop = PROPS.get(key);
    if (!prop) {
      notices.push(`Ignored unknown setting “${show(key)}” in the link.`);
      continue;
    }
    const r = parseFieldText(prop.field, value);
    if (!r.ok) {
      notices.push(
        `“${show(key)}=${show(value)}” in the link ${r.error}; using the default ${formatFieldValue(prop.get(experiment) as never)}.`,
      );
      continue;
    }
    if (key === 'data') Object.assign(experiment.splits, datasetSplits(r.value as string));
    prop.set(experiment, r.value);
  }
  if (experiment.data.data === 'csv') {
    notices.push(
      'This link was made with CSV files loaded from a computer; load the same files to reproduce it.',
    );
  }
  return { experiment, notices };
}

function datasetSplits(source: string): Record<string, string> {
  return DATASET_SPLITS[source as keyof typeof DATASET_SPLITS] ?? {};
}
