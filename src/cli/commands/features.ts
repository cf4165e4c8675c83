/** `lab features`: the raw indicator columns of a data set as CSV (date, asset, documented names). */
import { formatImportIssue } from '../../core/data/report.ts';
import {
  computeRawFeatures,
  featurePreset,
  FeatureError,
  FEATURE_PRESETS,
  rawFeatureRecords,
  type FeaturePreset,
} from '../../core/features/index.ts';
import { parseArgs } from '../args.ts';
import { loadDataSources, requirePanel } from '../dataSources.ts';
import { UsageError } from '../errors.ts';
import { writeCsv } from '../output.ts';
import type { CliCommand } from './index.ts';

const usage = `usage: lab features --data SRC… [--preset all|ohlcv] [--window W] [--keep-warmup] --out features.csv

Computes the technical indicators the agents see and writes their RAW values (not scaled, not
z-scored) as CSV: date, asset, then one column per feature. Rows start where every indicator of
every asset is defined (the longest warm-up: 77 rows for Ichimoku span B with the defaults).

columns (preset all = QTMRL defaults):
  open high low close volume       the bars (preset ohlcv: only these)
  sma_10 sma_20 sma_50             simple moving averages of the close
  ema_12 ema_26                    exponential moving averages (seeded with the SMA of the first n)
  rsi_14                           Wilder RSI (100 when there are no losses)
  macd macd_signal macd_hist       MACD (12, 26, 9)
  atr_14                           Wilder average true range
  bb_upper bb_mid bb_lower         Bollinger bands (20, 2 population std)
  ichimoku_tenkan ichimoku_kijun   Ichimoku (9, 26, 52) lines
  ichimoku_span_a ichimoku_span_b  leading spans as plotted on that date (computed 26 bars earlier);
                                   the lagging span reads the future and is left out
  ha_open ha_high ha_low ha_close  Heikin-Ashi candles
  supertrend supertrend_dir        Supertrend (10, 3): the active band, +1 up-trend / -1 down-trend
Conventions: Stock.Indicators (https://dotnet.stockindicators.dev), matched to its published values.

options:
  --data SRC       file, folder, embedded:NAME or synthetic[:k=v,…]; repeat for several (further
                   arguments are read as more sources, so --data data/*.csv works)
  --preset P       all (default) or ohlcv
  --window W       observation window of the agents (default 20): reported as the first date with
                   W rows of features behind it
  --keep-warmup    also write the warm-up rows (undefined values are empty cells)
  --calendar C     intersection (default) or union (forward-filled) of the assets' dates
  --out FILE       CSV file to write (folders created)`;

const spec = {
  flags: {
    data: { type: 'string', multiple: true },
    preset: { type: 'string', choices: FEATURE_PRESETS, default: 'all' },
    window: { type: 'integer', default: 20 },
    'keep-warmup': { type: 'boolean' },
    calendar: { type: 'string', choices: ['intersection', 'union'], default: 'intersection' },
    out: { type: 'string', required: true },
  },
  positionals: { names: ['source'] },
} as const;

export const command: CliCommand = {
  summary: 'write the raw indicator columns (sma_10, ema_12, rsi_14, macd, …) of a data set as CSV',
  usage,
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, spec);
    const sources = [...flags.data, ...positionals];
    if (sources.length === 0)
      throw new UsageError('missing required option --data (a file, folder, embedded:NAME or synthetic:…)');
    if (flags.window < 1) throw new UsageError(`--window must be ≥ 1, got ${flags.window}`);

    const data = await loadDataSources(sources, { calendar: flags.calendar });
    const panel = requirePanel(data);
    for (const e of data.errors)
      process.stderr.write(`lab features: warning: skipped ${formatImportIssue(e)}\n`);

    const config = featurePreset(flags.preset as FeaturePreset, { window: flags.window });
    let raw;
    try {
      raw = computeRawFeatures(panel, config);
    } catch (err) {
      if (err instanceof FeatureError) throw new UsageError(err.message);
      throw err;
    }
    const T = raw.dates.length;
    const f0 = raw.firstValidRow;
    if (f0 >= T && !flags['keep-warmup']) {
      const f = raw.warmupRows.indexOf(Math.max(...raw.warmupRows));
      const need =
        raw.warmupRows[f] >= T
          ? `is undefined on all ${T} rows`
          : `needs ${raw.warmupRows[f]} rows of warm-up`;
      throw new UsageError(
        `no row has every feature defined: ${raw.featureNames[f]} ${need} (data: ${T} rows${T ? `, ${raw.dates[0]}..${raw.dates[T - 1]}` : ''}); ` +
          'give more data, use --preset ohlcv, or --keep-warmup',
      );
    }

    const from = flags['keep-warmup'] ? 0 : f0;
    writeCsv(flags.out, ['date', 'asset', ...raw.featureNames], rawFeatureRecords(raw, from));

    const rows = T - from;
    const lines = [
      `${raw.assets.length} assets × ${rows} dates × ${raw.featureNames.length} features (preset ${flags.preset}) → ${flags.out}`,
    ];
    if (f0 < T) {
      lines.push(
        `  features defined from ${raw.dates[f0]} (${f0} warm-up rows ${flags['keep-warmup'] ? 'kept, with empty cells' : 'dropped'}) to ${raw.dates[T - 1]}`,
      );
      const w = f0 + flags.window - 1;
      lines.push(
        w < T
          ? `  first full window of ${flags.window} rows ends ${raw.dates[w]}`
          : `  warning: fewer than ${flags.window} rows with every feature defined; an agent with --window ${flags.window} cannot start`,
      );
    }
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
