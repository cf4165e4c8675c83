/**
 * `lab kol`: seed 000's opinion-leader workflow. `prepare` joins posts to prices, writes the
 * ticker-day files (the seed's generate_reward step), runs the baseline book and exports the
 * per-post decisions; `score` scores text with the lexicon scorers. train / evaluate / export
 * arrive with the residual policy.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Panel, SplitName } from '../../core/data/types.ts';
import { formatImportIssue } from '../../core/data/report.ts';
import { DECISION_COLUMNS, evaluateBaseline, type SplitEvaluation } from '../../core/kol/evaluate.ts';
import { formatSignalIssues, formatSignalReport } from '../../core/kol/issues.ts';
import {
  DEFAULT_KOL_PREPARE,
  parseKolSplit,
  prepareKol,
  publicationDate,
  type KolPrepareConfig,
  type PreparedKol,
} from '../../core/kol/prepare.ts';
import { DEFAULT_SCORER, SCORERS, scoreText, type ScorerName } from '../../core/kol/scorer.ts';
import { kolSettings } from '../../core/kol/settings.ts';
import { importSignals } from '../../core/kol/signals.ts';
import type { SignalImportResult } from '../../core/kol/types.ts';
import {
  generateKolSignals,
  parseKolSyntheticSpec,
  syntheticSignalsCsv,
  type KolSyntheticMeta,
} from '../../core/kol/synthetic.ts';
import { parseArgs } from '../args.ts';
import { loadDataSources, requirePanel } from '../dataSources.ts';
import { UsageError } from '../errors.ts';
import { panelFingerprint, versions } from '../fingerprint.ts';
import { ensureDir, writeCsv, writeJson, type CsvCell } from '../output.ts';
import type { CliCommand } from './index.ts';

const P = DEFAULT_KOL_PREPARE;
const DEFAULT_PRICES = 'synthetic:assets=8,days=1260';

const usage = `usage: lab kol <subcommand> [options]

Seed 000: opinion-leader (KOL) posts → a faithful long-short book (→ later, a bounded residual
learned by RL).

subcommands:
  prepare   join posts to prices, write the ticker-day files, run the baseline book, export decisions
  score     score text with the lexicon scorers (lab kol score "Huge earnings beat" …)
  train, evaluate, export   not yet: they arrive with the residual policy (issue 11)

lab kol prepare (--signals FILE | --synthetic k=v,…) [--prices SRC…] --out DIR [options]

  --signals FILE       posts CSV: date, ticker, and sentiment (−1..1) + confidence (0..1) or text;
                       optional author/source, post/video id, url. Columns by header, any order/case,
                       synonyms (ticker/symbol, sentiment/score/polarity, confidence/conf/probability,
                       date/published_at/timestamp, text/title/content). Repeat for several files:
                       one that cannot be used is reported and skipped, the others still load
  --synthetic SPEC     seeded synthetic posts over the prices instead ('default' or k=v,…):
                       seed, postsPerDay (3), tickers (0 = all), accuracy (0.6: P(sign right)),
                       calibration (0.5), noise (0.1), afterClose (0.25), textFraction (0), authors (3)
  --prices SRC         file, folder, embedded:NAME or synthetic[:k=v,…]; repeat for several
                       (default ${DEFAULT_PRICES}, seeded by the --synthetic seed)
  --out DIR            output folder (created)
  --max-weight W       cap on each |weight| (default ${P.maxWeight})
  --hold-decay D       an unmentioned ticker keeps yesterday's weight × D (default ${P.holdDecay})
  --fee F              fee per unit of traded value (default ${P.feeRate} = 5 bps)
  --scorer S           ${SCORERS.join(' | ')} for posts with text but no sentiment (default ${DEFAULT_SCORER})
  --split A,B          train,valid as fractions of the signal days (default 0.6,0.2) or end dates
                       (2021-06-30,2022-06-30); test is the rest
  --close HH:MM        exchange close (US/Eastern); posts at or after it count for the next
                       trading day (default 16:00)
  --date-only MODE     posts with a date but no time: before-close (count on their date, default)
                       or after-close (next trading day)
  --max-roll-days N    longest roll from a weekend/holiday to the next trading day (default 7 on daily
                       prices, the longest gap of the calendar on weekly/monthly ones)
  --annualization N    periods per year for the metrics (default: inferred from the dates)
  --calendar C         intersection (default) or union (forward-filled) of the assets' dates

outputs (DIR):
  train.csv valid.csv test.csv   one row per ticker-day: date, ticker, sentiment, confidence,
                       baseline_raw_score = tanh(2·sentiment·confidence), reward_1d = sign(sentiment)
                       × next-day return, next_date, next_return, n_posts, post_ids, last_position,
                       baseline_weight (replayed with the settings in meta.json)
  posts.csv            every joined post and the trading day it counts for
  signal_decisions_test.csv   per test post: date, ticker, post id, sentiment, confidence, baseline
                       and trained action (trained = baseline until the residual exists), position
                       before/after, equity_baseline, equity_trained
  equity_test.csv      daily equity of the baseline and of buy-and-hold of the same tickers
  metrics.json         per split: baseline (total_return, sharpe, max_drawdown, turnover, fidelity, …),
                       buy_and_hold of the same tickers, and the edge test on the ticker-days
  metrics_test.json    the test split alone
  meta.json            settings (max_weight, hold_decay, fee: later steps refuse a mismatch), splits,
                       counts, import and join reports, data fingerprint, versions, timings
  signals.csv          the generated posts (--synthetic only)
  report.txt           the import and join reports as printed

lab kol score [--scorer S] TEXT…   prints each text's score in −1..1 and the lexicon words found`;

const prepareSpec = {
  flags: {
    signals: { type: 'string', multiple: true },
    synthetic: { type: 'string' },
    prices: { type: 'string', multiple: true },
    out: { type: 'string', required: true },
    'max-weight': { type: 'number', default: P.maxWeight },
    'hold-decay': { type: 'number', default: P.holdDecay },
    fee: { type: 'number', default: P.feeRate },
    scorer: { type: 'string', choices: SCORERS, default: DEFAULT_SCORER },
    split: { type: 'string', default: '0.6,0.2' },
    close: { type: 'string', default: '16:00' },
    'date-only': { type: 'string', choices: ['before-close', 'after-close'], default: P.dateOnly },
    'max-roll-days': { type: 'integer' },
    annualization: { type: 'number' },
    calendar: { type: 'string', choices: ['intersection', 'union'], default: 'intersection' },
  },
} as const;

const scoreSpec = {
  flags: { scorer: { type: 'string', choices: SCORERS, default: DEFAULT_SCORER } },
  positionals: { min: 1, names: ['TEXT'] },
} as const;

function parseClose(text: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m || Number(m[1]) > 24 || Number(m[2]) > 59)
    throw new UsageError(`--close expects HH:MM, got '${text}'`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : String(code);
}

const fmt = (v: unknown, digits = 4) =>
  typeof v === 'number' ? (Number.isFinite(v) ? v.toFixed(digits) : String(v)) : String(v);

/** Ticker-day rows of one split, with the replayed last position and baseline weight. */
function tickerDayRows(prep: PreparedKol, name: SplitName, ev: SplitEvaluation | null): CsvCell[][] {
  const out: CsvCell[][] = [];
  const M = prep.assets.length;
  const colOf = new Map(prep.assets.map((c, j) => [c, j]));
  for (const td of prep.tickerDays) {
    if (td.split !== name) continue;
    let last: number | null = null;
    let weight: number | null = null;
    if (ev) {
      const d = td.row - ev.split.firstRow;
      const j = colOf.get(td.asset)!;
      weight = ev.weights[d * M + j];
      last = d > 0 ? ev.weights[(d - 1) * M + j] : 0;
    }
    out.push([
      td.date,
      td.ticker,
      td.sentiment,
      td.confidence,
      td.score,
      td.reward,
      td.nextDate,
      td.nextReturn,
      td.posts,
      td.postIds.join('|'),
      last,
      weight,
    ]);
  }
  return out;
}

const TICKER_DAY_COLUMNS = [
  'date',
  'ticker',
  'sentiment',
  'confidence',
  'baseline_raw_score',
  'reward_1d',
  'next_date',
  'next_return',
  'n_posts',
  'post_ids',
  'last_position',
  'baseline_weight',
];

function splitRecord(ev: SplitEvaluation | null) {
  if (!ev) return null;
  return {
    start: ev.split.start,
    end: ev.split.end,
    days: ev.days,
    tickers: ev.tickers,
    baseline: ev.baseline,
    buy_and_hold: ev.buyAndHoldMetrics,
    edge: ev.edge,
  };
}

async function prepare(argv: string[]): Promise<number> {
  const t0 = performance.now();
  const { flags } = parseArgs(argv, prepareSpec);
  if ((flags.signals.length === 0) === (flags.synthetic === undefined))
    throw new UsageError('give exactly one of --signals FILE or --synthetic SPEC');
  let split: KolPrepareConfig['split'];
  try {
    split = parseKolSplit(flags.split);
  } catch (err) {
    throw new UsageError(`--split: ${(err as Error).message}`);
  }
  const cfg: Partial<KolPrepareConfig> = {
    maxWeight: flags['max-weight'],
    holdDecay: flags['hold-decay'],
    feeRate: flags.fee,
    closeMinute: parseClose(flags.close),
    dateOnly: flags['date-only'],
    maxRollDays: flags['max-roll-days'],
    split,
  };
  let synth: ReturnType<typeof parseKolSyntheticSpec> | null = null;
  if (flags.synthetic !== undefined) {
    try {
      synth = flags.synthetic.trim() === 'default' ? {} : parseKolSyntheticSpec(flags.synthetic);
    } catch (err) {
      throw new UsageError(`--synthetic: ${(err as Error).message}`);
    }
  }
  const priceSpecs = flags.prices.length ? flags.prices : [`${DEFAULT_PRICES},seed=${synth?.seed ?? 0}`];
  const data = await loadDataSources(priceSpecs, { calendar: flags.calendar });
  const panel: Panel = requirePanel(data);
  for (const e of data.errors) process.stderr.write(`lab kol: warning: skipped ${formatImportIssue(e)}\n`);
  const annualization = flags.annualization ?? data.annualization;

  const texts: { name: string; text: string }[] = [];
  const unreadable = new Map<string, string>();
  let synthMeta: KolSyntheticMeta | null = null;
  ensureDir(flags.out);
  if (synth) {
    let gen;
    try {
      gen = generateKolSignals(panel, synth);
    } catch (err) {
      throw new UsageError(`--synthetic: ${(err as Error).message}`);
    }
    synthMeta = gen.meta;
    const name = path.join(flags.out, 'signals.csv');
    texts.push({ name, text: syntheticSignalsCsv(gen.rows) });
    writeFileSync(name, texts[0].text);
  } else {
    for (const name of flags.signals) {
      try {
        texts.push({ name, text: readFileSync(name, 'utf8') });
      } catch (err) {
        texts.push({ name, text: '' });
        unreadable.set(name, fsReason(err));
      }
    }
  }
  // Each file imports on its own: a bad one is reported and skipped, the others still load.
  const results: SignalImportResult[] = texts.map(({ name, text }) =>
    unreadable.has(name)
      ? {
          ok: false,
          file: name,
          error: {
            file: name,
            line: 1,
            column: 1,
            message: `cannot read the file (${unreadable.get(name)})`,
          },
        }
      : importSignals(text, { fileName: name, scorer: flags.scorer as ScorerName }),
  );
  const good = results.filter((r): r is Extract<SignalImportResult, { ok: true }> => r.ok);
  const failed = results.filter((r): r is Extract<SignalImportResult, { ok: false }> => !r.ok);
  if (good.length === 0) throw new UsageError(formatImportIssue(failed[0].error));
  for (const f of failed) process.stderr.write(`lab kol: warning: skipped ${formatImportIssue(f.error)}\n`);
  const signalsName = good.map((r) => r.file).join(', ');
  const t1 = performance.now();

  let prep: PreparedKol;
  try {
    prep = prepareKol(
      panel,
      good.flatMap((r) => r.posts),
      cfg,
    );
  } catch (err) {
    throw new UsageError(`${signalsName}: ${(err as Error).message}`);
  }
  const evals = {
    train: evaluateBaseline(panel, prep, 'train', annualization),
    valid: evaluateBaseline(panel, prep, 'valid', annualization),
    test: evaluateBaseline(panel, prep, 'test', annualization),
  };
  const t2 = performance.now();

  // Files.
  const out = flags.out;
  for (const name of ['train', 'valid', 'test'] as const)
    writeCsv(path.join(out, `${name}.csv`), TICKER_DAY_COLUMNS, tickerDayRows(prep, name, evals[name]));
  writeCsv(
    path.join(out, 'posts.csv'),
    [
      'line',
      'published',
      'published_date',
      'signal_date',
      'ticker',
      'sentiment',
      'confidence',
      'sentiment_source',
      'author',
      'post_id',
      'url',
      'text',
    ],
    prep.posts.map((p) => [
      p.line,
      p.published,
      publicationDate(p),
      p.date,
      p.ticker,
      p.sentiment,
      p.confidence,
      p.sentimentSource,
      p.author,
      p.postId,
      p.url,
      p.text,
    ]),
  );
  const test = evals.test;
  writeCsv(
    path.join(out, 'signal_decisions_test.csv'),
    DECISION_COLUMNS,
    (test?.decisions ?? []).map((d) => DECISION_COLUMNS.map((k) => d[k])),
  );
  const equityRows: CsvCell[][] = [];
  if (test) {
    let bh = 1;
    equityRows.push([test.dates[0], 1, 1, 1]);
    for (let k = 0; k < test.days; k++) {
      bh *= 1 + test.buyAndHold[k];
      equityRows.push([test.returnDates[k], test.run.equity[k + 1], test.run.equity[k + 1], bh]);
    }
  }
  writeCsv(
    path.join(out, 'equity_test.csv'),
    ['date', 'equity_baseline', 'equity_trained', 'equity_buy_and_hold'],
    equityRows,
  );
  const settings = kolSettings(prep.config);
  const splitsJson = {
    train: splitRecord(evals.train),
    valid: splitRecord(evals.valid),
    test: splitRecord(evals.test),
  };
  writeJson(path.join(out, 'metrics.json'), {
    workflow: 'kol',
    policy: 'baseline',
    annualization,
    settings,
    splits: splitsJson,
  });
  writeJson(path.join(out, 'metrics_test.json'), {
    workflow: 'kol',
    policy: 'baseline',
    annualization,
    settings,
    ...splitsJson.test,
  });

  const joinLines = [
    `join: ${prep.counts.postsIn} posts → ${prep.counts.postsJoined} joined to ${prep.tickers.length} tickers, ${prep.counts.tickerDays} ticker-days on ${prep.counts.signalDays} trading days (${prep.counts.postsDropped} dropped)`,
    ...formatSignalIssues(prep.issues, 'post'),
  ];
  const report = [...results.map(formatSignalReport), ...joinLines].join('\n');
  writeFileSync(path.join(out, 'report.txt'), report + '\n');
  const t3 = performance.now();
  writeJson(path.join(out, 'meta.json'), {
    kind: 'kol-prepared',
    version: 1,
    command: 'kol prepare',
    argv,
    created: new Date().toISOString(),
    settings,
    prepare: {
      close_time: flags.close,
      date_only: prep.config.dateOnly,
      max_roll_days: prep.config.maxRollDays,
      scorer: flags.scorer,
      split: prep.config.split,
      time_zone: 'US/Eastern (times without a zone are exchange time)',
    },
    splits: prep.splits.map((s) => ({ name: s.name, start: s.start, end: s.end })),
    counts: prep.counts,
    tickers: prep.tickers,
    signals: {
      files: results.map((r) => r.file),
      reports: good.map((r) => r.report),
      errors: failed.map((r) => r.error),
    },
    join_issues: prep.issues,
    synthetic: synthMeta
      ? {
          config: synthMeta.config,
          realised_accuracy: synthMeta.realisedAccuracy,
          tickers: synthMeta.tickers,
        }
      : null,
    prices: {
      source: priceSpecs.join(' '),
      assets: panel.assets,
      start: panel.dates[0],
      end: panel.dates[panel.dates.length - 1],
      rows: panel.dates.length,
      fingerprint: panelFingerprint(panel),
    },
    versions: versions(),
    timings_ms: {
      load: Math.round(t1 - t0),
      prepare_and_baseline: Math.round(t2 - t1),
      write: Math.round(t3 - t2),
      total: Math.round(performance.now() - t0),
    },
  });

  const lines = [
    report,
    `baseline book: max_weight ${settings.max_weight}, hold_decay ${settings.hold_decay}, fee ${settings.fee} → ${out}`,
  ];
  for (const name of ['train', 'valid', 'test'] as const) {
    const ev = evals[name];
    if (!ev) {
      lines.push(`  ${name.padEnd(5)} (no signal days)`);
      continue;
    }
    const b = ev.baseline;
    const h = ev.buyAndHoldMetrics;
    lines.push(
      `  ${name.padEnd(5)} ${ev.split.start}..${ev.split.end}  baseline total_return ${fmt(b.total_return)} sharpe ${fmt(b.sharpe, 2)} max_drawdown ${fmt(b.max_drawdown)} turnover ${fmt(b.turnover)} fidelity ${fmt(b.fidelity, 1)} | buy-and-hold total_return ${fmt(h.total_return)} sharpe ${fmt(h.sharpe, 2)}`,
      `        ${ev.edge.verdict}`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

function score(argv: string[]): number {
  const { flags, positionals } = parseArgs(argv, scoreSpec);
  for (const text of positionals) {
    const s = scoreText(text, flags.scorer as ScorerName);
    process.stdout.write(`${s.score.toFixed(4)}\t${s.hits} word${s.hits === 1 ? '' : 's'}\t${text}\n`);
  }
  return 0;
}

export const command: CliCommand = {
  summary:
    'opinion-leader posts (seed 000): prepare ticker-days and the baseline long-short book; score text',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'prepare') return prepare(rest);
    if (sub === 'score') return score(rest);
    if (sub === 'train' || sub === 'evaluate' || sub === 'export')
      throw new UsageError(
        `'kol ${sub}' is not available yet: it arrives with the residual policy (issue 11); 'kol prepare' writes the baseline and its decisions today`,
      );
    throw new UsageError(
      sub
        ? `unknown subcommand '${sub}' (prepare, score)`
        : 'missing subcommand (prepare, score); lab kol --help',
    );
  },
};
