/**
 * `--data` for every CLI command: files, directories, `embedded:NAME` and `synthetic:…` specs →
 * one aligned Panel plus the import reports. The fs side of src/core/data/sources.ts.
 *
 *   const data = await loadDataSources(['AAPL.csv', 'MSFT.csv'], { calendar: 'union' });
 *   const panel = requirePanel(data); // UsageError (exit 2) when nothing usable came out
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  DataSpecError,
  formatImportIssue,
  importCsvStream,
  loadSources,
  type CsvImportOptions,
  type ImportResult,
  type LoadedData,
  type LoadSourcesOptions,
  type Panel,
  type SourceIO,
} from '../core/data/index.ts';
import { readEmbeddedText } from '../core/data/embedded.node.ts';
import { ExperimentConfigError, type DataSourceConfig } from '../core/experiment/config.ts';
import { loadExperimentPanel } from '../core/experiment/data.ts';
import { UsageError } from './errors.ts';

export type LoadDataOptions = LoadSourcesOptions;

const DATA_EXT = /\.(csv|tsv|txt)$/i;

function fsMessage(err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return err instanceof Error ? err.message : String(err);
}

export const nodeSourceIO: SourceIO = {
  async expandPath(p) {
    let st;
    try {
      st = await stat(p);
    } catch (err) {
      throw new Error(fsMessage(err));
    }
    if (!st.isDirectory()) return [p];
    const names = (await readdir(p)).filter((n) => DATA_EXT.test(n)).sort();
    return names.map((n) => path.join(p, n));
  },
  async importFile(p, options: CsvImportOptions): Promise<ImportResult> {
    try {
      const st = await stat(p);
      const stream = createReadStream(p, { encoding: 'utf8', highWaterMark: 1 << 20 });
      return await importCsvStream(stream, { ...options, totalBytes: st.size });
    } catch (err) {
      return {
        ok: false,
        file: p,
        error: { file: p, line: 1, column: 1, message: `cannot read: ${fsMessage(err)}` },
      };
    }
  },
  readEmbedded: readEmbeddedText,
};

/**
 * Loads files / dirs / `embedded:NAME` / `synthetic[:k=v,…|{json}]` into one panel. A spec it cannot
 * understand (unknown embedded name, bad synthetic field, bad date range) → UsageError; a file that
 * fails to import is reported in `errors` while the others still load.
 */
export async function loadDataSources(
  specs: readonly string[],
  opts: LoadDataOptions = {},
): Promise<LoadedData> {
  try {
    return await loadSources(specs, nodeSourceIO, opts);
  } catch (err) {
    if (err instanceof DataSpecError) throw new UsageError(err.message);
    throw err;
  }
}

/** The panel, or a UsageError naming the first failure when there is none. */
export function requirePanel(data: LoadedData): Panel {
  if (data.panel) return data.panel;
  const first = data.errors[0];
  throw new UsageError(
    first ? `${data.panelError ?? 'no data'}: ${formatImportIssue(first)}` : (data.panelError ?? 'no data'),
  );
}

/**
 * The full panel of an experiment's data source, as the lab loads it: embedded and synthetic data
 * straight from the config (core's loadExperimentPanel), the user's files (`{ kind: 'panel' }`) from
 * the --data sources. `lab train`, `lab evaluate` and `lab sweep` (and its worker threads) all load
 * through here; files that fail to import are reported on stderr (`lab COMMAND: warning: …`).
 */
export async function experimentPanel(
  data: DataSourceConfig,
  specs: readonly string[],
  command: string,
  opts: { quiet?: boolean } = {},
): Promise<Panel> {
  if (data.kind === 'panel') {
    if (specs.length === 0)
      throw new UsageError(
        `the experiment's data is the user's own files ('${data.label}'): give them with --data`,
      );
    const loaded = await loadDataSources(specs);
    if (!opts.quiet)
      for (const e of loaded.errors)
        process.stderr.write(`lab ${command}: warning: skipped ${formatImportIssue(e)}\n`);
    return requirePanel(loaded);
  }
  try {
    return await loadExperimentPanel(data, { readEmbedded: readEmbeddedText });
  } catch (e) {
    if (e instanceof ExperimentConfigError) throw new UsageError(e.message);
    throw e;
  }
}
