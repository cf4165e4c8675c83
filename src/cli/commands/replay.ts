/** `lab replay`: your BUY/SELL/HOLD actions through TradingEnv → equity.csv, positions.csv, metrics.json, run.json. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { isoFromDays, parseDateColumn } from '../../core/data/dates.ts';
import { formatImportIssue } from '../../core/data/report.ts';
import type { Panel } from '../../core/data/types.ts';
import {
  replayActions,
  type ReplayActions,
  type ReplayConfig,
  type ReplayResult,
} from '../../core/envs/replay.ts';
import { BUY, DEFAULT_TRADING_CONFIG, HOLD, SELL } from '../../core/envs/trading.ts';
import {
  computeMetrics,
  drawdownFromEquity,
  metricsRecord,
  type MetricsRecord,
} from '../../core/metrics/index.ts';
import { parseArgs } from '../args.ts';
import { resolveSplits } from '../backtest.ts';
import { loadDataSources, requirePanel } from '../dataSources.ts';
import { UsageError } from '../errors.ts';
import { panelFingerprint, versions } from '../fingerprint.ts';
import { ensureDir, writeCsv, writeJson, type CsvCell } from '../output.ts';
import type { CliCommand } from './index.ts';
import { parseAnnualization } from './metrics.ts';

const d = DEFAULT_TRADING_CONFIG;

const usage = `usage: lab replay --data SRC… --actions actions.csv --out DIR [options]

Applies your actions to TradingEnv (QTMRL rules) and writes its accounting, so you can check the
env against your own spreadsheet.

actions.csv: a header with date, asset and action columns (also accepted: symbol/ticker, side/order);
one row per date and asset you act on, action buy, sell or hold (any case). Dates and assets not
listed hold. Dates in any format the importer reads (2020-01-02, Jan 2 2020, 02-Jan-20, …).

What happens on each date, at its close (see src/core/envs/trading.ts):
  1. SELLs: each sells sell-pct of that asset's position; proceeds minus fee go to cash.
  2. BUYs: k buys together spend what k sequential "buy-pct of current cash" orders would,
     C·(1 − (1 − buy-pct)^k), split equally (--buy-allocation sequential: the paper's asset-order
     loop); a budget includes its fee: notional = budget / (1 + fee).
  Fee = fee × traded notional on every buy and sell. No shorting, no negative cash: an order that
  cannot be done is skipped and counted. No order runs on the last date (nothing to value it at).

outputs (each row is end of day: after that date's orders, valued at its close):
  DIR/equity.csv     date, value, cash, return, drawdown, fees, turnover, trades, skipped
  DIR/positions.csv  date, asset, shares, value, weight, close
  DIR/metrics.json   total_return, cagr, annual_volatility, sharpe, sortino, calmar, max_drawdown,
                     turnover, … (empyrical conventions, as lab backtest), total fees and trades
  DIR/run.json       config, data fingerprint, versions, timings, action dates not applied

options:
  --data SRC            file, folder, embedded:NAME or synthetic[:k=v,…]; repeat for several
  --actions FILE        the actions CSV
  --out DIR             output folder (created)
  --split NAME          all (default) | train | valid | test | START:END (ISO dates, inclusive)
  --initial-cash C      starting cash (default ${d.initialCash})
  --buy-pct P           fraction of cash a BUY spends, fee included (default ${d.buyPct})
  --sell-pct P          fraction of the position a SELL sells (default ${d.sellPct})
  --fee F               fee per traded notional, each side (default ${d.feeRate} = 0.05%)
  --slippage-bps S      execution price worse than the close by S basis points (default 0)
  --whole-shares        whole shares: buys floor the count, sells floor it but sell at least one
  --limit P             daily price limit, e.g. 0.1: no buying at +10% from the previous close,
                        no selling at −10% (Chinese limit-up/limit-down)
  --buy-allocation A    equal-split (default) | sequential
  --annualization N     periods per year for the metrics (default: inferred from the dates)
  --calendar C          intersection (default) or union (forward-filled) of the assets' dates`;

const spec = {
  flags: {
    data: { type: 'string', multiple: true },
    actions: { type: 'string', required: true },
    out: { type: 'string', required: true },
    split: { type: 'string', default: 'all' },
    'initial-cash': { type: 'number', default: d.initialCash },
    'buy-pct': { type: 'number', default: d.buyPct },
    'sell-pct': { type: 'number', default: d.sellPct },
    fee: { type: 'number', default: d.feeRate },
    'slippage-bps': { type: 'number', default: d.slippageBps },
    'whole-shares': { type: 'boolean' },
    limit: { type: 'number' },
    'buy-allocation': { type: 'string', choices: ['equal-split', 'sequential'], default: d.buyAllocation },
    annualization: { type: 'string' },
    calendar: { type: 'string', choices: ['intersection', 'union'], default: 'intersection' },
  },
} as const;

/** Config field → the flag that sets it, for error messages. */
const FLAG_OF: Record<string, string> = {
  initialCash: '--initial-cash',
  buyPct: '--buy-pct',
  sellPct: '--sell-pct',
  feeRate: '--fee',
  slippageBps: '--slippage-bps',
  limitPct: '--limit',
};

const HEADERS = {
  date: /^(date|datetime|day|timestamp|time)$/,
  asset: /^(asset|symbol|ticker|stock|name)$/,
  action: /^(action|side|order|signal|decision)$/,
};
const ACTION_CODES: Record<string, number> = { buy: BUY, sell: SELL, hold: HOLD };

export interface ParsedActions {
  actions: ReplayActions;
  /** Data rows read. */
  rows: number;
}

/**
 * Reads an actions CSV against the data's assets. Every problem is a UsageError naming the file,
 * line and column: unknown columns, assets not in the data, actions other than buy/sell/hold,
 * unreadable dates, the same date and asset given two different actions.
 */
export function parseActionsCsv(text: string, file: string, assets: readonly string[]): ParsedActions {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('\u0000')) throw new UsageError(`${file}: not a text CSV file (binary data)`);
  const rows = Papa.parse<string[]>(text, { skipEmptyLines: false }).data;
  const isBlank = (r: string[]) => r.every((c) => c.trim() === '');
  const first = rows.findIndex((r) => !isBlank(r));
  if (first < 0) throw new UsageError(`${file}: the file is empty`);
  const header = rows[first].map((c) => c.trim());
  const names = header.map((c) => c.toLowerCase());
  const col = (role: keyof typeof HEADERS) => {
    const i = names.findIndex((n) => HEADERS[role].test(n));
    if (i < 0)
      throw new UsageError(
        `${file}:${first + 1}: no '${role}' column in the header (${header.join(', ')}); expected date, asset, action`,
      );
    return i;
  };
  const [dateCol, assetCol, actionCol] = [col('date'), col('asset'), col('action')];

  const exact = new Map(assets.map((a, i) => [a, i]));
  const folded = new Map<string, number>();
  for (let i = 0; i < assets.length; i++)
    folded.set(assets[i].toUpperCase(), folded.has(assets[i].toUpperCase()) ? -1 : i);

  const dateCells: string[] = [];
  const lines: number[] = [];
  const assetIdx: number[] = [];
  const codes: number[] = [];
  for (let r = first + 1; r < rows.length; r++) {
    const row = rows[r];
    if (isBlank(row)) continue;
    const line = r + 1;
    const assetCell = (row[assetCol] ?? '').trim();
    const i = exact.get(assetCell) ?? folded.get(assetCell.toUpperCase());
    if (i === undefined || i < 0) {
      throw new UsageError(
        `${file}:${line}: column '${header[assetCol]}': '${assetCell}' is not an asset of the data (${assets.join(', ')})`,
      );
    }
    const actionCell = (row[actionCol] ?? '').trim();
    const code = ACTION_CODES[actionCell.toLowerCase()];
    if (code === undefined)
      throw new UsageError(
        `${file}:${line}: column '${header[actionCol]}': '${actionCell}' is not buy, sell or hold`,
      );
    dateCells.push((row[dateCol] ?? '').trim());
    lines.push(line);
    assetIdx.push(i);
    codes.push(code);
  }
  if (codes.length === 0) throw new UsageError(`${file}: no action rows below the header`);

  const { days } = parseDateColumn(dateCells);
  const actions: ReplayActions = new Map();
  const lineOf = new Map<string, number>();
  for (let k = 0; k < codes.length; k++) {
    if (Number.isNaN(days[k]))
      throw new UsageError(
        `${file}:${lines[k]}: column '${header[dateCol]}': '${dateCells[k]}' is not a date`,
      );
    const date = isoFromDays(days[k]);
    let row = actions.get(date) as Int32Array | undefined;
    if (!row) actions.set(date, (row = new Int32Array(assets.length).fill(-1)));
    const key = `${date}|${assetIdx[k]}`;
    if (row[assetIdx[k]] !== -1 && row[assetIdx[k]] !== codes[k]) {
      throw new UsageError(
        `${file}:${lines[k]}: ${assets[assetIdx[k]]} on ${date} already has a different action (line ${lineOf.get(key)})`,
      );
    }
    row[assetIdx[k]] = codes[k];
    lineOf.set(key, lines[k]);
  }
  for (const row of actions.values())
    for (let i = 0; i < row.length; i++) if ((row as Int32Array)[i] === -1) (row as Int32Array)[i] = HOLD;
  return { actions, rows: codes.length };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${file}: cannot read the file (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : String(code)})`,
    );
  }
}

function runReplay(panel: Panel, actions: ReplayActions, cfg: ReplayConfig): ReplayResult {
  try {
    return replayActions(panel, actions, cfg);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const field = /^TradingEnv config: (\w+)/.exec(message)?.[1];
    throw new UsageError(field && FLAG_OF[field] ? `${FLAG_OF[field]}: ${message}` : message);
  }
}

/** Writes equity.csv, positions.csv and metrics.json; returns the metrics. */
export function writeReplayFiles(
  dir: string,
  r: ReplayResult,
  splitName: string,
  annualization: number,
): MetricsRecord {
  ensureDir(dir);
  const N = r.assets.length;
  const rows = r.dates.length;
  const weights = new Float64Array(rows * N);
  for (let k = 0; k < rows; k++)
    for (let i = 0; i < N; i++) weights[k * N + i] = (r.shares[k * N + i] * r.close[k * N + i]) / r.value[k];
  const report = computeMetrics(r.returns, {
    annualization,
    dates: r.dates,
    weights,
    nAssets: N,
    turnover: r.turnover,
  });
  const metrics: MetricsRecord = {
    ...metricsRecord(report),
    final_equity: r.value[rows - 1],
    total_fees: r.totals.fees,
    traded_notional: r.totals.tradedNotional,
    trades: r.totals.trades,
    skipped_orders: r.totals.skipped,
    skipped_by_limit: r.totals.skippedByLimit,
  };
  writeJson(path.join(dir, 'metrics.json'), {
    strategy: 'replay',
    annualization,
    splits: { [splitName]: metrics },
  });

  const dd = drawdownFromEquity([r.config.initialCash, ...r.value]);
  const equityRows: CsvCell[][] = [];
  const positionRows: CsvCell[][] = [];
  for (let k = 0; k < rows; k++) {
    equityRows.push([
      r.dates[k],
      r.value[k],
      r.cash[k],
      r.returns[k],
      dd[k + 1],
      r.fees[k],
      r.turnover[k],
      r.trades[k],
      r.skipped[k],
    ]);
    for (let i = 0; i < N; i++) {
      const shares = r.shares[k * N + i];
      const close = r.close[k * N + i];
      positionRows.push([r.dates[k], r.assets[i], shares, shares * close, weights[k * N + i], close]);
    }
  }
  writeCsv(
    path.join(dir, 'equity.csv'),
    ['date', 'value', 'cash', 'return', 'drawdown', 'fees', 'turnover', 'trades', 'skipped'],
    equityRows,
  );
  writeCsv(
    path.join(dir, 'positions.csv'),
    ['date', 'asset', 'shares', 'value', 'weight', 'close'],
    positionRows,
  );
  return metrics;
}

const fmt = (v: unknown, digits = 4) =>
  typeof v === 'number' ? (Number.isFinite(v) ? v.toFixed(digits) : String(v)) : String(v);

export const command: CliCommand = {
  summary: 'apply buy/sell/hold actions per date and asset to TradingEnv; equity, positions, metrics',
  usage,
  async run(argv) {
    const t0 = performance.now();
    const { flags } = parseArgs(argv, spec);
    if (flags.data.length === 0) throw new UsageError('missing required option --data');
    const annualizationFlag =
      flags.annualization === undefined ? undefined : parseAnnualization(flags.annualization);

    const data = await loadDataSources(flags.data, { calendar: flags.calendar });
    const panel = requirePanel(data);
    for (const e of data.errors)
      process.stderr.write(`lab replay: warning: skipped ${formatImportIssue(e)}\n`);
    const { splits } = resolveSplits(panel, [flags.split]);
    const split = splits[0];
    const parsed = parseActionsCsv(readText(flags.actions), flags.actions, panel.assets);
    const t1 = performance.now();

    const cfg: ReplayConfig = {
      split: split.range,
      initialCash: flags['initial-cash'],
      buyPct: flags['buy-pct'],
      sellPct: flags['sell-pct'],
      feeRate: flags.fee,
      slippageBps: flags['slippage-bps'],
      fractionalShares: !flags['whole-shares'],
      limitPct: flags.limit ?? null,
      buyAllocation: flags['buy-allocation'],
    };
    const result = runReplay(panel, parsed.actions, cfg);
    const t2 = performance.now();
    const annualization = annualizationFlag ?? data.annualization;
    const metrics = writeReplayFiles(flags.out, result, split.name, annualization);
    const t3 = performance.now();

    const unused = result.unusedDates;
    if (unused.length) {
      const shown =
        unused.slice(0, 5).join(', ') + (unused.length > 5 ? `, … (${unused.length - 5} more)` : '');
      process.stderr.write(
        `lab replay: warning: actions on ${unused.length} date(s) not applied (not a trading date of the replayed rows ${split.startDate}..${split.endDate}, or its last date): ${shown}; listed in run.json\n`,
      );
    }
    writeJson(path.join(flags.out, 'run.json'), {
      command: 'replay',
      argv,
      created: new Date().toISOString(),
      config: {
        ...result.config,
        split: {
          name: split.name,
          start: split.startDate,
          end: split.endDate,
          rows: [split.range.start, split.range.end],
        },
        actions_file: flags.actions,
        action_rows: parsed.rows,
        annualization,
      },
      unused_action_dates: unused,
      data: {
        source: flags.data.join(' '),
        assets: panel.assets,
        start: panel.dates[0] ?? null,
        end: panel.dates[panel.dates.length - 1] ?? null,
        rows: panel.dates.length,
        fingerprint: panelFingerprint(panel),
      },
      versions: versions(),
      timings_ms: {
        load: Math.round(t1 - t0),
        replay: Math.round(t2 - t1),
        write: Math.round(t3 - t2),
        total: Math.round(performance.now() - t0),
      },
    });

    process.stdout.write(
      `replay of ${parsed.rows} action rows on ${panel.assets.length} assets, ${split.startDate}..${split.endDate} → ${flags.out}\n` +
        `  final_equity ${fmt(metrics.final_equity, 2)}  total_return ${fmt(metrics.total_return)}  sharpe ${fmt(metrics.sharpe, 2)}  ` +
        `max_drawdown ${fmt(metrics.max_drawdown)}  trades ${metrics.trades}  skipped ${metrics.skipped_orders}  fees ${fmt(metrics.total_fees, 2)}\n`,
    );
    return 0;
  },
};
