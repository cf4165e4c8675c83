/** `lab backtest`: a baseline strategy over the data's splits → metrics.json, equity.csv, positions.csv, run.json. */
import { STRATEGY_SYNTAX } from '../../core/baselines/index.ts';
import { DEFAULT_FEE, DEFAULT_INITIAL_CASH } from '../../core/baselines/backtest.ts';
import { parseArgs } from '../args.ts';
import { backtestPanel, writeBacktestFiles, writeRunRecord, type BacktestConfig } from '../backtest.ts';
import { loadDataSources, requirePanel } from '../dataSources.ts';
import { UsageError } from '../errors.ts';
import { formatImportIssue } from '../../core/data/report.ts';
import type { CliCommand } from './index.ts';
import { parseAnnualization } from './metrics.ts';

const usage = `usage: lab backtest --data SRC… --strategy S [--split NAME…] [--fee F] [--seed N] --out DIR

Runs a baseline on the same data, fees and splits as the agents. Each split starts in cash and
buys at its first close. Writes DIR/metrics.json (per split: total_return, cagr,
annual_volatility, sharpe, sortino, calmar, max_drawdown, turnover, …), DIR/equity.csv,
DIR/positions.csv and DIR/run.json (config, data fingerprint, versions, timings).

strategies (${STRATEGY_SYNTAX}):
  buy-and-hold     equal weights bought once at the split's first close, never rebalanced
  equal-weight[:k] back to equal weights every k days (default 1: daily)
  ma:<n>           long (equal weight) the assets whose close is above their n-day SMA, cash otherwise;
                   trades at close t on the SMA of closes up to t, only when the set of longs changes
  random           uniform BUY/SELL/HOLD per asset per day on TradingEnv (QTMRL rules), seeded by --seed

options:
  --data SRC          file, folder, embedded:NAME or synthetic[:k=v,…]; repeat for several
  --strategy S        see above
  --split NAME        train | valid | test (QTMRL: 2000–2010, 2011–2018, 2019–2021) | all | START:END
                      (ISO dates, inclusive); repeat or comma-separate (default train,valid,test;
                      named splits without data are skipped)
  --fee F             fee per traded notional, each side (default ${DEFAULT_FEE} = 0.05%)
  --initial-cash C    starting cash (default ${DEFAULT_INITIAL_CASH})
  --seed N            seed of the random strategy (default 0)
  --annualization N   periods per year for the metrics (default: inferred from the dates)
  --calendar C        intersection (default) or union (forward-filled) of the assets' dates
  --out DIR           output folder (created)`;

const spec = {
  flags: {
    data: { type: 'string', multiple: true },
    strategy: { type: 'string', required: true },
    split: { type: 'string', multiple: true },
    fee: { type: 'number', default: DEFAULT_FEE },
    'initial-cash': { type: 'number', default: DEFAULT_INITIAL_CASH },
    seed: { type: 'integer', default: 0 },
    annualization: { type: 'string' },
    calendar: { type: 'string', choices: ['intersection', 'union'], default: 'intersection' },
    out: { type: 'string', required: true },
  },
} as const;

const fmt = (v: unknown, digits = 4) =>
  typeof v === 'number' ? (Number.isFinite(v) ? v.toFixed(digits) : String(v)) : String(v);

export const command: CliCommand = {
  summary:
    'run a baseline (buy-and-hold, equal-weight, ma:<n>, random) over the splits; metrics, equity, positions',
  usage,
  async run(argv) {
    const t0 = performance.now();
    const { flags } = parseArgs(argv, spec);
    if (flags.data.length === 0) throw new UsageError('missing required option --data');
    const splits = (flags.split.length ? flags.split : ['train,valid,test'])
      .flatMap((s) => s.split(','))
      .filter((s) => s.trim() !== '');
    const cfg: BacktestConfig = {
      strategy: flags.strategy,
      splits,
      fee: flags.fee,
      seed: flags.seed,
      initialCash: flags['initial-cash'],
      annualization: flags.annualization === undefined ? undefined : parseAnnualization(flags.annualization),
    };

    const data = await loadDataSources(flags.data, { calendar: flags.calendar });
    const panel = requirePanel(data);
    for (const e of data.errors)
      process.stderr.write(`lab backtest: warning: skipped ${formatImportIssue(e)}\n`);
    const t1 = performance.now();

    const bt = backtestPanel(panel, { ...cfg, annualization: cfg.annualization ?? data.annualization });
    const t2 = performance.now();
    if (bt.skipped.length)
      process.stderr.write(`lab backtest: note: no data in split(s) ${bt.skipped.join(', ')}; skipped\n`);

    writeBacktestFiles(flags.out, panel, bt);
    const t3 = performance.now();
    writeRunRecord(flags.out, panel, {
      dataSource: flags.data.join(' '),
      cfg,
      bt,
      argv,
      timingsMs: {
        load: Math.round(t1 - t0),
        backtest: Math.round(t2 - t1),
        write: Math.round(t3 - t2),
        total: Math.round(performance.now() - t0),
      },
    });

    const lines = [`${bt.strategy} on ${panel.assets.length} assets, fee ${cfg.fee} → ${flags.out}`];
    for (const r of bt.runs) {
      const m = r.metrics;
      lines.push(
        `  ${r.split.name.padEnd(6)} ${r.split.startDate}..${r.split.endDate}  total_return ${fmt(m.total_return)}  sharpe ${fmt(m.sharpe, 2)}  max_drawdown ${fmt(m.max_drawdown)}  turnover ${fmt(m.turnover)}`,
      );
    }
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
