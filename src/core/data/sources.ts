/**
 * Data source specs, as the CLI's `--data` and `lab import` take them, turned into one aligned
 * `Panel` plus every report. Pure: reading files is injected (`SourceIO`), so the same code runs
 * in Node (src/cli/dataSources.ts) and in a worker.
 *
 *   path/to/file.csv         one CSV (any layout the importer accepts)
 *   path/to/dir              every .csv/.tsv/.txt file in it (not recursive), sorted by name
 *   embedded:sp500           an embedded dataset (see embedded.ts)
 *   synthetic                the synthetic market with defaults
 *   synthetic:assets=8,seed=3,signal=0.1      k=v list (',' ';' or '&' separated)
 *   synthetic:{"assets":8,"correlation":0.5}  JSON object
 */
import { alignSeries, inferAnnualization, panelToSeries, type AlignOptions } from './align.ts';
import { dedupeAssetNames, type CsvImportOptions, type ImportProgress } from './csv.ts';
import {
  EMBEDDED_DATASETS,
  isEmbeddedName,
  loadEmbedded,
  type EmbeddedFileName,
  type EmbeddedName,
} from './embedded.ts';
import type { AlignReport, AssetSeries, ImportIssue, ImportResult } from './report.ts';
import {
  generateSynthetic,
  resolveSyntheticConfig,
  SYNTHETIC_DEFAULTS,
  type SyntheticConfig,
  type SyntheticMeta,
} from './synthetic.ts';
import type { Panel } from './types.ts';

export type DataSourceSpec =
  | { kind: 'path'; path: string }
  | { kind: 'embedded'; name: EmbeddedName }
  | { kind: 'synthetic'; config: Partial<SyntheticConfig> };

/** A spec that cannot be understood (the CLI turns it into exit code 2). */
export class DataSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataSpecError';
  }
}

const SYNTHETIC_ALIASES: Record<string, keyof SyntheticConfig> = {
  n: 'assets',
  t: 'days',
  signal: 'signalStrength',
  phi: 'signalStrength',
  rho: 'correlation',
  corr: 'correlation',
  vol: 'volatility',
  jumps: 'jumpProbability',
  price: 'startPrice',
};

/** Parses the part after `synthetic:` (k=v list or JSON object) into a partial config. */
export function parseSyntheticSpec(text: string): Partial<SyntheticConfig> {
  const body = text.trim();
  if (body === '') return {};
  const known = new Set(Object.keys(SYNTHETIC_DEFAULTS).concat('tickers'));
  const out: Record<string, unknown> = {};
  const put = (rawKey: string, value: unknown) => {
    const key = SYNTHETIC_ALIASES[rawKey.toLowerCase()] ?? rawKey;
    if (!known.has(key))
      throw new DataSpecError(`synthetic: unknown field '${rawKey}' (known: ${[...known].join(', ')})`);
    out[key] = value;
  };
  if (body.startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(body);
    } catch (err) {
      throw new DataSpecError(
        `synthetic: invalid JSON (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
      throw new DataSpecError('synthetic: JSON must be an object');
    for (const [k, v] of Object.entries(obj)) put(k, v);
  } else {
    for (const part of body.split(/[,;&]/)) {
      if (part.trim() === '') continue;
      const eq = part.indexOf('=');
      if (eq < 0) throw new DataSpecError(`synthetic: expected key=value, got '${part.trim()}'`);
      const k = part.slice(0, eq).trim();
      const v = part.slice(eq + 1).trim();
      const key = SYNTHETIC_ALIASES[k.toLowerCase()] ?? k;
      if (!known.has(key)) put(k, v); // throws: unknown field
      if (key === 'tickers') put(k, v.split(/[|/ ]/).filter(Boolean));
      else if (key === 'start') put(k, v);
      else {
        const num = Number(v);
        if (v === '' || !Number.isFinite(num))
          throw new DataSpecError(`synthetic: ${k} must be a number, got '${v}'`);
        put(k, num);
      }
    }
  }
  try {
    resolveSyntheticConfig(out as Partial<SyntheticConfig>);
  } catch (err) {
    throw new DataSpecError(err instanceof Error ? err.message : String(err));
  }
  return out as Partial<SyntheticConfig>;
}

export function parseSourceSpec(spec: string): DataSourceSpec {
  const s = spec.trim();
  if (s === '') throw new DataSpecError('empty data source');
  if (/^embedded:/i.test(s)) {
    const name = s.slice('embedded:'.length).trim();
    if (!isEmbeddedName(name))
      throw new DataSpecError(
        `unknown embedded dataset '${name}' (known: ${Object.keys(EMBEDDED_DATASETS).join(', ')})`,
      );
    return { kind: 'embedded', name };
  }
  if (/^synthetic(:|$)/i.test(s))
    return { kind: 'synthetic', config: parseSyntheticSpec(s.slice('synthetic'.length).replace(/^:/, '')) };
  return { kind: 'path', path: s };
}

/** How `loadSources` reaches files. */
export interface SourceIO {
  /** Files a path stands for: itself, or a directory's CSV files. Rejects if it does not exist. */
  expandPath(path: string): Promise<string[]>;
  /** Imports one file (streaming is up to the implementation). Should not reject for bad content. */
  importFile(path: string, options: CsvImportOptions): Promise<ImportResult>;
  readEmbedded(fileName: EmbeddedFileName): Promise<string>;
}

export interface LoadSourcesOptions extends AlignOptions {
  /** Importer options for files (fileName is set per file). */
  importOptions?: Omit<CsvImportOptions, 'fileName' | 'onProgress' | 'totalBytes' | 'asset'>;
  onProgress?: (p: ImportProgress) => void;
}

export interface LoadedData {
  /** The aligned panel, or null when nothing could be imported or the assets share no dates. */
  panel: Panel | null;
  /** One result per file or embedded dataset, in spec order (failed ones included). */
  results: ImportResult[];
  synthetic: { spec: string; meta: SyntheticMeta }[];
  align: AlignReport | null;
  /** Files that failed to import. */
  errors: ImportIssue[];
  /** Why `panel` is null, else null. */
  panelError: string | null;
  /** Periods per year inferred from the panel's dates (252 daily, 365 crypto, 12 monthly…). */
  annualization: number;
}

/** Resolves specs to a panel. Rejects only with DataSpecError (a spec it cannot understand). */
export async function loadSources(
  specs: readonly string[],
  io: SourceIO,
  opts: LoadSourcesOptions = {},
): Promise<LoadedData> {
  if (specs.length === 0) throw new DataSpecError('no data sources given');
  const parsed = specs.map((s) => ({ spec: s, src: parseSourceSpec(s) }));
  const results: ImportResult[] = [];
  const synthetic: LoadedData['synthetic'] = [];
  const syntheticSeries: AssetSeries[] = [];
  for (const { spec, src } of parsed) {
    if (src.kind === 'embedded') {
      try {
        const data = await loadEmbedded(src.name, io.readEmbedded);
        results.push({ ok: true, file: `embedded:${src.name}`, series: data.series, report: data.report });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        results.push({
          ok: false,
          file: `embedded:${src.name}`,
          error: { file: `embedded:${src.name}`, line: 1, column: 1, message },
        });
      }
    } else if (src.kind === 'synthetic') {
      const market = generateSynthetic(src.config);
      synthetic.push({ spec, meta: market.meta });
      syntheticSeries.push(...panelToSeries(market.panel));
    } else {
      let files: string[];
      try {
        files = await io.expandPath(src.path);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        results.push({
          ok: false,
          file: src.path,
          error: { file: src.path, line: 1, column: 1, message: `cannot read: ${message}` },
        });
        continue;
      }
      if (files.length === 0) {
        results.push({
          ok: false,
          file: src.path,
          error: { file: src.path, line: 1, column: 1, message: 'no .csv/.tsv/.txt files in this directory' },
        });
      }
      for (const f of files) {
        const options: CsvImportOptions = { ...opts.importOptions, fileName: f };
        if (opts.onProgress) options.onProgress = opts.onProgress;
        results.push(await io.importFile(f, options));
      }
    }
  }
  dedupeAssetNames(results);
  const errors = results.flatMap((r) => (r.ok ? [] : [r.error]));
  const series = results.flatMap((r) => (r.ok ? r.series : []));
  const taken = new Set(series.map((s) => s.asset));
  for (const s of syntheticSeries) {
    let name = s.asset;
    for (let k = 2; taken.has(name); k++) name = `${s.asset}_${k}`;
    taken.add(name);
    series.push({ ...s, asset: name });
  }
  if (series.length === 0) {
    return {
      panel: null,
      results,
      synthetic,
      align: null,
      errors,
      panelError: 'no data: every source failed to import',
      annualization: 252,
    };
  }
  const alignOpts: AlignOptions = {};
  if (opts.calendar) alignOpts.calendar = opts.calendar;
  if (opts.adjust) alignOpts.adjust = opts.adjust;
  if (opts.start) alignOpts.start = opts.start;
  if (opts.end) alignOpts.end = opts.end;
  let aligned: ReturnType<typeof alignSeries>;
  try {
    aligned = alignSeries(series, alignOpts);
  } catch (err) {
    throw new DataSpecError(err instanceof Error ? err.message : String(err));
  }
  const { panel, report } = aligned;
  const empty = panel.dates.length === 0;
  return {
    panel: empty ? null : panel,
    results,
    synthetic,
    align: report,
    errors,
    panelError: empty ? (report.notes[0] ?? 'the panel is empty') : null,
    annualization: inferAnnualization(panel.dates),
  };
}
