/**
 * `lab ensemble backtest|dataset`: seed 004's ensemble of analysts on any loaded market.
 * The work is core's (src/core/ensemble); this file loads data and signals, resolves the splits
 * the lab uses and writes the files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeDatasetBinary, encodeDatasetBinary } from '../../core/agents/offline/binary.ts';
import type { OfflineDataset } from '../../core/agents/offline/dataset.ts';
import { formatImportIssue } from '../../core/data/report.ts';
import type { LoadedData } from '../../core/data/sources.ts';
import { generateSynthetic } from '../../core/data/synthetic.ts';
import { QTMRL_SPLIT, type Panel, type SplitSpec } from '../../core/data/types.ts';
import {
  ACTION_NAMES,
  DEFAULT_ENSEMBLE,
  EnsembleError,
  STATE_DIM,
  actionDistribution,
  alignSignals,
  analyseEnsemble,
  backtestEnsemble,
  buildEnsembleDataset,
  datasetCsv,
  formatActionDistribution,
  parseSignalsCsv,
  syntheticSignalRecords,
  toOfflineDataset,
  type EnsembleAnalysis,
  type EnsembleConfig,
  type SentimentSignals,
  type SignalRecord,
  type SplitRun,
} from '../../core/ensemble/index.ts';
import {
  DEFAULT_FINETUNE,
  DEFAULT_POLICY_TRAIN,
  type SplitCounts,
} from '../../core/ensemble/policyConfig.ts';
import { splitMetrics } from '../../core/ensemble/report.ts';
import { equityTable, votesTable } from '../../core/ensemble/tables.ts';
import type { BcLearner } from '../../core/agents/bc.ts';
import type { Checklist } from '../../core/ensemble/policy/train.ts';
import { metricRowsToCsv } from '../../core/run/metrics.ts';
import { splitSpecOf, type SplitsConfig } from '../../core/experiment/config.ts';
import { defaultSplitsFor } from '../../core/experiment/vocabulary.ts';
import { parseArgs } from '../args.ts';
import { loadDataSources, requirePanel } from '../dataSources.ts';
import { UsageError } from '../errors.ts';
import { panelFingerprint, versions } from '../fingerprint.ts';
import { ensureDir, writeCsv, writeJson } from '../output.ts';
import type { CliCommand } from './index.ts';

const usage = `usage: lab ensemble backtest --data SRC… [options] --out DIR
       lab ensemble dataset  --data SRC… [options] --out DIR
       lab ensemble train    DIR --out RUN [train options]
       lab ensemble evaluate RUN --data SRC… [options] [--rl-weight W]

Seed 004's ensemble of analysts on any loaded market (one or many assets):
  technical  RSI(14) < 30 → +1, > 70 → −1; MACD(12,26,9) histogram sign; close below/above the
             Bollinger(20,2) bands → +1/−1; score = mean of the three; BUY/SELL at |score| ≥ 0.3
  news       tanh(2·sentiment·confidence) of the asset's news that day; abstains without news
  risk       20-day volatility regimes (low/normal/high at the train split's 1/3 and 2/3
             quantiles): caps |position| at 1/1/0.5; volatility ≥ the train 0.95 quantile vetoes (0)
  vote       score = Σ w·(±strength) / Σ w over the analysts that do not abstain (HOLD counts 0);
             BUY/SELL when |score| ≥ 0.2, strength = |score| × the risk cap
  position   per asset, a sleeve of 1/N of the capital: BUY → +strength, SELL → −strength,
             HOLD → keep (trimmed to the cap; a veto closes it); fees on every trade

backtest  DIR/metrics.json (ensemble and buy-and-hold per split), DIR/equity.csv (both, per day),
          DIR/votes.csv (every analyst's vote, the regime and cap, the decision and the position
          per day and asset), DIR/run.json
dataset   DIR/dataset.csv (date, asset, split, the 34 named state features, action, strength),
          DIR/dataset.bin (the lab's binary offline dataset: Discrete(3) actions, strength,
          reward, next obs), the action distribution printed and in DIR/run.json
train     behaviour cloning of the ensemble on DIR/dataset.bin (written by \`dataset\`): BC 34 → 128 →
          128 (ReLU) → action (softmax HOLD/BUY/SELL) + strength (sigmoid) heads, loss α·CE + β·MSE,
          inputs standardised on the train rows, early stopping on the validation loss (the best
          epoch is kept), through the lab's algorithm registry and run loop. Validation: the
          dataset's valid split (default; the test rows stay out) or --validation random (10%).
          RUN/report.json (per epoch train/val loss and accuracy, best epoch, per-class
          precision/recall, confusion matrix, train/val gap), RUN/learning.csv, RUN/checkpoint/
          (model.json + weights.bin + config.json with the metrics) and RUN/checklist.json (the
          seed's production checklist, computed: val accuracy > 0.7, loss gap < 0.2, median
          inference < 10 ms over 200 single predictions, the saved model reloads to its metrics)

options:
  --data SRC          file, folder, embedded:NAME or synthetic[:k=v,…]; repeat for several
  --signals S         news for the news analyst: a CSV file (date, asset, sentiment[, confidence];
                      asset '*' = market-wide) or synthetic[:coverage=0.3,noise=0.5,seed=0]
                      (needs a synthetic market: its planted signal plus noise). Default: none
                      (the news analyst abstains)
  --splits S          auto (default: the lab's splits for the data — QTMRL dates for
                      embedded:sp500, 60/20/20 of the rows otherwise) | qtmrl | ratio
  --weight NAME=W     an analyst's weight in the vote (technical, news; default 1 each); repeat
  --threshold X       |score| needed to act (default ${DEFAULT_ENSEMBLE.vote.threshold})
  --fee F             fee per traded notional, each side (default ${DEFAULT_ENSEMBLE.fee})
  --initial-cash C    starting cash of each split (default ${DEFAULT_ENSEMBLE.initialCash})
  --calendar C        intersection (default) or union (forward-filled) of the assets' dates
  --out DIR           output folder (created)

evaluate  the policy of RUN (lab ensemble train) as a 4th analyst 'rl' with weight --rl-weight
          (default 1): each split runs day by day (the policy's state holds the portfolio its own
          votes made), beside the 3-analyst ensemble on the same data and options. Per split: Sharpe,
          total return, max drawdown with and without it → RUN/evaluate.json; fills the checklist's
          'backtested' item (validation Sharpe with > without) in RUN/checklist.json. Beside them, on
          the first asset's single-asset env (the same position rule and fees): the policy alone
          (bc), PPO fine-tuned from it (ppo_bc: BC's actor loaded exactly, the action sampled from its
          softmax, the strength from a Gaussian on its logit around BC's strength head) and PPO from
          scratch (ppo_scratch), both trained --ppo-steps env steps on the train split; evaluate.json's
          ppo.initial holds BC's and PPO-from-BC's log return before any update (equal: the warm start
          loads), RUN/ppo_bc_learning.csv and ppo_scratch_learning.csv their curves, and the checklist
          the PPO policy's measured inference time. When the model is missing or fails, the ensemble
          runs without it and the file says why (exit 0).
  --ppo-steps N       PPO env steps per agent (default ${DEFAULT_FINETUNE.totalSteps}; 0 skips PPO); --ppo-seed S (default 0)

train options:
  --epochs N          most epochs (default ${DEFAULT_POLICY_TRAIN.epochs}); --patience N (default ${DEFAULT_POLICY_TRAIN.patience})
  --batch-size N      default ${DEFAULT_POLICY_TRAIN.batchSize}; --lr X (default ${DEFAULT_POLICY_TRAIN.learningRate})
  --imbalance M       none (default) | class-weights | oversample | focal
  --alpha A --beta B  loss weights (default 1, 1); --dropout P (default ${DEFAULT_POLICY_TRAIN.dropout})
  --validation V      split (default) | random
  --seed S            default 0`;

const trainSpec = {
  flags: {
    epochs: { type: 'integer', default: DEFAULT_POLICY_TRAIN.epochs },
    patience: { type: 'integer', default: DEFAULT_POLICY_TRAIN.patience },
    'batch-size': { type: 'integer', default: DEFAULT_POLICY_TRAIN.batchSize },
    lr: { type: 'number', default: DEFAULT_POLICY_TRAIN.learningRate },
    imbalance: {
      type: 'string',
      choices: ['none', 'class-weights', 'oversample', 'focal'],
      default: 'none',
    },
    alpha: { type: 'number', default: 1 },
    beta: { type: 'number', default: 1 },
    dropout: { type: 'number', default: DEFAULT_POLICY_TRAIN.dropout },
    validation: { type: 'string', choices: ['split', 'random'], default: 'split' },
    seed: { type: 'integer', default: 0 },
    out: { type: 'string', required: true },
  },
  positionals: { min: 2, max: 2, names: ['train', 'DIR'] },
} as const;

const spec = {
  flags: {
    data: { type: 'string', multiple: true },
    signals: { type: 'string' },
    splits: { type: 'string', choices: ['auto', 'qtmrl', 'ratio'], default: 'auto' },
    weight: { type: 'key-value' },
    threshold: { type: 'number', default: DEFAULT_ENSEMBLE.vote.threshold },
    fee: { type: 'number', default: DEFAULT_ENSEMBLE.fee },
    'initial-cash': { type: 'number', default: DEFAULT_ENSEMBLE.initialCash },
    calendar: { type: 'string', choices: ['intersection', 'union'], default: 'intersection' },
    out: { type: 'string', required: true },
  },
  positionals: { min: 1, max: 1, names: ['backtest|dataset'] },
} as const;

const evaluateSpec = {
  flags: {
    ...spec.flags,
    out: { type: 'string' },
    'rl-weight': { type: 'number', default: 1 },
    'ppo-steps': { type: 'integer', default: DEFAULT_FINETUNE.totalSteps },
    'ppo-seed': { type: 'integer', default: 0 },
  },
  positionals: { min: 2, max: 2, names: ['evaluate', 'RUN'] },
} as const;

const fmt = (v: unknown, digits = 4) =>
  typeof v === 'number' ? (Number.isFinite(v) ? v.toFixed(digits) : String(v)) : String(v);

/** The lab's splits for these sources (`auto`), QTMRL's dates, or 60/20/20 of the rows. */
export function ensembleSplits(
  specs: readonly string[],
  rule: 'auto' | 'qtmrl' | 'ratio',
  dates: readonly string[],
): SplitSpec {
  let splits: SplitsConfig;
  if (rule === 'qtmrl') splits = QTMRL_SPLIT;
  else if (rule === 'ratio') splits = { fractions: { train: 0.6, valid: 0.2 } };
  else {
    const embedded = specs.length === 1 && /^embedded:(.+)$/.exec(specs[0].trim());
    const allSynthetic = specs.every((s) => s.trim().startsWith('synthetic'));
    const source = embedded
      ? { kind: 'embedded', name: embedded[1] }
      : allSynthetic
        ? { kind: 'synthetic' }
        : { kind: 'panel' };
    splits = defaultSplitsFor(source) as SplitsConfig;
  }
  try {
    return splitSpecOf(splits, dates);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function parseSyntheticSignalSpec(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(/[,;&]/).filter((p) => p.trim() !== '')) {
    const [k, v] = part.split('=').map((x) => x.trim());
    if (!['coverage', 'noise', 'seed'].includes(k) || v === undefined || !Number.isFinite(Number(v)))
      throw new UsageError(
        `--signals synthetic: expected coverage=…, noise=…, seed=… numbers, got '${part}'`,
      );
    out[k] = Number(v);
  }
  return out;
}

function loadSignals(
  arg: string | undefined,
  panel: Panel,
  synthetic: LoadedData['synthetic'],
): { signals: SentimentSignals | null; note: string } {
  if (arg === undefined) return { signals: null, note: 'news: none (the news analyst abstains)' };
  let records: SignalRecord[];
  let source: string;
  const m = /^synthetic(?::(.*))?$/.exec(arg.trim());
  if (m) {
    if (synthetic.length === 0)
      throw new UsageError('--signals synthetic needs a synthetic market, e.g. --data synthetic:signal=0.3');
    const opts = parseSyntheticSignalSpec(m[1] ?? '');
    records = synthetic.flatMap((s) => {
      const market = generateSynthetic(s.meta.config);
      return syntheticSignalRecords(market.panel, market.meta, opts);
    });
    source = `synthetic:${m[1] ?? ''}`;
  } else {
    let text: string;
    try {
      text = readFileSync(arg, 'utf8');
    } catch (err) {
      throw new UsageError(
        `--signals ${arg}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
    records = parseSignalsCsv(text, arg);
    source = `file:${path.basename(arg)}`;
  }
  const { signals, report } = alignSignals(records, panel, source);
  const dropped = report.droppedUnknownAsset + report.droppedStale + report.droppedAfterEnd;
  const note =
    `news: ${source}, ${report.used} of ${report.records} records used (${report.shifted} moved to the next trading day` +
    (dropped
      ? `; dropped ${report.droppedUnknownAsset} for unknown assets${report.unknownAssets.length ? ` [${report.unknownAssets.join(', ')}]` : ''}, ${report.droppedStale} stale, ${report.droppedAfterEnd} after the data ends`
      : '') +
    ')';
  if (report.used === 0)
    throw new UsageError(`--signals ${arg}: no record matches the data's dates and assets (${note})`);
  return { signals, note };
}

function ensembleConfig(flags: {
  weight: Record<string, string>;
  threshold: number;
  fee: number;
  'initial-cash': number;
}): EnsembleConfig {
  const weights: Record<string, number> = { ...DEFAULT_ENSEMBLE.vote.weights };
  for (const [k, v] of Object.entries(flags.weight)) {
    if (!(k in weights))
      throw new UsageError(`--weight ${k}: unknown analyst (known: ${Object.keys(weights).join(', ')})`);
    const w = Number(v);
    if (!(w >= 0) || !Number.isFinite(w))
      throw new UsageError(`--weight ${k}=${v}: a weight must be a number ≥ 0`);
    weights[k] = w;
  }
  if (!(flags.threshold > 0 && flags.threshold <= 1))
    throw new UsageError(`--threshold must be in (0, 1], got ${flags.threshold}`);
  if (!(flags.fee >= 0 && flags.fee < 1)) throw new UsageError(`--fee must be in [0, 1), got ${flags.fee}`);
  if (!(flags['initial-cash'] > 0))
    throw new UsageError(`--initial-cash must be positive, got ${flags['initial-cash']}`);
  return {
    ...DEFAULT_ENSEMBLE,
    vote: { weights, threshold: flags.threshold },
    fee: flags.fee,
    initialCash: flags['initial-cash'],
  };
}

/** DIR/dataset.bin and the split counts from DIR/run.json (the dataset is ordered train, valid, test). */
function readEnsembleDataset(dir: string): { dataset: OfflineDataset; counts: SplitCounts } {
  const bin = path.join(dir, 'dataset.bin');
  const runFile = path.join(dir, 'run.json');
  let bytes: Uint8Array;
  let run: { dataset?: { per_split?: Record<string, { total?: number }> } };
  try {
    // A plain copy: decodeDatasetBinary mis-reads a pooled Node Buffer.
    bytes = new Uint8Array(readFileSync(bin));
    run = JSON.parse(readFileSync(runFile, 'utf8')) as typeof run;
  } catch (err) {
    throw new UsageError(
      `${dir}: cannot read dataset.bin and run.json (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); write them with lab ensemble dataset --out ${dir}`,
    );
  }
  let dataset: OfflineDataset;
  try {
    dataset = decodeDatasetBinary(bytes, bin);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const per = run.dataset?.per_split;
  if (!per) throw new UsageError(`${runFile}: no dataset.per_split (not written by lab ensemble dataset)`);
  const counts: SplitCounts = {
    train: per.train?.total ?? 0,
    valid: per.valid?.total ?? 0,
    test: per.test?.total ?? 0,
  };
  if (dataset.obsDim !== STATE_DIM || dataset.meta.env !== 'ensemble')
    throw new UsageError(
      `${bin}: not an ensemble dataset (${dataset.obsDim} features, env ${dataset.meta.env})`,
    );
  return { dataset, counts };
}

/** The policy of RUN/checkpoint as a PolicyFn over this analysis's dataset; throws with the reason when it cannot. */
async function loadPolicy(
  run: string,
  analysis: EnsembleAnalysis,
  runs: readonly SplitRun[],
): Promise<{ learner: BcLearner }> {
  const ck = path.join(run, 'checkpoint');
  let json: string;
  let weights: Uint8Array;
  let record: { format?: string; config?: Record<string, unknown> };
  try {
    json = readFileSync(path.join(ck, 'model.json'), 'utf8');
    weights = new Uint8Array(readFileSync(path.join(ck, 'weights.bin')));
    record = JSON.parse(readFileSync(path.join(ck, 'config.json'), 'utf8')) as typeof record;
  } catch (err) {
    throw new Error(`no policy in ${ck} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (record.format !== 'lab-ensemble-policy/1' || !record.config)
    throw new Error(`${ck}/config.json: not a lab ensemble train checkpoint`);
  const { fromFiles } = await import('../../core/agents/checkpoint.ts');
  const { loadEnsemblePolicy } = await import('../../core/ensemble/policy/train.ts');
  const { initBackend } = await import('../../core/agents/backend.ts');
  await initBackend('wasm');
  const ds = toOfflineDataset(buildEnsembleDataset(analysis, runs), 'evaluate');
  const learner = await loadEnsemblePolicy(record.config, ds, fromFiles(json, weights));
  return { learner };
}

function readChecklist(file: string): Checklist | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Checklist;
  } catch {
    return null;
  }
}

async function evaluateCommand(argv: string[]): Promise<number> {
  const t0 = performance.now();
  const { flags, positionals } = parseArgs(argv, evaluateSpec);
  const run = positionals[1];
  if (flags.data.length === 0) throw new UsageError('missing required option --data');
  if (!(flags['rl-weight'] >= 0) || !Number.isFinite(flags['rl-weight']))
    throw new UsageError(`--rl-weight must be a number ≥ 0, got ${flags['rl-weight']}`);
  if (!(flags['ppo-steps'] >= 0)) throw new UsageError(`--ppo-steps must be ≥ 0, got ${flags['ppo-steps']}`);
  const cfg = ensembleConfig(flags);
  const data = await loadDataSources(flags.data, { calendar: flags.calendar });
  const panel = requirePanel(data);
  const splitSpec = ensembleSplits(flags.data, flags.splits, panel.dates);
  let analysis: EnsembleAnalysis;
  let runs: SplitRun[];
  try {
    const s = loadSignals(flags.signals, panel, data.synthetic);
    analysis = analyseEnsemble(panel, splitSpec, s.signals, cfg);
    runs = backtestEnsemble(analysis);
  } catch (err) {
    if (err instanceof EnsembleError) throw new UsageError(err.message);
    throw err;
  }
  if (runs.length === 0) throw new UsageError('no split has 2 or more rows of data; try --splits ratio');
  const { evaluatePolicies } = await import('../../core/ensemble/policy/evaluate.ts');
  const { completeChecklist } = await import('../../core/ensemble/policy/train.ts');
  let loaded: Awaited<ReturnType<typeof loadPolicy>> | null = null;
  let failure: string | undefined;
  try {
    loaded = await loadPolicy(run, analysis, runs);
  } catch (err) {
    failure = (err as Error).message;
  }
  let ev;
  try {
    ev = await evaluatePolicies(
      analysis,
      runs,
      loaded?.learner ?? null,
      {
        rlWeight: flags['rl-weight'],
        finetune: flags['ppo-steps'] > 0 ? { totalSteps: flags['ppo-steps'], seed: flags['ppo-seed'] } : null,
        annualization: data.annualization,
      },
      {},
      failure,
    );
  } finally {
    loaded?.learner.dispose();
  }
  const { rl, ppo } = ev;
  if (rl.status === 'fallback')
    process.stderr.write(
      `lab ensemble: the policy is not used (${rl.reason}); the ensemble runs without it\n`,
    );
  const out = ensureDir(flags.out ?? run);
  for (const which of ['ppo_bc', 'ppo_scratch'] as const)
    if (ev.ppoRows[which].length > 0)
      writeFileSync(path.join(out, `${which}_learning.csv`), metricRowsToCsv(ev.ppoRows[which]));
  writeJson(path.join(out, 'evaluate.json'), {
    command: 'ensemble evaluate',
    argv,
    created: new Date().toISOString(),
    rl: rl.status === 'used' ? rl : { status: rl.status, reason: rl.reason },
    ppo,
    splits: ev.summary,
    timings_ms: { total: Math.round(performance.now() - t0) },
  });
  const lines = [
    `ensemble ${rl.status === 'used' ? `with and without the policy of ${run} (rl weight ${flags['rl-weight']})` : 'without the policy (fallback)'} → ${path.join(out, 'evaluate.json')}`,
  ];
  const sh = (x: unknown) => fmt((x as { sharpe?: number } | undefined)?.sharpe, 2);
  for (const r of runs) {
    const sp = ev.summary[r.split] as Record<string, { sharpe: number; total_return: number } | undefined>;
    lines.push(
      `  ${r.split.padEnd(5)} without: sharpe ${sh(sp.without)} total_return ${fmt(sp.without?.total_return)}` +
        (sp.with ? `  |  with rl: sharpe ${sh(sp.with)} total_return ${fmt(sp.with.total_return)}` : '') +
        (sp.bc ? `  |  bc ${sh(sp.bc)}` : '') +
        (sp.ppo_bc ? `  ppo from bc ${sh(sp.ppo_bc)}` : '') +
        (sp.ppo_scratch ? `  ppo scratch ${sh(sp.ppo_scratch)}` : '') +
        `  buy-and-hold ${sh(sp.buy_and_hold)}`,
    );
  }
  if (ppo.status !== 'skipped' && ppo.initial) {
    const v = ppo.initial.valid ?? Object.values(ppo.initial)[0];
    lines.push(
      `  ppo (${ppo.status}, ${ppo.total_steps} steps on ${ppo.asset}): before any update its log return ${fmt(v.ppo_bc_log_return, 6)} vs bc ${fmt(v.bc_log_return, 6)}; inference ${fmt(ppo.inference_ms, 3)} ms`,
    );
  } else lines.push(`  ppo: skipped (${ppo.reason})`);
  // The checklist's 'backtested' item (validation Sharpe with > without) and PPO's inference time.
  const checkFile = path.join(run, 'checklist.json');
  const delta = (ev.summary.valid as { delta_sharpe?: number } | undefined)?.delta_sharpe;
  const checklist = readChecklist(checkFile);
  if (checklist && delta !== undefined) {
    writeJson(
      checkFile,
      completeChecklist(checklist, {
        deltaSharpe: delta,
        rlWeight: flags['rl-weight'],
        data: flags.data.join(' '),
        ppoInferenceMs: ppo.inference_ms,
      }),
    );
    lines.push(
      `  checklist backtested: validation Sharpe ${delta > 0 ? 'improves' : 'does not improve'} (${fmt(delta, 3)})`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

async function trainCommand(argv: string[]): Promise<number> {
  const t0 = performance.now();
  const { flags, positionals } = parseArgs(argv, trainSpec);
  const dir = positionals[1];
  const { dataset, counts } = readEnsembleDataset(dir);
  const pipeline = await import('../../core/ensemble/policy/pipeline.ts');
  const { initBackend } = await import('../../core/agents/backend.ts');
  const backend = await initBackend('wasm');
  if (backend.fallbackReason)
    process.stderr.write(`lab ensemble: note: using ${backend.backend} (${backend.fallbackReason})\n`);
  if (!(flags.dropout >= 0 && flags.dropout < 1))
    throw new UsageError(`--dropout must be in [0, 1), got ${flags.dropout}`);
  let stage;
  try {
    stage = await pipeline.trainBcStage(dataset, counts, {
      epochs: flags.epochs,
      patience: flags.patience,
      batchSize: flags['batch-size'],
      learningRate: flags.lr,
      imbalance: flags.imbalance,
      alpha: flags.alpha,
      beta: flags.beta,
      dropout: flags.dropout,
      validation: flags.validation,
      seed: flags.seed,
    });
  } catch (err) {
    if (err instanceof EnsembleError || /BC config/.test((err as Error).message))
      throw new UsageError((err as Error).message);
    throw err;
  }
  const { trained, checklist, inference, savedAt } = stage;
  const { report } = trained;
  trained.learner.dispose();
  const out = ensureDir(flags.out);
  writeFileSync(path.join(out, 'learning.csv'), metricRowsToCsv(trained.rows));
  const ckDir = ensureDir(path.join(out, 'checkpoint'));
  writeFileSync(path.join(ckDir, 'model.json'), stage.files.json);
  writeFileSync(path.join(ckDir, 'weights.bin'), stage.files.weights);
  writeJson(path.join(ckDir, 'config.json'), {
    format: 'lab-ensemble-policy/1',
    created: savedAt,
    algo: 'bc',
    dataset: { dir: path.resolve(dir), rows: dataset.size, source: dataset.meta.source, splits: counts },
    config: report.config,
    metrics: stage.metrics,
    backend: backend.backend,
  });
  writeJson(path.join(out, 'report.json'), {
    ...report,
    status: trained.status,
    ...(trained.error ? { error: trained.error } : {}),
    inference,
    backend: backend.backend,
    argv,
    created: savedAt,
  });
  writeJson(path.join(out, 'checklist.json'), checklist);
  const b = report.best;
  const lines = [
    `bc on ${dir}/dataset.bin: ${report.dataset.train_rows} train rows, ${report.dataset.val_rows} validation rows (${report.dataset.validation}), ${report.dataset.held_out_test_rows} test rows held out; ${report.epochs.length} epochs${report.early_stopped ? ' (early stop)' : ''} in ${(report.train_ms / 1000).toFixed(1)} s on ${backend.backend} → ${out}`,
    `  best epoch ${report.best_epoch}: train_loss ${fmt(b.train_loss)} val_loss ${fmt(b.val_loss)} train_acc ${fmt(b.train_accuracy, 3)} val_acc ${fmt(b.val_accuracy, 3)} gap ${fmt(b.loss_gap)}`,
    `  validation ${ACTION_NAMES.map((a) => `${a} precision ${fmt(report.validation.precision[a], 3)} recall ${fmt(report.validation.recall[a], 3)}`).join('  ')}`,
    `  inference ${fmt(inference.median_ms, 3)} ms median over ${inference.samples} single predictions`,
    `  checklist: ${Object.entries(checklist.items)
      .map(([k, i]) => `${k} ${i.pass === 'pending' ? 'pending' : i.pass ? 'pass' : 'FAIL'}`)
      .join(', ')}`,
  ];
  writeJson(path.join(out, 'run.json'), {
    command: 'ensemble train',
    argv,
    created: savedAt,
    timings_ms: { train: report.train_ms, total: Math.round(performance.now() - t0) },
  });
  process.stdout.write(lines.join('\n') + '\n');
  return trained.status === 'failed' ? 1 : 0;
}

export const command: CliCommand = {
  summary:
    "seed 004's ensemble of analysts: backtest vs buy-and-hold per split, the 34-feature BC dataset, or the BC policy trained on it (report, checkpoint, production checklist)",
  usage,
  async run(argv) {
    if (argv[0] === 'train') return trainCommand(argv);
    if (argv[0] === 'evaluate') return evaluateCommand(argv);
    const t0 = performance.now();
    const { flags, positionals } = parseArgs(argv, spec);
    const sub = positionals[0];
    if (sub !== 'backtest' && sub !== 'dataset')
      throw new UsageError(`unknown subcommand '${sub}'; expected backtest or dataset`);
    if (flags.data.length === 0) throw new UsageError('missing required option --data');
    const cfg = ensembleConfig(flags);
    const data = await loadDataSources(flags.data, { calendar: flags.calendar });
    const panel = requirePanel(data);
    for (const e of data.errors)
      process.stderr.write(`lab ensemble: warning: skipped ${formatImportIssue(e)}\n`);
    const splitSpec = ensembleSplits(flags.data, flags.splits, panel.dates);
    const tLoad = performance.now();

    let analysis: EnsembleAnalysis;
    let runs: SplitRun[];
    let news: string;
    try {
      const s = loadSignals(flags.signals, panel, data.synthetic);
      news = s.note;
      analysis = analyseEnsemble(panel, splitSpec, s.signals, cfg);
      runs = backtestEnsemble(analysis);
    } catch (err) {
      if (err instanceof EnsembleError) throw new UsageError(err.message);
      throw err;
    }
    if (runs.length === 0) throw new UsageError('no split has 2 or more rows of data; try --splits ratio');
    const tRun = performance.now();
    const dir = ensureDir(flags.out);
    const header = `ensemble on ${panel.assets.length} asset(s) (${panel.assets.slice(0, 5).join(', ')}${panel.assets.length > 5 ? ', …' : ''}), fee ${cfg.fee}; ${news}`;
    const record: Record<string, unknown> = {
      command: `ensemble ${sub}`,
      argv,
      created: new Date().toISOString(),
      config: {
        ...cfg,
        signals: flags.signals ?? null,
        splits: Object.fromEntries(
          runs.map((r) => [
            r.split,
            {
              start: panel.dates[r.rows.start],
              end: panel.dates[r.rows.end - 1],
              rows: [r.rows.start, r.rows.end],
            },
          ]),
        ),
        regime_fit: {
          low: analysis.risk.fit.low,
          high: analysis.risk.fit.high,
          veto: analysis.risk.fit.veto,
          train_values: analysis.risk.fit.trainValues,
        },
      },
      data: {
        source: flags.data.join(' '),
        assets: panel.assets,
        start: panel.dates[0],
        end: panel.dates[panel.dates.length - 1],
        rows: panel.dates.length,
        fingerprint: panelFingerprint(panel),
      },
      versions: versions(),
    };
    const lines = [`${header} → ${flags.out}`];

    if (sub === 'backtest') {
      const metrics = Object.fromEntries(
        runs.map((r) => [r.split, splitMetrics(panel, r, data.annualization)]),
      );
      writeJson(path.join(dir, 'metrics.json'), {
        strategy: 'ensemble',
        baseline: 'buy-and-hold',
        annualization: data.annualization,
        splits: metrics,
      });
      const eq = equityTable(panel, runs);
      writeCsv(path.join(dir, 'equity.csv'), eq.header, eq.rows);
      const votes = votesTable(analysis, runs);
      writeCsv(path.join(dir, 'votes.csv'), votes.header, votes.rows);
      for (const r of runs) {
        const m = metrics[r.split];
        lines.push(
          `  ${r.split.padEnd(5)} ${panel.dates[r.rows.start]}..${panel.dates[r.rows.end - 1]}  ensemble total_return ${fmt(m.ensemble.total_return)} sharpe ${fmt(m.ensemble.sharpe, 2)} max_drawdown ${fmt(m.ensemble.max_drawdown)} trades ${m.ensemble.trades}` +
            `  |  buy-and-hold total_return ${fmt(m.buy_and_hold.total_return)} sharpe ${fmt(m.buy_and_hold.sharpe, 2)} max_drawdown ${fmt(m.buy_and_hold.max_drawdown)}`,
        );
      }
    } else {
      const ds = buildEnsembleDataset(analysis, runs);
      const tBuild = performance.now();
      writeFileSync(path.join(dir, 'dataset.csv'), datasetCsv(ds));
      writeFileSync(
        path.join(dir, 'dataset.bin'),
        encodeDatasetBinary(toOfflineDataset(ds, `ensemble:${flags.data.join(' ')}`)),
      );
      const all = actionDistribution(ds.action);
      const perSplit = Object.fromEntries(
        runs.map((r) => [r.split, actionDistribution(ds.action.filter((_, k) => ds.split[k] === r.split))]),
      );
      record.dataset = {
        rows: ds.size,
        features: ds.featureNames,
        action_distribution: all,
        per_split: perSplit,
        build_ms: Math.round(tBuild - tRun),
      };
      lines.push(`  ${ds.size} rows × ${ds.featureNames.length} features → dataset.csv, dataset.bin`);
      lines.push(formatActionDistribution(all));
      for (const r of runs) {
        const d = perSplit[r.split];
        lines.push(
          `  ${r.split.padEnd(5)} ${ACTION_NAMES.map((a) => `${a} ${d.counts[a]} (${d.percent[a].toFixed(1)}%)`).join('  ')}`,
        );
      }
    }
    record.timings_ms = {
      load: Math.round(tLoad - t0),
      analysts_and_backtest: Math.round(tRun - tLoad),
      total: Math.round(performance.now() - t0),
    };
    writeJson(path.join(dir, 'run.json'), record);
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
