/**
 * The work behind `lab backtest`, on a Panel already loaded: split resolution, one baseline run per
 * split (each split starts from cash at its first close, like an agent's episode), metrics, and
 * the output files (metrics.json, equity.csv, positions.csv, run.json).
 */
import path from 'node:path';
import { inferAnnualization } from '../core/data/align.ts';
import { QTMRL_SPLIT, type Panel, type RowRange } from '../core/data/types.ts';
import { parseStrategy, runBaseline, strategyName, type BacktestResult } from '../core/baselines/index.ts';
import {
  computeMetrics,
  drawdownFromEquity,
  metricsRecord,
  type MetricsRecord,
} from '../core/metrics/index.ts';
import { UsageError } from './errors.ts';
import { panelFingerprint, versions } from './fingerprint.ts';
import { ensureDir, writeCsv, writeJson, type CsvCell } from './output.ts';

export interface SplitRows {
  /** 'train' | 'valid' | 'test' | 'all' | 'START:END'. */
  name: string;
  range: RowRange;
  startDate: string;
  endDate: string;
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;

/** Rows of the panel with start ≤ date ≤ end (ISO strings compare as dates). */
export function rowsBetween(dates: readonly string[], start: string, end: string): RowRange {
  let s = 0;
  while (s < dates.length && dates[s] < start) s++;
  let e = s;
  while (e < dates.length && dates[e] <= end) e++;
  return { start: s, end: e };
}

/**
 * Resolve split names: train / valid / test (QTMRL dates: 2000–2010, 2011–2018, 2019–2021), all
 * (every row) or START:END (ISO dates, inclusive; either side may be empty). Named QTMRL splits
 * with fewer than two rows are skipped (returned in `skipped`); an explicit range that is too
 * short, or nothing left at all, is a UsageError.
 */
export function resolveSplits(
  panel: Panel,
  names: readonly string[],
): { splits: SplitRows[]; skipped: string[] } {
  const dates = panel.dates;
  const splits: SplitRows[] = [];
  const skipped: string[] = [];
  const span = dates.length ? `${dates[0]}..${dates[dates.length - 1]}` : 'no dates';
  for (const raw of names) {
    const name = raw.trim();
    let range: RowRange;
    let explicit = true;
    if (name === 'train' || name === 'valid' || name === 'test') {
      range = rowsBetween(dates, QTMRL_SPLIT[name].start, QTMRL_SPLIT[name].end);
      explicit = false;
    } else if (name === 'all') {
      range = { start: 0, end: dates.length };
    } else if (name.includes(':')) {
      const [a, b] = name.split(':');
      if ((a && !ISO.test(a)) || (b && !ISO.test(b)))
        throw new UsageError(`--split '${name}': dates must be YYYY-MM-DD:YYYY-MM-DD`);
      range = rowsBetween(dates, a || '0000-00-00', b || '9999-99-99');
    } else {
      throw new UsageError(`unknown split '${name}'; expected train, valid, test, all or START:END`);
    }
    if (range.end - range.start < 2) {
      if (explicit)
        throw new UsageError(
          `split '${name}' has ${range.end - range.start} row(s) in data covering ${span}; a backtest needs at least 2`,
        );
      skipped.push(name);
      continue;
    }
    splits.push({ name, range, startDate: dates[range.start], endDate: dates[range.end - 1] });
  }
  if (splits.length === 0) {
    throw new UsageError(
      `none of the splits ${names.join(', ')} has data in ${span}; use --split all or --split START:END`,
    );
  }
  return { splits, skipped };
}

export interface BacktestConfig {
  /** Strategy syntax of parseStrategy: buy-and-hold | equal-weight[:k] | ma:<n> | random. */
  strategy: string;
  splits: string[];
  fee: number;
  seed: number;
  initialCash: number;
  /** Periods per year for the metrics; default inferred from the dates (252 trading days, 365 crypto, …). */
  annualization?: number;
}

export interface SplitBacktest {
  split: SplitRows;
  result: BacktestResult;
  metrics: MetricsRecord;
}

export interface PanelBacktest {
  strategy: string;
  annualization: number;
  runs: SplitBacktest[];
  skipped: string[];
}

export function backtestPanel(panel: Panel, cfg: BacktestConfig): PanelBacktest {
  let spec;
  try {
    spec = parseStrategy(cfg.strategy);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (!(cfg.fee >= 0 && cfg.fee < 1)) throw new UsageError(`--fee must be in [0, 1), got ${cfg.fee}`);
  if (!(cfg.initialCash > 0)) throw new UsageError(`--initial-cash must be positive, got ${cfg.initialCash}`);
  const { splits, skipped } = resolveSplits(panel, cfg.splits);
  const annualization = cfg.annualization ?? inferAnnualization(panel.dates);
  const N = panel.assets.length;
  const runs = splits.map((split) => {
    const result = runBaseline(spec, panel.close, N, {
      fee: cfg.fee,
      initialCash: cfg.initialCash,
      range: split.range,
      seed: cfg.seed,
    });
    const report = computeMetrics(result.returns, {
      annualization,
      dates: panel.dates.slice(split.range.start, split.range.end),
      weights: result.weights,
      nAssets: N,
      turnover: result.turnover,
    });
    const metrics: MetricsRecord = {
      ...metricsRecord(report),
      final_equity: result.equity[result.equity.length - 1],
      total_fees: result.totalFees,
      trades: result.trades,
    };
    return { split, result, metrics };
  });
  return { strategy: strategyName(spec), annualization, runs, skipped };
}

/** Writes metrics.json, equity.csv and positions.csv into `dir`. */
export function writeBacktestFiles(dir: string, panel: Panel, bt: PanelBacktest): string[] {
  ensureDir(dir);
  const N = panel.assets.length;
  writeJson(path.join(dir, 'metrics.json'), {
    strategy: bt.strategy,
    annualization: bt.annualization,
    splits: Object.fromEntries(bt.runs.map((r) => [r.split.name, r.metrics])),
    ...(bt.skipped.length && { skipped_splits: bt.skipped }),
  });

  const equityRows: CsvCell[][] = [];
  const positionRows: CsvCell[][] = [];
  for (const { split, result } of bt.runs) {
    const dd = drawdownFromEquity([result.initialCash, ...result.equity]);
    for (let k = 0; k < result.equity.length; k++) {
      const t = split.range.start + k;
      const date = panel.dates[t];
      equityRows.push([
        split.name,
        date,
        result.equity[k],
        result.returns[k],
        dd[k + 1],
        result.cash[k],
        result.fees[k],
        result.turnover[k],
      ]);
      for (let i = 0; i < N; i++) {
        positionRows.push([
          split.name,
          date,
          panel.assets[i],
          result.positions[k * N + i],
          result.weights[k * N + i],
          panel.close[t * N + i],
        ]);
      }
    }
  }
  writeCsv(
    path.join(dir, 'equity.csv'),
    ['split', 'date', 'equity', 'return', 'drawdown', 'cash', 'fees', 'turnover'],
    equityRows,
  );
  writeCsv(
    path.join(dir, 'positions.csv'),
    ['split', 'date', 'asset', 'shares', 'weight', 'close'],
    positionRows,
  );
  return ['metrics.json', 'equity.csv', 'positions.csv'];
}

export interface RunRecordInput {
  dataSource: string;
  cfg: BacktestConfig;
  bt: PanelBacktest;
  timingsMs: Record<string, number>;
  argv: readonly string[];
}

/** run.json: config, data fingerprint, versions, timings. */
export function writeRunRecord(dir: string, panel: Panel, input: RunRecordInput): void {
  const { cfg, bt } = input;
  writeJson(path.join(dir, 'run.json'), {
    command: 'backtest',
    argv: input.argv,
    created: new Date().toISOString(),
    config: {
      strategy: bt.strategy,
      fee: cfg.fee,
      seed: cfg.seed,
      initial_cash: cfg.initialCash,
      annualization: bt.annualization,
      splits: Object.fromEntries(
        bt.runs.map((r) => [
          r.split.name,
          { start: r.split.startDate, end: r.split.endDate, rows: [r.split.range.start, r.split.range.end] },
        ]),
      ),
      ...(bt.skipped.length && { skipped_splits: bt.skipped }),
    },
    data: {
      source: input.dataSource,
      assets: panel.assets,
      start: panel.dates[0] ?? null,
      end: panel.dates[panel.dates.length - 1] ?? null,
      rows: panel.dates.length,
      fingerprint: panelFingerprint(panel),
    },
    versions: versions(),
    timings_ms: input.timingsMs,
  });
}
