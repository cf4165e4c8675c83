/**
 * `lab train`: trains an agent (A2C, PPO; BC and IQL register themselves in the algorithm registry)
 * on market data or a sanity env, then backtests it on every split with the baselines beside it.
 * Writes metrics.json, learning.csv, equity.csv, positions.csv, checkpoint/ and run.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from '../args.ts';
import { UsageError } from '../errors.ts';
import { ensureDir, toJson, writeCsv, writeJson, type CsvCell } from '../output.ts';
import { loadDataSources, requirePanel } from '../dataSources.ts';
import { panelFingerprint, versions } from '../fingerprint.ts';
import { formatImportIssue } from '../../core/data/report.ts';
import type { Panel } from '../../core/data/types.ts';
import type { SavedNormalization } from '../../core/features/index.ts';
import type { Action, Env } from '../../core/envs/types.ts';
import { CartPoleEnv } from '../../core/envs/cartpole.ts';
import { Rng } from '../../core/rng.ts';
import { ContextualBanditEnv, type BanditConfig } from '../../core/envs/bandit.ts';
import { drawdownFromEquity } from '../../core/metrics/index.ts';
import { algorithmNames, getAlgorithm, resolveConfig, type Learner } from '../../core/run/algorithms.ts';
import { RunControl } from '../../core/run/control.ts';
import { evaluatePolicy, type EvalResult, type Predictor } from '../../core/run/evaluate.ts';
import { buildMarketExperiment, evaluateMarket, type MarketExperiment, type MarketSetup, type SplitReport } from '../../core/run/market.ts';
import { metricRowsToCsv, type MetricRow } from '../../core/run/metrics.ts';
import { runTraining } from '../../core/run/trainer.ts';
// Registers 'bc' and 'iql' in the algorithm registry.
import { provideDatasetFile } from '../../core/agents/offline/learners.ts';
import type { CliCommand } from './index.ts';

const usage = `usage: lab train (--data SRC… | --env cartpole|bandit|synthetic[:k=v,…]) --algo ALGO [options] --out DIR

Trains an agent and backtests it. Market data (--data, or --env synthetic:…) trains on the train
split of a TradingEnv (seed 003 rules) and evaluates deterministically on train/valid/test with the
baselines beside it; cartpole and bandit are sanity envs. Progress goes to stderr; Ctrl-C stops
cleanly after the current update and still writes every file.

Writes DIR/metrics.json (per split: the agent's and the baselines' total_return, sharpe, max_drawdown,
…; sanity envs: evaluation returns), DIR/learning.csv (step + the flat metric schema: losses/…,
charts/…, perf/…, eval/…), DIR/equity.csv and DIR/positions.csv (market data), DIR/checkpoint/
(model.json + weights.bin, tfjs layout, and config.json to rebuild the env), DIR/run.json.

options:
  --data SRC          file, folder, embedded:NAME or synthetic[:k=v,…]; repeat for several
  --env E             cartpole | bandit | synthetic[:k=v,…] (same as --data synthetic…)
  --algo A            ${algorithmNames().join(' | ')}
  --preset P          algorithm preset: standard (default) | qtmrl | … (see lab train --algo A --list)
  --steps N           env steps (overrides the preset's totalSteps)
  --seed S            seed of weights, sampling and envs (default 1)
  --backend B         wasm (default) | cpu | auto
  --set key=value     algorithm config override, repeatable; values are JSON or strings;
                      dotted keys reach into objects (--set network.encoder=mlp)
  --features F        all (default: every indicator) | ohlcv
  --window W          observation window in days (default 20)
  --splits S          auto (default) | qtmrl | ratio (60/20/20 of the rows)
  --fee F             fee per traded notional, each side (default 0.0005)
  --episode-length N  training episodes of N steps from random starts (default: the whole train split)
  --eval-every N      evaluate on the valid split every N env steps (default: at the end only)
  --list              print the algorithm's presets and resolved config, then exit
  --out DIR           output folder (created)`;

const spec = {
  flags: {
    data: { type: 'string', multiple: true },
    env: { type: 'string' },
    algo: { type: 'string', required: true },
    preset: { type: 'string', default: 'standard' },
    steps: { type: 'integer' },
    seed: { type: 'integer', default: 1 },
    backend: { type: 'string', choices: ['wasm', 'cpu', 'auto'], default: 'wasm' },
    set: { type: 'key-value' },
    features: { type: 'string', choices: ['all', 'ohlcv'], default: 'all' },
    window: { type: 'integer', default: 20 },
    splits: { type: 'string', choices: ['auto', 'qtmrl', 'ratio'], default: 'auto' },
    fee: { type: 'number', default: 0.0005 },
    'episode-length': { type: 'integer' },
    'eval-every': { type: 'integer', default: 0 },
    list: { type: 'boolean' },
    out: { type: 'string' },
  },
} as const;

/** How to rebuild the env of a checkpoint (checkpoint/config.json). */
export type EnvRecord =
  | { kind: 'cartpole' }
  | { kind: 'bandit'; config: Partial<BanditConfig> }
  | {
      kind: 'market';
      data: string[];
      setup: MarketSetup;
      /** The z-score the agent was trained with; `lab evaluate` reuses it on any data. */
      normalization?: SavedNormalization;
    };

export interface TrainRecord {
  algo: string;
  preset: string;
  config: Record<string, unknown>;
  env: EnvRecord;
  backend: string;
}

/** `--set a.b=1` → { a: { b: 1 } } merged over `base`; values parsed as JSON when they parse. */
export function applySets(base: Record<string, unknown>, sets: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
  for (const [key, raw] of Object.entries(sets)) {
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: keep the string (e.g. --set optimizer=adam)
    }
    const parts = key.split('.');
    let obj = out;
    for (const p of parts.slice(0, -1)) {
      const next = obj[p];
      if (next === undefined) obj[p] = {};
      else if (typeof next !== 'object' || next === null || Array.isArray(next)) throw new UsageError(`--set ${key}: '${p}' is not an object`);
      obj = obj[p] as Record<string, unknown>;
    }
    obj[parts[parts.length - 1]] = value;
  }
  return out;
}

/** A sanity env from --env, or null for market data. */
export function sanityEnv(env: string | undefined): EnvRecord | null {
  if (env === undefined || env.startsWith('synthetic')) return null;
  if (env === 'cartpole') return { kind: 'cartpole' };
  if (env === 'bandit') return { kind: 'bandit', config: {} };
  throw new UsageError(`--env must be cartpole, bandit or synthetic[:k=v,…]; got '${env}'`);
}

export function makeSanityEnv(rec: EnvRecord): () => Env<Action> {
  if (rec.kind === 'cartpole') return () => new CartPoleEnv();
  if (rec.kind === 'bandit') return () => new ContextualBanditEnv(rec.config);
  throw new Error('not a sanity env');
}

export async function loadMarket(
  specs: string[],
  setup: MarketSetup,
  command: string,
  normalization?: SavedNormalization,
): Promise<{ panel: Panel; exp: MarketExperiment; annualization: number }> {
  const data = await loadDataSources(specs);
  const panel = requirePanel(data);
  for (const e of data.errors) process.stderr.write(`lab ${command}: warning: skipped ${formatImportIssue(e)}\n`);
  let exp: MarketExperiment;
  try {
    exp = buildMarketExperiment(panel, setup, normalization ? { normalization } : {});
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  return { panel, exp, annualization: data.annualization };
}

/** metrics.json, equity.csv and positions.csv of a market evaluation. */
export function writeMarketFiles(dir: string, exp: MarketExperiment, reports: SplitReport[], extra: Record<string, unknown>): void {
  const fs = exp.features;
  const N = fs.assets.length;
  writeJson(path.join(dir, 'metrics.json'), {
    ...extra,
    split_rule: exp.splitRule,
    splits: Object.fromEntries(
      reports.map((r) => [
        r.split,
        { start: r.startDate, end: r.endDate, agent: r.agent.metrics, baselines: Object.fromEntries(Object.entries(r.baselines).map(([k, v]) => [k, v.metrics])) },
      ]),
    ),
  });
  const equityRows: CsvCell[][] = [];
  const positionRows: CsvCell[][] = [];
  for (const r of reports) {
    const strategies: [string, Float64Array][] = [['agent', r.agent.equity], ...Object.entries(r.baselines).map(([k, v]): [string, Float64Array] => [k, v.equity])];
    for (const [name, eq] of strategies) {
      const dd = drawdownFromEquity(eq);
      for (let k = 0; k < eq.length; k++) equityRows.push([r.split, r.dates[k], name, eq[k], k === 0 ? null : eq[k] / eq[k - 1] - 1, dd[k]]);
    }
    for (let k = 0; k < r.agent.positions.length; k++) {
      const t = r.rows[0] + k + 1;
      const value = r.agent.equity[k + 1];
      for (let i = 0; i < N; i++) {
        const shares = r.agent.positions[k][i];
        const close = fs.close[t * N + i];
        positionRows.push([r.split, fs.dates[t], fs.assets[i], shares, (shares * close) / value, close, r.agent.actions[k][i]]);
      }
    }
  }
  writeCsv(path.join(dir, 'equity.csv'), ['split', 'date', 'strategy', 'equity', 'return', 'drawdown'], equityRows);
  writeCsv(path.join(dir, 'positions.csv'), ['split', 'date', 'asset', 'shares', 'weight', 'close', 'action'], positionRows);
}

/** metrics.json of a sanity env: the agent's evaluation beside a uniform-random policy's. */
export async function writeSanityMetrics(dir: string, rec: EnvRecord, learner: Predictor, extra: Record<string, unknown>): Promise<EvalResult> {
  const make = makeSanityEnv(rec);
  const agentEval = await evaluatePolicy(learner, make(), { episodes: 20 });
  const probe = make();
  const rng = new Rng(12345);
  const random: Predictor = {
    async predict() {
      const space = probe.actionSpace;
      if (space.kind === 'discrete') return Int32Array.of(rng.int(space.n));
      if (space.kind === 'multi-discrete') return Int32Array.from(space.nvec, (n) => rng.int(n));
      return Float32Array.from({ length: space.shape[0] }, () => rng.uniform(-1, 1));
    },
  };
  const randomEval = await evaluatePolicy(random, make(), { episodes: 20, deterministic: false });
  const summary = (e: EvalResult) => ({ mean_return: e.meanReturn, std_return: e.stdReturn, mean_length: e.meanLength, episodes: e.returns.length });
  const env = make();
  writeJson(path.join(dir, 'metrics.json'), {
    ...extra,
    eval: { agent: summary(agentEval), baselines: { random: summary(randomEval) } },
    ...(env instanceof ContextualBanditEnv ? { optimal_mean_reward: env.optimalMeanReward } : {}),
  });
  return agentEval;
}

export async function writeCheckpoint(dir: string, learner: Learner, record: TrainRecord): Promise<void> {
  const { toFiles } = await import('../../core/agents/checkpoint.ts');
  const { json, weights } = toFiles(await learner.saveCheckpoint());
  const ckDir = ensureDir(path.join(dir, 'checkpoint'));
  writeFileSync(path.join(ckDir, 'model.json'), json);
  writeFileSync(path.join(ckDir, 'weights.bin'), weights);
  writeFileSync(path.join(ckDir, 'config.json'), toJson(record) + '\n');
}

const fmt = (v: unknown, digits = 4) => (typeof v === 'number' ? (Number.isFinite(v) ? v.toFixed(digits) : String(v)) : String(v ?? ''));

export const command: CliCommand = {
  summary: 'train an agent (a2c, ppo, …) on market data or a sanity env; metrics, learning curve, equity, checkpoint',
  usage,
  async run(argv) {
    const t0 = performance.now();
    const { flags } = parseArgs(argv, spec);
    let entry;
    try {
      entry = getAlgorithm(flags.algo);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    if (!entry.presets.includes(flags.preset)) throw new UsageError(`--preset '${flags.preset}' is not a preset of ${flags.algo} (${entry.presets.join(', ')})`);
    const defaults = await entry.defaults(flags.preset);
    if (flags.list) {
      process.stdout.write(toJson({ algo: flags.algo, presets: entry.presets, preset: flags.preset, config: defaults }) + '\n');
      return 0;
    }
    if (!flags.out) throw new UsageError('missing required option --out');
    const sanity = sanityEnv(flags.env);
    const dataSpecs = [...flags.data, ...(flags.env?.startsWith('synthetic') ? [flags.env] : [])];
    if (!sanity && dataSpecs.length === 0) throw new UsageError('give --data SRC… or --env cartpole|bandit|synthetic[:…]');
    if (sanity && flags.data.length > 0) throw new UsageError(`--env ${flags.env} trains on a sanity env; drop --data`);

    // Algorithm config: preset ← market default network ← --steps/--seed ← --set.
    let overrides: Record<string, unknown> = { seed: flags.seed };
    if (flags.steps !== undefined) overrides.totalSteps = flags.steps;
    if (!sanity && 'network' in defaults) overrides.network = { encoder: 'timecnn' };
    overrides = applySets(overrides, flags.set);
    try {
      resolveConfig(flags.algo, defaults, overrides);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    // Offline algorithms (bc, iql): core has no fs, so the dataset file (--set dataset.file=PATH) is read here.
    const datasetFile = (overrides.dataset as { file?: unknown } | undefined)?.file;
    if (typeof datasetFile === 'string') {
      try {
        provideDatasetFile(datasetFile, readFileSync(datasetFile));
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    }

    const { initBackend } = await import('../../core/agents/backend.ts');
    const backend = await initBackend(flags.backend as 'wasm');
    if (backend.fallbackReason) process.stderr.write(`lab train: note: using ${backend.backend} (${backend.fallbackReason})\n`);

    const setup: MarketSetup = {
      features: flags.features as 'all',
      window: flags.window,
      splits: flags.splits as 'auto',
      env: { feeRate: flags.fee, ...(flags['episode-length'] !== undefined ? { episodeLength: flags['episode-length'] } : {}) },
      baselines: ['buy-and-hold', 'equal-weight', 'random'],
    };
    let market: Awaited<ReturnType<typeof loadMarket>> | null = null;
    let makeEnv: (i: number) => Env<Action>;
    let makeEvalEnv: (() => Env<Action>) | undefined;
    let envRecord: EnvRecord;
    if (sanity) {
      envRecord = sanity;
      makeEnv = makeSanityEnv(sanity);
      makeEvalEnv = makeEnv as () => Env<Action>;
    } else {
      market = await loadMarket(dataSpecs, setup, 'train');
      const exp = market.exp;
      const { featureNames, normalization } = exp.features;
      envRecord = {
        kind: 'market',
        data: dataSpecs,
        setup,
        normalization: { featureNames, mean: Array.from(normalization.mean), std: Array.from(normalization.std) },
      };
      makeEnv = (i) => exp.makeTrainEnv(i);
      if (exp.splits.includes('valid')) makeEvalEnv = () => exp.makeEvalEnv('valid');
      process.stderr.write(
        `lab train: ${exp.features.assets.length} assets × ${exp.features.featureNames.length} features, window ${flags.window}, ` +
          `splits (${exp.splitRule}) ${exp.splits.map((k) => `${k} ${exp.splitSpec[k].start}..${exp.splitSpec[k].end}`).join(', ')}\n`,
      );
    }
    const t1 = performance.now();

    const control = new RunControl();
    const onSigint = () => {
      process.stderr.write('\nlab train: stopping after the current update (Ctrl-C again to abort)…\n');
      control.stop();
      process.off('SIGINT', onSigint);
    };
    process.on('SIGINT', onSigint);
    let lastReport = 0;
    let lastReturn = NaN;
    const res = await runTraining({
      algo: flags.algo,
      preset: flags.preset,
      config: overrides,
      makeEnv,
      makeEvalEnv,
      evalEvery: flags['eval-every'],
      evalEpisodes: market ? 1 : 10,
      control,
      keepRows: true,
      callbacks: {
        onMetrics: (rows: MetricRow[]) => {
          for (const r of rows) lastReturn = r.values['charts/episodic_return'] ?? lastReturn;
          const now = performance.now();
          const last = rows[rows.length - 1];
          if (now - lastReport > 2000 && last) {
            lastReport = now;
            const sps = rows.findLast((r) => 'perf/sps' in r.values)?.values['perf/sps'];
            process.stderr.write(`  step ${last.step}  return ${fmt(lastReturn, 3)}  sps ${fmt(sps, 0)}\n`);
          }
        },
        onStatus: (s) => {
          if (s.state === 'failed' && s.message) process.stderr.write(`lab train: ${s.message}\n`);
        },
      },
    });
    process.off('SIGINT', onSigint);
    const t2 = performance.now();
    const learner = res.learner;
    if (!learner) throw new UsageError(res.error ?? 'training failed');

    ensureDir(flags.out);
    writeFileSync(path.join(flags.out, 'learning.csv'), metricRowsToCsv(res.rows ?? []));
    const record: TrainRecord = { algo: flags.algo, preset: flags.preset, config: learner.config as Record<string, unknown>, env: envRecord, backend: backend.backend };
    // After a NaN loss the learner holds the last good weights: that is what gets saved.
    await writeCheckpoint(flags.out, learner, record);
    const extra = { algo: flags.algo, preset: flags.preset, status: res.status, global_step: res.globalStep, backend: backend.backend };
    const lines = [`${flags.algo} (${flags.preset}) ${res.status} at step ${res.globalStep} on ${backend.backend} in ${((t2 - t1) / 1000).toFixed(1)} s → ${flags.out}`];
    if (market) {
      const reports = await evaluateMarket(learner, market.exp, { annualization: market.annualization, seed: flags.seed });
      writeMarketFiles(flags.out, market.exp, reports, { ...extra, annualization: market.annualization });
      for (const r of reports) {
        const bh = r.baselines['buy-and-hold']?.metrics;
        lines.push(
          `  ${r.split.padEnd(5)} ${r.startDate}..${r.endDate}  agent total_return ${fmt(r.agent.metrics.total_return)} sharpe ${fmt(r.agent.metrics.sharpe, 2)}` +
            (bh ? `  | buy-and-hold ${fmt(bh.total_return)} sharpe ${fmt(bh.sharpe, 2)}` : ''),
        );
      }
    } else {
      const e = await writeSanityMetrics(flags.out, envRecord, learner, extra);
      lines.push(`  eval: mean return ${fmt(e.meanReturn, 2)} ± ${fmt(e.stdReturn, 2)} over ${e.returns.length} episodes`);
    }
    const t3 = performance.now();
    writeJson(path.join(flags.out, 'run.json'), {
      command: 'train',
      argv,
      created: new Date().toISOString(),
      status: res.status,
      ...(res.error ? { error: res.error } : {}),
      algo: flags.algo,
      preset: flags.preset,
      config: learner.config,
      env: envRecord,
      backend: { ...backend, notes: backend.notes },
      global_step: res.globalStep,
      iterations: res.iterations,
      episodes: res.episodes,
      steps_per_second: res.globalStep / Math.max(1e-9, res.wallMs / 1000),
      ...(market
        ? {
            data: {
              source: dataSpecs.join(' '),
              assets: market.panel.assets,
              start: market.panel.dates[0] ?? null,
              end: market.panel.dates[market.panel.dates.length - 1] ?? null,
              rows: market.panel.dates.length,
              fingerprint: panelFingerprint(market.panel),
              features: market.exp.features.featureNames,
              splits: market.exp.splitSpec,
              split_rule: market.exp.splitRule,
            },
          }
        : {}),
      versions: versions(),
      timings_ms: { load: Math.round(t1 - t0), train: Math.round(t2 - t1), evaluate_and_write: Math.round(t3 - t2), total: Math.round(performance.now() - t0) },
    });
    learner.dispose();
    process.stdout.write(lines.join('\n') + '\n');
    if (res.status === 'failed') {
      process.stderr.write(`lab train: ${res.error}\nlab train: the checkpoint in ${path.join(flags.out, 'checkpoint')} holds the last good weights\n`);
      return 1;
    }
    return 0;
  },
};
