import {
  formatAlignReport,
  formatFileReport,
  formatImportIssue,
  type ImportProgress,
} from '../../core/data/index.ts';
import { loadDataSources } from '../dataSources.ts';
import { UsageError } from '../errors.ts';
import type { CliCommand } from './index.ts';

const usage = `usage: lab import <source>... [--json] [--union] [--adjust]

Imports CSV files and prints what was read, dropped, repaired and aligned.

sources:
  FILE.csv | DIR          CSV files (Yahoo, long or wide layout; messy exports welcome); DIR = its *.csv/*.tsv/*.txt
  embedded:sp500          S&P 500 daily OHLCV 2000-2020 (vega-datasets, BSD-3)
  embedded:stocks         five stocks, monthly closes 2000-2010 (vega-datasets, BSD-3)
  synthetic[:k=v,...]     seeded synthetic market, e.g. synthetic:assets=4,seed=1,signal=0.1
                          or synthetic:{"assets":4,"correlation":0.5}

options:
  --json      machine-readable report on stdout
  --union     union calendar with forward fill (default: dates shared by all assets)
  --adjust    adjust open/high/low/close by Adj Close / Close

exit code: 0 all imported, 1 some file failed (each failure printed as file:line:column message), 2 bad arguments.`;

interface Args {
  sources: string[];
  json: boolean;
  union: boolean;
  adjust: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { sources: [], json: false, union: false, adjust: false };
  let onlySources = false;
  for (const a of argv) {
    if (!onlySources && a === '--') onlySources = true;
    else if (!onlySources && a === '--json') args.json = true;
    else if (!onlySources && a === '--union') args.union = true;
    else if (!onlySources && a === '--adjust') args.adjust = true;
    else if (!onlySources && a.startsWith('-') && a !== '-')
      throw new UsageError(`unknown option '${a}' (see lab import --help)`);
    else args.sources.push(a);
  }
  if (args.sources.length === 0)
    throw new UsageError(
      'no sources: give CSV files, directories, embedded:NAME or synthetic:… (see lab import --help)',
    );
  return args;
}

/** Progress on a terminal for big files, at most ~5 updates a second. */
function progressPrinter(): ((p: ImportProgress) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 200) return;
    last = now;
    const pct = p.totalBytes ? ` ${Math.min(100, (100 * p.bytesRead) / p.totalBytes).toFixed(0)}%` : '';
    process.stderr.write(`\rimporting ${p.file}${pct} (${p.rowsRead} rows)\x1b[K`);
  };
}

export const command: CliCommand = {
  summary: 'import CSV files / embedded / synthetic data and print the import report',
  usage,
  async run(argv) {
    const args = parseArgs(argv);
    const onProgress = args.json ? undefined : progressPrinter();
    const data = await loadDataSources(args.sources, {
      calendar: args.union ? 'union' : 'intersection',
      adjust: args.adjust,
      ...(onProgress ? { onProgress } : {}),
    });
    if (onProgress) process.stderr.write('\r\x1b[K');
    for (const e of data.errors) process.stderr.write(`${formatImportIssue(e)}\n`);

    if (args.json) {
      const out = {
        files: data.results.map((r) =>
          r.ok ? { file: r.file, ok: true, report: r.report } : { file: r.file, ok: false, error: r.error },
        ),
        synthetic: data.synthetic.map((s) => ({
          spec: s.spec,
          config: s.meta.config,
          annualization: s.meta.annualization,
        })),
        panel: data.panel
          ? {
              assets: data.panel.assets,
              dates: data.panel.dates.length,
              start: data.panel.dates[0],
              end: data.panel.dates[data.panel.dates.length - 1],
            }
          : null,
        panelError: data.panelError,
        align: data.align,
        annualization: data.annualization,
        errors: data.errors,
      };
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    } else {
      const blocks: string[] = data.results.map(formatFileReport);
      for (const s of data.synthetic) {
        const c = s.meta.config;
        blocks.push(
          `✓ ${s.spec}  synthetic: ${c.assets} assets × ${c.days} business days from ${c.start}, seed ${c.seed}, signal strength ${c.signalStrength}`,
        );
      }
      if (data.align)
        blocks.push(
          formatAlignReport(data.align) + (data.panelError ? `\n  warning: ${data.panelError}` : ''),
        );
      blocks.push(`annualization: ${data.annualization} periods/year (inferred from the dates)`);
      process.stdout.write(blocks.join('\n\n') + '\n');
    }
    return data.errors.length > 0 ? 1 : 0;
  },
};
