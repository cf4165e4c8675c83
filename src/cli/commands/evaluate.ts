/** `lab evaluate`: backtests a saved agent (lab train's checkpoint/) on market data or its sanity env. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from '../args.ts';
import { UsageError } from '../errors.ts';
import { ensureDir, writeJson } from '../output.ts';
import { panelFingerprint, versions } from '../fingerprint.ts';
import type { CheckpointArtifacts } from '../../core/agents/checkpoint.ts';
import { getAlgorithm } from '../../core/run/algorithms.ts';
import { evaluateMarket } from '../../core/run/market.ts';
import { loadMarket, makeSanityEnv, writeMarketFiles, writeSanityMetrics, type TrainRecord } from './train.ts';
import type { CliCommand } from './index.ts';

const usage = `usage: lab evaluate --checkpoint DIR [--data SRC…] [--backend B] --out DIR

Loads an agent saved by lab train (DIR/checkpoint: model.json, weights.bin, config.json), rebuilds
its env — on --data when given, else on the data it was trained on — and backtests it
deterministically on every split with the baselines beside it. Writes DIR/metrics.json,
DIR/equity.csv, DIR/positions.csv (market data) and DIR/run.json. Features are normalised with the
train split of the data evaluated on, as in training.

options:
  --checkpoint DIR   a checkpoint folder (or the lab train output folder that holds it)
  --data SRC         file, folder, embedded:NAME or synthetic[:k=v,…]; repeat for several
  --backend B        wasm (default) | cpu | auto
  --out DIR          output folder (created)`;

const spec = {
  flags: {
    checkpoint: { type: 'string', required: true },
    data: { type: 'string', multiple: true },
    backend: { type: 'string', choices: ['wasm', 'cpu', 'auto'], default: 'wasm' },
    out: { type: 'string', required: true },
  },
} as const;

interface CheckpointFiles {
  dir: string;
  json: string;
  weights: Buffer;
  record: TrainRecord;
}

function readCheckpointDir(dir: string): CheckpointFiles {
  const candidates = [dir, path.join(dir, 'checkpoint')];
  for (const d of candidates) {
    let json: string;
    try {
      json = readFileSync(path.join(d, 'model.json'), 'utf8');
    } catch {
      continue;
    }
    let weights: Buffer;
    let recordText: string;
    try {
      weights = readFileSync(path.join(d, 'weights.bin'));
      recordText = readFileSync(path.join(d, 'config.json'), 'utf8');
    } catch (e) {
      throw new UsageError(`${d}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'weights.bin or config.json is missing' : (e as Error).message}`);
    }
    return { dir: d, json, weights, record: parseRecord(recordText, d) };
  }
  throw new UsageError(`no checkpoint in ${dir}: expected model.json there or in ${path.join(dir, 'checkpoint')}`);
}

function parseRecord(text: string, dir: string): TrainRecord {
  try {
    const r = JSON.parse(text) as TrainRecord;
    if (typeof r.algo !== 'string' || !r.env || typeof r.env.kind !== 'string') throw new Error('missing algo or env');
    return r;
  } catch (e) {
    throw new UsageError(`${path.join(dir, 'config.json')}: not a lab train record (${(e as Error).message})`);
  }
}

export const command: CliCommand = {
  summary: 'backtest a saved agent (lab train checkpoint) on market data with the baselines beside it',
  usage,
  async run(argv) {
    const t0 = performance.now();
    const { flags } = parseArgs(argv, spec);
    const found = readCheckpointDir(flags.checkpoint);
    const { fromFiles } = await import('../../core/agents/checkpoint.ts');
    let artifacts: CheckpointArtifacts;
    try {
      artifacts = fromFiles(found.json, found.weights);
    } catch (e) {
      throw new UsageError(`${found.dir}: ${(e as Error).message}`);
    }
    const record = found.record;
    const { initBackend } = await import('../../core/agents/backend.ts');
    const backend = await initBackend(flags.backend as 'wasm');

    const extra = { algo: record.algo, preset: record.preset, checkpoint: found.dir, backend: backend.backend };
    const lines: string[] = [];
    let dataInfo: Record<string, unknown> | undefined;
    ensureDir(flags.out);
    if (record.env.kind === 'market') {
      const specs = flags.data.length ? flags.data : record.env.data;
      // The inputs must be scaled as in training, whatever data is evaluated now.
      const market = await loadMarket(specs, record.env.setup, 'evaluate', record.env.normalization);
      const exp = market.exp;
      const learner = await getAlgorithm(record.algo).create({ config: record.config, preset: record.preset, makeEnv: (i) => exp.makeTrainEnv(i) });
      try {
        await learner.loadCheckpoint(artifacts);
      } catch (e) {
        learner.dispose();
        throw new UsageError(`checkpoint does not fit this data: ${(e as Error).message}`);
      }
      const reports = await evaluateMarket(learner, exp, { annualization: market.annualization });
      learner.dispose();
      writeMarketFiles(flags.out, exp, reports, { ...extra, annualization: market.annualization });
      for (const r of reports) {
        const bh = r.baselines['buy-and-hold']?.metrics;
        lines.push(`  ${r.split.padEnd(5)} ${r.startDate}..${r.endDate}  agent total_return ${String(r.agent.metrics.total_return)}  buy-and-hold ${String(bh?.total_return)}`);
      }
      dataInfo = { source: specs.join(' '), assets: market.panel.assets, rows: market.panel.dates.length, fingerprint: panelFingerprint(market.panel) };
    } else {
      if (flags.data.length) throw new UsageError(`this checkpoint was trained on ${record.env.kind}, not market data; drop --data`);
      const learner = await getAlgorithm(record.algo).create({ config: record.config, preset: record.preset, makeEnv: makeSanityEnv(record.env) });
      await learner.loadCheckpoint(artifacts);
      const e = await writeSanityMetrics(flags.out, record.env, learner, extra);
      learner.dispose();
      lines.push(`  eval: mean return ${e.meanReturn.toFixed(2)} ± ${e.stdReturn.toFixed(2)} over ${e.returns.length} episodes`);
    }
    writeJson(path.join(flags.out, 'run.json'), {
      command: 'evaluate',
      argv,
      created: new Date().toISOString(),
      checkpoint: found.dir,
      algo: record.algo,
      config: record.config,
      env: record.env,
      backend,
      ...(dataInfo ? { data: dataInfo } : {}),
      versions: versions(),
      timings_ms: { total: Math.round(performance.now() - t0) },
    });
    process.stdout.write([`${record.algo} from ${found.dir} on ${backend.backend} → ${flags.out}`, ...lines].join('\n') + '\n');
    return 0;
  },
};
