/**
 * The import worker: CSV parsing (PapaParse inside core's importer), alignment, embedded datasets
 * and the synthetic generator, all off the main thread. It keeps the series of every file loaded
 * so far, so a broken file never loses the good ones.
 */
import * as Comlink from 'comlink';
import sp500Url from '@vega-data/sp500-2000.csv?url';
import stocksUrl from '@vega-data/stocks.csv?url';
import { alignSeries } from '../src/core/data/align.ts';
import { dedupeAssetNames, importCsvStream } from '../src/core/data/csv.ts';
import { EMBEDDED_DATASETS, loadEmbedded, type EmbeddedFileName } from '../src/core/data/embedded.ts';
import type { AlignReport, AssetSeries, FileImportReport, ImportResult } from '../src/core/data/report.ts';
import { generateSynthetic, type SyntheticConfig } from '../src/core/data/synthetic.ts';
import { formatSignalReport } from '../src/core/kol/issues.ts';
import { isScorerName } from '../src/core/kol/scorerNames.ts';
import { importSignals } from '../src/core/kol/signals.ts';
import type { Panel } from './protocol.ts';

/** Embedded CSVs are copied into dist/ by Vite (`?url`) and fetched lazily: no network beyond the app's own origin. */
const EMBEDDED_URLS: Record<EmbeddedFileName, string> = {
  'sp500-2000.csv': sp500Url,
  'stocks.csv': stocksUrl,
};

async function readEmbedded(fileName: EmbeddedFileName): Promise<string> {
  const res = await fetch(EMBEDDED_URLS[fileName]);
  if (!res.ok) throw new Error(`could not fetch ${fileName}: HTTP ${res.status}`);
  return res.text();
}

export interface ImportProgressMessage {
  file: string;
  /** Index of the file in the batch, and how many there are. */
  index: number;
  count: number;
  /** 0..1 of this file. */
  fraction: number;
}

/** One file's outcome with the series stripped (they stay in the worker). */
export type FileOutcome =
  | { ok: true; file: string; report: Extract<ImportResult, { ok: true }>['report'] }
  | { ok: false; file: string; error: Extract<ImportResult, { ok: false }>['error'] };

export interface PanelResult {
  panel: Panel | null;
  align: AlignReport | null;
  /** Why there is no panel (no usable file, alignment unavailable, empty intersection…). */
  problem: string | null;
}

const loaded = new Map<string, AssetSeries[]>();

function strip(r: ImportResult): FileOutcome {
  return r.ok ? { ok: true, file: r.file, report: r.report } : { ok: false, file: r.file, error: r.error };
}

function transferablesOf(p: Panel | null): ArrayBuffer[] {
  return p ? [p.open, p.high, p.low, p.close, p.volume].map((a) => a.buffer as ArrayBuffer) : [];
}

function currentPanel(): PanelResult {
  const series = [...loaded.values()].flat();
  if (series.length === 0) return { panel: null, align: null, problem: 'no file with usable data is loaded' };
  try {
    const { panel, report } = alignSeries(series);
    if (panel.dates.length < 2) {
      return {
        panel: null,
        align: report,
        problem: `the files share ${panel.dates.length} date(s): their date ranges do not overlap (see the import report)`,
      };
    }
    return { panel, align: report, problem: null };
  } catch (e) {
    return { panel: null, align: null, problem: e instanceof Error ? e.message : String(e) };
  }
}

const api = {
  /** Imports files (streamed, with progress); files with the same name replace earlier ones. */
  async addFiles(
    files: File[],
    onProgress?: (p: ImportProgressMessage) => void,
  ): Promise<{ outcomes: FileOutcome[] } & PanelResult> {
    const results: ImportResult[] = [];
    for (let index = 0; index < files.length; index++) {
      const file = files[index];
      const stream = file.stream().pipeThrough(new TextDecoderStream());
      const result = await importCsvStream(stream, {
        fileName: file.name,
        totalBytes: file.size,
        onProgress: (p) =>
          onProgress?.({
            file: file.name,
            index,
            count: files.length,
            fraction: p.totalBytes ? p.bytesRead / p.totalBytes : 0,
          }),
      });
      results.push(result);
      onProgress?.({ file: file.name, index, count: files.length, fraction: 1 });
    }
    for (const r of results) loaded.delete(r.file);
    // Earlier files come first, so only new files are ever renamed; their stub reports are never read.
    const stub = { notes: [], assets: [] } as unknown as FileImportReport;
    const previous = [...loaded.entries()].map(([file, series]): ImportResult => ({
      ok: true,
      file,
      series,
      report: stub,
    }));
    // Tickers must stay unique across everything loaded, old files included.
    dedupeAssetNames([...previous, ...results.filter((r) => r.ok)]);
    for (const r of results) if (r.ok) loaded.set(r.file, r.series);
    const panel = currentPanel();
    return Comlink.transfer({ outcomes: results.map(strip), ...panel }, transferablesOf(panel.panel));
  },

  removeFile(name: string): PanelResult {
    loaded.delete(name);
    const panel = currentPanel();
    return Comlink.transfer(panel, transferablesOf(panel.panel));
  },

  /** The panel of the files loaded so far (after switching back to "My CSV files"). */
  current(): PanelResult {
    const panel = currentPanel();
    return Comlink.transfer(panel, transferablesOf(panel.panel));
  },

  clearFiles(): void {
    loaded.clear();
  },

  /**
   * Reads a posts file (kol's signals CSV) as a run will: its import report, with the file, line
   * and column of each problem. The posts themselves are parsed again by the run that uses them.
   */
  async importSignals(file: File, scorer: string): Promise<{ ok: boolean; posts: number; report: string }> {
    const text = await file.text();
    const r = importSignals(text, {
      fileName: file.name,
      ...(isScorerName(scorer) ? { scorer } : {}),
    });
    return { ok: r.ok, posts: r.ok ? r.posts.length : 0, report: formatSignalReport(r) };
  },

  /** An embedded dataset (vega-datasets, shipped with the app). */
  async loadEmbedded(
    name: 'sp500' | 'stocks',
  ): Promise<PanelResult & { label: string; report: FileImportReport }> {
    const data = await loadEmbedded(name, readEmbedded);
    const out = {
      panel: data.panel,
      align: data.align,
      problem: null,
      label: EMBEDDED_DATASETS[name].title,
      report: data.report,
    };
    return Comlink.transfer(out, transferablesOf(data.panel));
  },

  /** The seeded synthetic market. */
  synthetic(config: Partial<SyntheticConfig>): PanelResult & { label: string } {
    const { panel } = generateSynthetic(config);
    const out = {
      panel,
      align: null,
      problem: null,
      label: `Synthetic market (seed ${config.seed ?? 0}, φ ${config.signalStrength ?? 0})`,
    };
    return Comlink.transfer(out, transferablesOf(panel));
  },
};

export type ImportApi = typeof api;
Comlink.expose(api);
