/**
 * `lab kol`: seed 000's opinion-leader workflow. `prepare` joins posts to prices, writes the
 * ticker-day files (the seed's generate_reward step), runs the baseline book and exports the
 * per-post decisions; `score` scores text with the lexicon scorers; `train` learns the bounded
 * residual (residual IQL on the replay buffer of src/core/kol/replay.ts), `evaluate` and `export`
 * run it through the book's rules on the test split.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { checkBookConfig, type KolBookConfig } from '../../core/kol/book.ts';
import { parseKolMeta, type KolPreparedMeta } from '../../core/kol/meta.ts';
import {
  checkReplaySettings,
  kolSplitBook,
  type KolCloses,
  type KolSplitBook,
  type KolTickerDayInput,
} from '../../core/kol/replay.ts';
import {
  checkKolResidualConfig,
  DEFAULT_KOL_RESIDUAL,
  evaluateKolResidual,
  kolSpacesEnv,
  kolTrainReplay,
  provideKolReplay,
  trainKolResidual,
  type KolResidualConfig,
} from '../../core/kol/residualTrain.ts';
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
import {
  checkKolSettings,
  kolSettings,
  KolSettingsMismatch,
  type KolSettings,
} from '../../core/kol/settings.ts';
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
const R = DEFAULT_KOL_RESIDUAL;
const DEFAULT_PRICES = 'synthetic:assets=8,days=1260';

const usage = `usage: lab kol <subcommand> [options]

Seed 000: opinion-leader (KOL) posts → a faithful long-short book (→ later, a bounded residual
learned by RL).

subcommands:
  prepare   join posts to prices, write the ticker-day files, run the baseline book, export decisions
  score     score text with the lexicon scorers (lab kol score "Huge earnings beat" …)
  train     learn the bounded residual on the train split (residual IQL: BC warm start, then IQL
            with the fidelity penalty), from a prepared folder
  evaluate  baseline vs trained book on the test split (metrics_test.json, positions_test.csv)
  export    the test decisions with the trained actions (signal_decisions_test.csv)

lab kol prepare (--signals FILE | --synthetic k=v,…) [--prices SRC…] --out DIR [options]

  --signals FILE       posts CSV: date, ticker, and sentiment (−1..1) + confidence (0..1) or text;
                       optional author/source, post/video id, url. Columns by header, any order/case,
                       synonyms (ticker/symbol, sentiment/score/polarity, confidence/conf/probability,
                       date/published_at/timestamp, text/title/content). Repeat for several files:
                       one that cannot be used is reported and skipped, the others still load
  --synthetic SPEC     seeded synthetic posts over the prices instead ('default' or k=v,…):
                       seed, postsPerDay (3), tickers (0 = all), accuracy (0.6: P(sign right)),
                       calibration (0.5), noise (0.1), afterClose (0.25), textFraction (0), authors (3),
                       tickerSpread (0: tickers' accuracies spread over accuracy ± this)
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
  closes.csv           closes of the tickers over the splits' days (what kol train/evaluate run on)
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

lab kol score [--scorer S] TEXT…   prints each text's score in −1..1 and the lexicon words found

lab kol train DIR --out RUN [options]      DIR: a lab kol prepare folder
  replay buffer: one row per train ticker-day, state = [text embedding | sentiment | confidence |
  last position | ticker one-hot | baseline weight], action = the baseline weight, plus --explore
  perturbed copies; reward = the book's return gain from that action over the multiplier's life
  (gross-neutral, fees included); recorded with the book settings (a mismatch with DIR/meta.json
  is an error)
  --fidelity-lambda L  λ of the penalty λ·(policy − baseline)² on the policy (default ${R.fidelityLambda})
  --residual-scale S   action = baseline·(1 + S·tanh δ), 0 ≤ S < 1 (default ${R.residualScale})
  --max-weight W --hold-decay D   book settings (default: DIR/meta.json's; others are refused)
  --bc-epochs N        passes of the BC warm start towards the baseline (default ${R.bcEpochs})
  --steps N            IQL updates (default ${R.steps})
  --seed N             (default 0)
  --explore K          perturbed copies b·(1 + S·u), u ~ U(−1, 1), of each ticker-day with their
                       exact counterfactual reward (default ${R.explore}; 0 = baseline actions only, which
                       leaves IQL nothing to learn from)
  --reward ticker|book reward = weight × next-day return (the seed's), or the book's gain (default ${R.reward})
  --text-dim N         text embedding size (default ${R.textDim})
  --reward-scale X     IQL's reward multiplier (default ${R.rewardScale} = 1 / the rewards' standard deviation)
  --beta B             advantage temperature, in standard deviations of the advantages (default ${R.beta})
  outputs (RUN): learning.csv, checkpoint/ (model.json, weights.bin, config.json), run.json

lab kol evaluate RUN [--prepared DIR] [--max-weight W] [--hold-decay D]
  RUN/metrics_test.json (baseline vs trained: total_return, sharpe, max_drawdown, turnover,
  fidelity = mean |policy − baseline| over the test ticker-days, …) and RUN/positions_test.csv;
  settings that differ from the checkpoint's are refused
lab kol export RUN [--prepared DIR]      RUN/signal_decisions_test.csv with the trained actions`;

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
  // Closes of the prepared tickers over every split's days (and the day after the last): what
  // kol train / evaluate run the books on without the price source.
  {
    const live = prep.splits.filter((s) => s.firstRow <= s.lastRow);
    const from = Math.min(...live.map((s) => s.firstRow));
    const to = Math.max(...live.map((s) => s.lastRow)) + 1;
    const N = panel.assets.length;
    const rows: CsvCell[][] = [];
    for (let t = from; live.length > 0 && t <= to; t++)
      rows.push([panel.dates[t], ...prep.assets.map((c) => panel.close[t * N + c])]);
    writeCsv(path.join(out, 'closes.csv'), ['date', ...prep.tickers], rows);
  }
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

// ---- train / evaluate / export: the residual policy (issue 11) ------------------------------

const trainSpec = {
  flags: {
    out: { type: 'string', required: true },
    'fidelity-lambda': { type: 'number', default: R.fidelityLambda },
    'residual-scale': { type: 'number', default: R.residualScale },
    'max-weight': { type: 'number' },
    'hold-decay': { type: 'number' },
    'bc-epochs': { type: 'integer', default: R.bcEpochs },
    steps: { type: 'integer', default: R.steps },
    seed: { type: 'integer', default: 0 },
    explore: { type: 'integer', default: R.explore },
    reward: { type: 'string', default: R.reward },
    'text-dim': { type: 'integer', default: R.textDim },
    'reward-scale': { type: 'number', default: R.rewardScale },
    beta: { type: 'number', default: R.beta },
  },
  positionals: { min: 1, max: 1, names: ['DIR'] },
} as const;

const evaluateSpec = {
  flags: {
    prepared: { type: 'string' },
    'max-weight': { type: 'number' },
    'hold-decay': { type: 'number' },
  },
  positionals: { min: 1, max: 1, names: ['RUN'] },
} as const;

interface PreparedDir {
  dir: string;
  meta: KolPreparedMeta;
  closes: KolCloses;
  /** Ticker-days per split, with their posts' text. */
  rows: Record<SplitName, KolTickerDayInput[]>;
  posts: Record<string, string>[];
}

function readCsvRecords(file: string): Record<string, string>[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${file}: ${fsReason(err)}`);
  }
  const res = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
  if (res.errors.length > 0)
    throw new UsageError(`${file}: ${res.errors[0].message} (row ${res.errors[0].row})`);
  return res.data;
}

function readPrepared(dir: string): PreparedDir {
  const metaFile = path.join(dir, 'meta.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(metaFile, 'utf8'));
  } catch (err) {
    throw new UsageError(
      `${metaFile}: ${err instanceof SyntaxError ? err.message : fsReason(err)} (run lab kol prepare first)`,
    );
  }
  let meta: KolPreparedMeta;
  try {
    meta = parseKolMeta(json, metaFile);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const closeRows = readCsvRecords(path.join(dir, 'closes.csv'));
  const tickers = meta.tickers;
  const close = new Float64Array(closeRows.length * tickers.length);
  closeRows.forEach((r, t) =>
    tickers.forEach((tk, j) => {
      const v = Number(r[tk]);
      if (!(v > 0))
        throw new UsageError(`${path.join(dir, 'closes.csv')}: row ${t + 2}: close of ${tk} is '${r[tk]}'`);
      close[t * tickers.length + j] = v;
    }),
  );
  const closes: KolCloses = { dates: closeRows.map((r) => r.date), tickers, close };
  const posts = readCsvRecords(path.join(dir, 'posts.csv'));
  const textOf = new Map<string, string[]>();
  for (const p of posts) {
    if (!p.text) continue;
    const key = `${p.signal_date} ${p.ticker}`;
    textOf.set(key, [...(textOf.get(key) ?? []), p.text]);
  }
  const rows = {} as Record<SplitName, KolTickerDayInput[]>;
  for (const name of ['train', 'valid', 'test'] as const)
    rows[name] = readCsvRecords(path.join(dir, `${name}.csv`)).map((r) => ({
      date: r.date,
      ticker: r.ticker,
      sentiment: Number(r.sentiment),
      confidence: Number(r.confidence),
      text: (textOf.get(`${r.date} ${r.ticker}`) ?? []).join(' '),
    }));
  return { dir, meta, closes, rows, posts };
}

function splitBook(prep: PreparedDir, name: SplitName): KolSplitBook {
  if (prep.rows[name].length === 0) throw new UsageError(`${prep.dir}: the ${name} split has no ticker-days`);
  try {
    return kolSplitBook(prep.rows[name], prep.closes);
  } catch (err) {
    throw new UsageError(`${prep.dir}: ${(err as Error).message}`);
  }
}

/** Settings from the prepared folder, overridden by flags (a mismatch is reported by the checks). */
function bookConfig(
  prep: PreparedDir,
  flags: { 'max-weight'?: number; 'hold-decay'?: number },
): KolBookConfig {
  const cfg: KolBookConfig = {
    maxWeight: flags['max-weight'] ?? prep.meta.settings.max_weight,
    holdDecay: flags['hold-decay'] ?? prep.meta.settings.hold_decay,
    feeRate: prep.meta.settings.fee,
  };
  try {
    checkBookConfig(cfg);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return cfg;
}

function settingsError(err: unknown): never {
  if (err instanceof KolSettingsMismatch) throw new UsageError(err.message);
  throw err;
}

interface KolRunRecord {
  kind: 'kol-run';
  prepared: string;
  settings: KolSettings;
  algo: 'iql-residual';
  /** The learner's registry config. */
  config: Record<string, unknown>;
  /** The residual's settings: evaluate rebuilds the same buffer (normaliser) and learner from them. */
  residual: KolResidualConfig;
}

function datasetName(prep: PreparedDir): string {
  return `kol-replay:${path.resolve(prep.dir)}`;
}

async function train(argv: string[]): Promise<number> {
  const t0 = performance.now();
  const { flags, positionals } = parseArgs(argv, trainSpec);
  const prep = readPrepared(positionals[0]);
  const cfg = bookConfig(prep, flags);
  if (flags.reward !== 'book' && flags.reward !== 'ticker')
    throw new UsageError(`--reward must be book or ticker, got '${flags.reward}'`);
  const residual: KolResidualConfig = {
    ...R,
    fidelityLambda: flags['fidelity-lambda'],
    residualScale: flags['residual-scale'],
    bcEpochs: flags['bc-epochs'],
    steps: flags.steps,
    seed: flags.seed,
    explore: flags.explore,
    reward: flags.reward,
    textDim: flags['text-dim'],
    rewardScale: flags['reward-scale'],
    beta: flags.beta,
  };
  try {
    checkKolResidualConfig(residual);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const trainBook = splitBook(prep, 'train');
  // The buffer is replayed with the run's settings; the folder's baseline columns used meta.json's.
  try {
    checkReplaySettings(kolTrainReplay(trainBook, cfg, { ...residual, explore: 0 }).dataset, {
      name: path.join(prep.dir, 'meta.json'),
      settings: prep.meta.settings,
    });
  } catch (err) {
    settingsError(err);
  }
  const { initBackend } = await import('../../core/agents/backend.ts');
  const { metricRowsToCsv } = await import('../../core/run/metrics.ts');
  const backend = await initBackend('auto');
  const t1 = performance.now();
  let trained;
  try {
    trained = await trainKolResidual(trainBook, cfg, residual, {
      keepRows: true,
      datasetName: datasetName(prep),
    });
  } catch (err) {
    throw new UsageError(`${prep.dir}: ${(err as Error).message}`);
  }
  const { replay, config, result: res } = trained;
  const learner = res.learner;
  if (!learner) throw new UsageError(`kol train: ${res.error ?? 'training failed'}`);
  const t2 = performance.now();
  const out = ensureDir(flags.out);
  writeFileSync(path.join(out, 'learning.csv'), metricRowsToCsv(trained.rows));
  const settings = kolSettings(cfg, residual.residualScale);
  const record: KolRunRecord = {
    kind: 'kol-run',
    prepared: path.resolve(prep.dir),
    settings,
    algo: 'iql-residual',
    config: { ...config, dataset: { file: 'kol-replay' } },
    residual,
  };
  const { toFiles } = await import('../../core/agents/checkpoint.ts');
  const { json, weights } = toFiles(await learner.saveCheckpoint());
  const ck = ensureDir(path.join(out, 'checkpoint'));
  writeFileSync(path.join(ck, 'model.json'), json);
  writeFileSync(path.join(ck, 'weights.bin'), weights);
  writeJson(path.join(ck, 'config.json'), record);
  learner.dispose();
  writeJson(path.join(out, 'run.json'), {
    ...record,
    command: 'kol train',
    argv,
    created: new Date().toISOString(),
    status: res.status,
    global_step: res.globalStep,
    backend: backend.backend,
    buffer: {
      transitions: replay.dataset.size,
      ticker_days: replay.cells.length,
      obs_dim: replay.obsDim,
      train_start: prep.meta.splits[0].start,
      train_end: prep.meta.splits[0].end,
    },
    versions: versions(),
    timings_ms: { read: Math.round(t1 - t0), train: Math.round(t2 - t1) },
  });
  process.stdout.write(
    `kol train: residual IQL on ${replay.cells.length} train ticker-days (${replay.dataset.size} transitions), ${res.globalStep} steps in ${((t2 - t1) / 1000).toFixed(1)} s (${backend.backend}); λ ${residual.fidelityLambda}, scale ${residual.residualScale}, max_weight ${cfg.maxWeight}, hold_decay ${cfg.holdDecay} → ${out}\n`,
  );
  return 0;
}

function readRunRecord(run: string): KolRunRecord {
  const file = path.join(run, 'checkpoint', 'config.json');
  let rec: KolRunRecord;
  try {
    rec = JSON.parse(readFileSync(file, 'utf8')) as KolRunRecord;
  } catch (err) {
    throw new UsageError(
      `${file}: ${err instanceof SyntaxError ? err.message : fsReason(err)} (run lab kol train first)`,
    );
  }
  if (rec.kind !== 'kol-run') throw new UsageError(`${file}: not a lab kol train checkpoint`);
  if (!rec.residual)
    throw new UsageError(
      `${file}: made by an older lab kol train without the residual settings; train again`,
    );
  return rec;
}

async function evaluateRun(
  run: string,
  flags: { prepared?: string; 'max-weight'?: number; 'hold-decay'?: number },
) {
  const rec = readRunRecord(run);
  const prep = readPrepared(flags.prepared ?? rec.prepared);
  const cfg = bookConfig(prep, flags);
  const evalSettings = kolSettings(cfg, rec.settings.residual_scale);
  const ckName = `checkpoint (${path.join(run, 'checkpoint', 'config.json')})`;
  const evName = `evaluation (${flags['max-weight'] !== undefined || flags['hold-decay'] !== undefined ? 'flags' : path.join(prep.dir, 'meta.json')})`;
  try {
    checkKolSettings({ name: ckName, settings: rec.settings }, { name: evName, settings: evalSettings });
    checkKolSettings(
      { name: ckName, settings: rec.settings },
      { name: `prepared folder (${path.join(prep.dir, 'meta.json')})`, settings: prep.meta.settings },
    );
  } catch (err) {
    settingsError(err);
  }
  const replay = kolTrainReplay(splitBook(prep, 'train'), cfg, rec.residual);
  try {
    checkReplaySettings(replay.dataset, { name: ckName, settings: rec.settings });
  } catch (err) {
    settingsError(err);
  }
  const { initBackend } = await import('../../core/agents/backend.ts');
  const { getAlgorithm } = await import('../../core/run/algorithms.ts');
  const { fromFiles } = await import('../../core/agents/checkpoint.ts');
  await initBackend('auto');
  const file = datasetName(prep);
  await provideKolReplay(replay, file);
  const learner = await getAlgorithm('iql-residual').create({
    config: { ...rec.config, dataset: { file } },
    makeEnv: () => kolSpacesEnv(replay.dataset),
  });
  const book = splitBook(prep, 'test');
  try {
    const ckDir = path.join(run, 'checkpoint');
    await learner.loadCheckpoint(
      fromFiles(
        readFileSync(path.join(ckDir, 'model.json'), 'utf8'),
        readFileSync(path.join(ckDir, 'weights.bin')),
      ),
    );
    const ev = await evaluateKolResidual(learner, book, cfg, rec.residual.textDim);
    return { prep, ...ev, settings: evalSettings };
  } finally {
    learner.dispose();
  }
}

async function evaluate(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, evaluateSpec);
  const run = positionals[0];
  const ev = await evaluateRun(run, flags);
  const { book, cmp } = ev;
  const M = book.tickers.length;
  writeJson(path.join(run, 'metrics_test.json'), {
    split: 'test',
    start: book.dates[0],
    end: book.dates[book.dates.length - 1],
    days: book.dates.length,
    ticker_days: ev.cells.length,
    settings: ev.settings,
    trained_weights:
      'residual actions through the book rules: multiplier π/b held on unmentioned days, re-normalised to gross ≤ 1, capped at max_weight, then back to the baseline day’s gross exposure and capped',
    baseline: cmp.baseline,
    trained: cmp.trained,
  });
  const mentioned = new Set(ev.cells);
  const rows: CsvCell[][] = [];
  for (let d = 0; d < book.dates.length; d++)
    for (let i = 0; i < M; i++) {
      const k = d * M + i;
      rows.push([
        book.dates[d],
        book.tickers[i],
        mentioned.has(k) ? 1 : 0,
        ev.baseline[k],
        cmp.trainedWeights[k],
      ]);
    }
  writeCsv(
    path.join(run, 'positions_test.csv'),
    ['date', 'ticker', 'mentioned', 'baseline_weight', 'trained_weight'],
    rows,
  );
  const b = cmp.baseline;
  const t = cmp.trained;
  const line = (name: string, m: typeof b) =>
    `  ${name.padEnd(8)} total_return ${fmt(m.total_return)} sharpe ${fmt(m.sharpe, 2)} max_drawdown ${fmt(m.max_drawdown)} turnover ${fmt(m.turnover)} fidelity ${fmt(m.fidelity)}`;
  process.stdout.write(
    [
      `kol evaluate: test ${book.dates[0]}..${book.dates[book.dates.length - 1]} (${ev.cells.length} ticker-days) → ${run}`,
      line('baseline', b),
      line('trained', t),
    ].join('\n') + '\n',
  );
  return 0;
}

async function exportDecisions(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, evaluateSpec);
  const run = positionals[0];
  const ev = await evaluateRun(run, flags);
  const { book, cmp } = ev;
  const M = book.tickers.length;
  const rowOf = new Map(book.dates.map((d, i) => [d, i]));
  const colOf = new Map(book.tickers.map((tk, j) => [tk, j]));
  const decisions: CsvCell[][] = [];
  for (const p of ev.prep.posts) {
    const d = rowOf.get(p.signal_date);
    const j = colOf.get(p.ticker);
    if (d === undefined || j === undefined) continue;
    const k = d * M + j;
    if (Number.isNaN(book.scores[k])) continue;
    const row: Record<string, CsvCell> = {
      date: p.signal_date,
      ticker: p.ticker,
      post_id: p.post_id,
      published: p.published,
      author: p.author,
      sentiment: Number(p.sentiment),
      confidence: Number(p.confidence),
      baseline_raw_score: book.scores[k],
      baseline_action: ev.baseline[k],
      trained_action: cmp.trainedWeights[k],
      position_before: d > 0 ? cmp.trainedWeights[k - M] : 0,
      position_after: cmp.trainedWeights[k],
      equity_baseline: cmp.baselineRun.equity[d],
      equity_trained: cmp.trainedRun.equity[d],
      url: p.url,
    };
    decisions.push(DECISION_COLUMNS.map((c) => row[c]));
  }
  writeCsv(path.join(run, 'signal_decisions_test.csv'), DECISION_COLUMNS, decisions);
  process.stdout.write(
    `kol export: ${decisions.length} test decisions → ${path.join(run, 'signal_decisions_test.csv')}\n`,
  );
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
    if (sub === 'train') return train(rest);
    if (sub === 'evaluate') return evaluate(rest);
    if (sub === 'export') return exportDecisions(rest);
    throw new UsageError(
      sub
        ? `unknown subcommand '${sub}' (prepare, score, train, evaluate, export)`
        : 'missing subcommand (prepare, score, train, evaluate, export); lab kol --help',
    );
  },
};
