/**
 * Embedded datasets that ship with the lab (no network at run time), from the `vega-datasets`
 * npm package: Copyright (c) 2015, University of Washington Interactive Data Lab, BSD-3-Clause
 * (https://github.com/vega/vega-datasets/blob/main/LICENSE). The S&P 500 file is Yahoo Finance
 * data as republished there; the monthly stocks file comes from the Protovis examples.
 *
 * This module is a pure registry plus a loader that takes a `readText(fileName)` function, because
 * the package's exports map only exposes CDN URLs and each runtime reads the files its own way:
 *
 * - Node: `src/core/data/embedded.node.ts` → `readEmbeddedText`, `loadEmbeddedNode(name)` (fs, from
 *   `<project>/node_modules/vega-datasets/data/<fileName>`).
 * - Browser / worker (Vite): alias the data folder and import each file as a URL, then fetch it:
 *     // vite.config.ts:  resolve: { alias: { '@vega-data': path.resolve('node_modules/vega-datasets/data') } }
 *     import sp500Url from '@vega-data/sp500-2000.csv?url';
 *     import stocksUrl from '@vega-data/stocks.csv?url';
 *     const urls: Record<EmbeddedFileName, string> = { 'sp500-2000.csv': sp500Url, 'stocks.csv': stocksUrl };
 *     const data = await loadEmbedded('sp500', async (f) => (await fetch(urls[f])).text());
 *   (`?url` makes Vite copy the file into dist/ at build time, so the built app works offline.)
 */
import { alignSeries, type AlignOptions } from './align.ts';
import { importCsv } from './csv.ts';
import type { AlignReport, AssetSeries, FileImportReport } from './report.ts';
import { formatImportIssue } from './report.ts';
import type { Panel } from './types.ts';

/** File names inside `vega-datasets/data/` that the registry uses. */
export const EMBEDDED_FILE_NAMES = ['sp500-2000.csv', 'stocks.csv'] as const;
export type EmbeddedFileName = (typeof EMBEDDED_FILE_NAMES)[number];

export interface EmbeddedDataset {
  name: string;
  title: string;
  description: string;
  /** File inside `vega-datasets/data/`. */
  fileName: EmbeddedFileName;
  layout: 'ohlcv' | 'long';
  /** Ticker for a single-asset file. */
  asset?: string;
  /** Periods per year: 252 trading days, 12 months. */
  annualization: number;
  license: string;
  source: string;
}

export const EMBEDDED_DATASETS = {
  sp500: {
    name: 'sp500',
    title: 'S&P 500 daily, 2000–2020',
    description: 'S&P 500 index daily OHLCV with Adj Close, 2000-01-03 to 2020-04-17 (5,105 trading days).',
    fileName: 'sp500-2000.csv',
    layout: 'ohlcv',
    asset: 'SP500',
    annualization: 252,
    license: 'BSD-3-Clause (vega-datasets)',
    source: 'vega-datasets/data/sp500-2000.csv (Yahoo Finance)',
  },
  stocks: {
    name: 'stocks',
    title: 'Five stocks, monthly closes, 2000–2010',
    description:
      'Monthly closing prices of MSFT, AMZN, IBM, GOOG (from 2004-08) and AAPL, Jan 2000 to Mar 2010.',
    fileName: 'stocks.csv',
    layout: 'long',
    annualization: 12,
    license: 'BSD-3-Clause (vega-datasets)',
    source: 'vega-datasets/data/stocks.csv (Protovis examples)',
  },
} as const satisfies Record<string, EmbeddedDataset>;

export type EmbeddedName = keyof typeof EMBEDDED_DATASETS;

export function isEmbeddedName(name: string): name is EmbeddedName {
  return Object.prototype.hasOwnProperty.call(EMBEDDED_DATASETS, name);
}

export interface EmbeddedData {
  dataset: EmbeddedDataset;
  series: AssetSeries[];
  report: FileImportReport;
  panel: Panel;
  align: AlignReport;
}

/**
 * Reads and imports an embedded dataset with the ordinary importer, then aligns it
 * (intersection by default: `stocks` then starts when GOOG does, 2004-08; pass
 * `{ calendar: 'union' }` for the same range with forward fill).
 * Throws on an unknown name or a file that fails to import (a packaging error).
 */
export async function loadEmbedded(
  name: string,
  readText: (fileName: EmbeddedFileName) => Promise<string>,
  align: AlignOptions = {},
): Promise<EmbeddedData> {
  if (!isEmbeddedName(name)) {
    throw new Error(
      `unknown embedded dataset '${name}' (known: ${Object.keys(EMBEDDED_DATASETS).join(', ')})`,
    );
  }
  const dataset: EmbeddedDataset = EMBEDDED_DATASETS[name];
  const text = await readText(dataset.fileName);
  const result = importCsv(text, {
    fileName: `embedded:${name}`,
    ...(dataset.asset ? { asset: dataset.asset } : {}),
  });
  if (!result.ok)
    throw new Error(`embedded dataset ${name} failed to import: ${formatImportIssue(result.error)}`);
  const { panel, report } = alignSeries(result.series, align);
  return { dataset, series: result.series, report: result.report, panel, align: report };
}
