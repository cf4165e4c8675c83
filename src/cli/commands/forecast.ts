/** `lab forecast --model timesnet`: TimesNet on its own as a forecaster (core: src/core/forecast/train.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { NamedWeights } from '../../core/agents/timesnetForecaster.ts';
import { formatImportIssue } from '../../core/data/report.ts';
import {
  ForecastDataError,
  PANEL_FIELDS,
  panelSeries,
  parsePlantedSpec,
  plantedSeries,
  type PanelField,
  type SeriesSet,
} from '../../core/forecast/dataset.ts';
import type { ForecastRun } from '../../core/forecast/train.ts';
import { parseArgs } from '../args.ts';
import { loadDataSources, requirePanel } from '../dataSources.ts';
import { UsageError } from '../errors.ts';
import { ensureDir, writeCsv, writeJson, type CsvCell } from '../output.ts';
import type { CliCommand } from './index.ts';

const usage = `usage: lab forecast --model timesnet --data SRC… --out RUN [options]

Trains TimesNet (thuml Time-Series-Library's long-term forecaster: FFT periods, 2-D Inception
blocks) to forecast --pred-len steps from --seq-len steps of every channel, and scores it beside
seasonal naive (its season chosen on the validation split among the detected periods).
Splits by time 70/10/20 (the library's Dataset_Custom); errors are in train-standardised units.

writes:
  RUN/metrics.json        train/valid/test MSE and MAE of timesnet and seasonal_naive, detected
                          periods with their amplitudes, the per-epoch history, the settings
  RUN/forecast_test.csv   every test window: origin, target row (date), horizon, channel,
                          actual, timesnet, seasonal_naive (in the series' own units)
  RUN/weights.json, RUN/weights.bin   the kept model's base weights (names, shapes; float32),
                          for --init (LoRA adapters are not in them)

data:
  --data SRC          file, folder, embedded:NAME or synthetic[:k=v,…] (one channel per asset), or
                      planted[:length=2000,channels=4,periods=24/12/8,amplitudes=1/0.6/0.4,noise=0.5,seed=0]
                      (sinusoids of planted periods + noise: the proof's series)
  --field F           close (default), log-close, log-return or volume of each asset
  --calendar C        intersection (default) or union of the assets' dates
  --time-features     add day-of-week/month/year marks (the library's timeF, daily)

model and training (defaults: the library's ETTh1 TimesNet, a budget for a small machine):
  --seq-len N         input steps (96)            --pred-len N      forecast steps (24)
  --top-k K           periods per block (3)       --d-model D       (16)      --d-ff D (32)
  --e-layers N        TimesBlocks (2)             --num-kernels N   Inception branches (6)
  --epochs N          (3; lr halves each epoch, early stop on validation, best epoch kept)
  --steps-per-epoch N training batches per epoch, 0 = all windows (30)
  --batch-size N      (32)                        --lr X            Adam learning rate (0.003)
  --dropout X         embedding dropout (0.1)
  --lora-rank R       LoRA adapters of rank R on the projections and Inception kernels (0 = none)
  --lora-alpha A      LoRA scale numerator, update (A/R)·A·B (default R)
  --freeze-base       train only the LoRA adapters
  --init RUN          start from RUN's saved base weights (same shapes), e.g. to fine-tune with LoRA
  --seed N            (0)
  --backend B         wasm (default), cpu or auto
  --out RUN           output folder`;

const spec = {
  flags: {
    model: { type: 'string', choices: ['timesnet'], default: 'timesnet' },
    data: { type: 'string', multiple: true },
    field: { type: 'string', choices: PANEL_FIELDS, default: 'close' },
    calendar: { type: 'string', choices: ['intersection', 'union'], default: 'intersection' },
    'time-features': { type: 'boolean' },
    'seq-len': { type: 'integer', default: 96 },
    'pred-len': { type: 'integer', default: 24 },
    'top-k': { type: 'integer', default: 3 },
    'd-model': { type: 'integer', default: 16 },
    'd-ff': { type: 'integer', default: 32 },
    'e-layers': { type: 'integer', default: 2 },
    'num-kernels': { type: 'integer', default: 6 },
    epochs: { type: 'integer', default: 3 },
    'steps-per-epoch': { type: 'integer', default: 30 },
    'batch-size': { type: 'integer', default: 32 },
    lr: { type: 'number', default: 3e-3 },
    dropout: { type: 'number', default: 0.1 },
    'lora-rank': { type: 'integer', default: 0 },
    'lora-alpha': { type: 'number' },
    'freeze-base': { type: 'boolean' },
    init: { type: 'string' },
    seed: { type: 'integer', default: 0 },
    backend: { type: 'string', choices: ['wasm', 'cpu', 'auto'], default: 'wasm' },
    out: { type: 'string', required: true },
  },
  positionals: { names: ['source'] },
} as const;

async function loadSeries(sources: string[], field: PanelField, calendar: string): Promise<SeriesSet> {
  const planted = sources.filter((s) => /^planted(:|$)/i.test(s));
  if (planted.length > 0) {
    if (sources.length > 1)
      throw new UsageError('--data planted:… is a series of its own: give no other source');
    try {
      return plantedSeries(parsePlantedSpec(planted[0]));
    } catch (e) {
      if (e instanceof ForecastDataError) throw new UsageError(e.message);
      throw e;
    }
  }
  const data = await loadDataSources(sources, { calendar: calendar as 'intersection' | 'union' });
  const panel = requirePanel(data);
  for (const e of data.errors)
    process.stderr.write(`lab forecast: warning: skipped ${formatImportIssue(e)}\n`);
  return panelSeries(panel, field);
}

function forecastRows(series: SeriesSet, run: ForecastRun): CsvCell[][] {
  const { predLen: P } = run.config;
  const C = series.channels;
  const rows: CsvCell[][] = [];
  const at = (t: number) => (series.dates ? series.dates[t] : t);
  run.test.targetStart.forEach((t0, w) => {
    for (let h = 0; h < P; h++)
      for (let c = 0; c < C; c++) {
        const i = (w * P + h) * C + c;
        rows.push([
          at(t0 - 1),
          at(t0 + h),
          h + 1,
          series.names[c],
          run.test.actual[i],
          run.test.timesnet[i],
          run.test.seasonalNaive[i],
        ]);
      }
  });
  return rows;
}

const WEIGHTS_FORMAT = 'lab-timesnet-base-weights-1';

function saveWeights(dir: string, weights: readonly NamedWeights[]): void {
  let offset = 0;
  const variables = weights.map((w) => {
    const v = { name: w.name, shape: w.shape, offset, length: w.values.length };
    offset += w.values.length;
    return v;
  });
  const all = new Float32Array(offset);
  weights.forEach((w, i) => all.set(w.values, variables[i].offset));
  writeJson(path.join(dir, 'weights.json'), { format: WEIGHTS_FORMAT, variables });
  writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(all.buffer));
}

function loadWeights(dir: string): NamedWeights[] {
  const file = path.join(dir, 'weights.json');
  let header: {
    format?: string;
    variables?: { name: string; shape: number[]; offset: number; length: number }[];
  };
  let bin: Buffer;
  try {
    header = JSON.parse(readFileSync(file, 'utf8'));
    bin = readFileSync(path.join(dir, 'weights.bin'));
  } catch (e) {
    throw new UsageError(`--init ${dir}: cannot read ${file} / weights.bin (${(e as Error).message})`);
  }
  if (header.format !== WEIGHTS_FORMAT || !Array.isArray(header.variables))
    throw new UsageError(`--init: ${file} is not a lab forecast weights file (format ${WEIGHTS_FORMAT})`);
  const all = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  return header.variables.map((v) => {
    if (v.offset + v.length > all.length)
      throw new UsageError(`--init: ${file}: variables.${v.name} runs past the end of weights.bin`);
    return { name: v.name, shape: v.shape, values: all.slice(v.offset, v.offset + v.length) };
  });
}

export const command: CliCommand = {
  summary:
    'train TimesNet as a forecaster and score it beside seasonal naive (metrics.json, forecast_test.csv)',
  usage,
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, spec);
    const sources = [...flags.data, ...positionals];
    if (sources.length === 0)
      throw new UsageError(
        'missing required option --data (a file, folder, embedded:NAME, synthetic:… or planted:…)',
      );
    const series = await loadSeries(sources, flags.field as PanelField, flags.calendar);
    const initBase = flags.init ? loadWeights(flags.init) : undefined;
    const out = ensureDir(flags.out);

    const { initBackend } = await import('../../core/agents/backend.ts');
    const backend = await initBackend(flags.backend as 'wasm' | 'cpu' | 'auto');
    if (backend.fallbackReason)
      process.stderr.write(`lab forecast: note: using ${backend.backend} (${backend.fallbackReason})\n`);
    const { runForecast } = await import('../../core/forecast/train.ts');
    let run: ForecastRun;
    try {
      run = runForecast(
        series,
        {
          seqLen: flags['seq-len'],
          predLen: flags['pred-len'],
          topK: flags['top-k'],
          dModel: flags['d-model'],
          dFF: flags['d-ff'],
          eLayers: flags['e-layers'],
          numKernels: flags['num-kernels'],
          epochs: flags.epochs,
          stepsPerEpoch: flags['steps-per-epoch'],
          batchSize: flags['batch-size'],
          learningRate: flags.lr,
          dropout: flags.dropout,
          loraRank: flags['lora-rank'],
          loraAlpha: flags['lora-alpha'] ?? Math.max(1, flags['lora-rank']),
          freezeBase: flags['freeze-base'],
          timeFeatures: flags['time-features'],
          seed: flags.seed,
        },
        {
          initBase,
          onEpoch: (e) =>
            process.stderr.write(
              `epoch ${e.epoch}  step ${e.step}  train_mse ${e['losses/train_mse'].toFixed(4)}  valid_mse ${e['losses/valid_mse'].toFixed(4)}  (${e['perf/epoch_seconds'].toFixed(1)} s)\n`,
            ),
        },
      );
    } catch (e) {
      if (e instanceof ForecastDataError) throw new UsageError(e.message);
      if (e instanceof Error && /must be|exceeds|needs LoRA|^base weights/.test(e.message))
        throw new UsageError(
          flags.init && /^base weights/.test(e.message) ? `--init ${flags.init}: ${e.message}` : e.message,
        );
      throw e;
    }

    writeJson(path.join(out, 'metrics.json'), {
      model: 'timesnet',
      data: sources,
      field: sources.some((s) => /^planted/i.test(s)) ? null : flags.field,
      series: { length: series.length, channels: series.names },
      backend: backend.backend,
      config: run.config,
      splits: run.splits,
      windows: run.windows,
      periods: run.periods,
      timesnet: run.timesnet,
      seasonal_naive: {
        season: run.seasonalNaive.season,
        candidates: run.seasonalNaive.candidates,
        train: run.seasonalNaive.train,
        valid: run.seasonalNaive.valid,
        test: run.seasonalNaive.test,
      },
      best_epoch: run.bestEpoch,
      params: { total: run.paramCount, trainable: run.trainableParams },
      model_periods: run.modelPeriods,
      history: run.history,
      init: flags.init ?? null,
      seconds: run.seconds,
    });
    saveWeights(out, run.baseWeights);
    writeCsv(
      path.join(out, 'forecast_test.csv'),
      ['origin', 'target', 'horizon', 'channel', 'actual', 'timesnet', 'seasonal_naive'],
      forecastRows(series, run),
    );
    const f = (x: number) => x.toFixed(4);
    process.stdout.write(
      [
        `periods (train windows): ${run.periods.map((p) => `${p.period} (amp ${p.amplitude.toFixed(1)})`).join(', ')}`,
        `test MSE  timesnet ${f(run.timesnet.test.mse)}  seasonal_naive(${run.seasonalNaive.season}) ${f(run.seasonalNaive.test.mse)}`,
        `test MAE  timesnet ${f(run.timesnet.test.mae)}  seasonal_naive(${run.seasonalNaive.season}) ${f(run.seasonalNaive.test.mae)}`,
        `${run.paramCount} params (${run.trainableParams} trained), best epoch ${run.bestEpoch}, ${run.seconds.toFixed(1)} s → ${out}`,
      ].join('\n') + '\n',
    );
    return 0;
  },
};
