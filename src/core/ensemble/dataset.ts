/**
 * Seed 004's offline dataset: one row per (split, day, asset) with the 34-feature state (state.ts)
 * and the ensemble's decision as labels (action, strength), for behaviour cloning.
 *
 * Rows come from each split's backtest (each split starts in cash), ordered by split, date, asset.
 * For the lab's offline format (agents/offline) a row also has:
 *   reward   the asset sleeve's return over the next day net of today's fee:
 *            p·(close[t+1]/close[t] − 1) − fee·|p − p_before|, with p the post-trade position
 *            (the last row of a split has no next day inside the split: market move 0);
 *   next_obs the same asset's next row in the split (the row itself on the last row, a timeout).
 *
 * Files: `datasetCsv` (date, asset, split, the 34 named columns, action, strength — numbers in
 * the shortest form that reads back to the same float32, so the round trip is exact) and the lab's
 * binary format through `toOfflineDataset` + encodeDatasetBinary (feature names in meta.notes).
 */
import Papa from 'papaparse';
import { formatFloat32 } from '../agents/offline/csv.ts';
import type { OfflineDataset } from '../agents/offline/dataset.ts';
import type { SplitName } from '../data/types.ts';
import type { EnsembleAnalysis, SplitRun } from './ensemble.ts';
import { STATE_DIM, STATE_FEATURES, stateFeatures } from './state.ts';
import { ACTION_NAMES, EnsembleError } from './types.ts';

export interface EnsembleDataset {
  featureNames: readonly string[];
  size: number;
  date: string[];
  asset: string[];
  split: SplitName[];
  /** [n·34] */
  X: Float32Array;
  /** [n] HOLD / BUY / SELL */
  action: Int32Array;
  /** [n] in [0, 1] */
  strength: Float32Array;
  /** [n] see the module comment; absent after a CSV round trip. */
  reward?: Float32Array;
  /** [n] index of the next row of the same asset in the split (itself at the split's end). */
  next?: Int32Array;
}

export function buildEnsembleDataset(a: EnsembleAnalysis, runs: readonly SplitRun[]): EnsembleDataset {
  const { panel, decisions } = a;
  const N = panel.assets.length;
  const n = runs.reduce((s, r) => s + (r.rows.end - r.rows.start) * N, 0);
  const ds: EnsembleDataset = {
    featureNames: STATE_FEATURES,
    size: n,
    date: new Array<string>(n),
    asset: new Array<string>(n),
    split: new Array<SplitName>(n),
    X: new Float32Array(n * STATE_DIM),
    action: new Int32Array(n),
    strength: new Float32Array(n),
    reward: new Float32Array(n),
    next: new Int32Array(n),
  };
  let row = 0;
  for (const run of runs) {
    const bt = run.ensemble;
    const X = stateFeatures(a, bt);
    ds.X.set(X, row * STATE_DIM);
    const { start, end } = run.rows;
    for (let t = start; t < end; t++) {
      const k = t - start;
      const last = t === end - 1;
      for (let i = 0; i < N; i++, row++) {
        ds.date[row] = panel.dates[t];
        ds.asset[row] = panel.assets[i];
        ds.split[row] = run.split;
        ds.action[row] = decisions.action[t * N + i];
        ds.strength[row] = decisions.strength[t * N + i];
        const p = bt.position[k * N + i];
        const move = last ? 0 : panel.close[(t + 1) * N + i] / panel.close[t * N + i] - 1;
        ds.reward![row] = p * move - bt.fee * Math.abs(p - bt.pre.position[k * N + i]);
        ds.next![row] = last ? row : row + N;
      }
    }
  }
  return ds;
}

export interface ActionDistribution {
  total: number;
  counts: Record<(typeof ACTION_NAMES)[number], number>;
  /** Shares in percent. */
  percent: Record<(typeof ACTION_NAMES)[number], number>;
}

export function actionDistribution(action: ArrayLike<number>): ActionDistribution {
  const counts = { HOLD: 0, BUY: 0, SELL: 0 };
  for (let k = 0; k < action.length; k++) counts[ACTION_NAMES[action[k]]]++;
  const total = action.length;
  const pct = (c: number) => (total ? (100 * c) / total : 0);
  return { total, counts, percent: { HOLD: pct(counts.HOLD), BUY: pct(counts.BUY), SELL: pct(counts.SELL) } };
}

/** The seed's printout: "Action distribution:\n  HOLD: 872 (60.0%)\n  BUY: …". */
export function formatActionDistribution(d: ActionDistribution, title = 'Action distribution:'): string {
  return [title, ...ACTION_NAMES.map((a) => `  ${a}: ${d.counts[a]} (${d.percent[a].toFixed(1)}%)`)].join(
    '\n',
  );
}

export const CSV_HEADER: readonly string[] = [
  'date',
  'asset',
  'split',
  ...STATE_FEATURES,
  'action',
  'strength',
];

const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** dataset.csv text: the header, then one line per row; action as HOLD / BUY / SELL. */
export function datasetCsv(ds: EnsembleDataset): string {
  const lines = [CSV_HEADER.join(',')];
  const cells: string[] = new Array(CSV_HEADER.length);
  for (let r = 0; r < ds.size; r++) {
    let c = 0;
    cells[c++] = ds.date[r];
    cells[c++] = quote(ds.asset[r]);
    cells[c++] = ds.split[r];
    for (let f = 0; f < STATE_DIM; f++) cells[c++] = formatFloat32(ds.X[r * STATE_DIM + f]);
    cells[c++] = ACTION_NAMES[ds.action[r]];
    cells[c++] = formatFloat32(ds.strength[r]);
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}

/** Reads dataset.csv back; errors name the file, line and column. */
export function parseDatasetCsv(text: string, file = 'dataset.csv'): EnsembleDataset {
  const rows = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' }).data;
  const fail = (line: number, column: string, message: string): never => {
    throw new EnsembleError(`${file}, line ${line}, column '${column}': ${message}`);
  };
  const header = rows[0] ?? [];
  CSV_HEADER.forEach((name, c) => {
    if (header[c] !== name)
      fail(1, header[c] ?? `#${c + 1}`, `expected '${name}' (the header is ${CSV_HEADER.join(',')})`);
  });
  const n = rows.length - 1;
  const ds: EnsembleDataset = {
    featureNames: STATE_FEATURES,
    size: n,
    date: new Array<string>(n),
    asset: new Array<string>(n),
    split: new Array<SplitName>(n),
    X: new Float32Array(n * STATE_DIM),
    action: new Int32Array(n),
    strength: new Float32Array(n),
  };
  for (let r = 0; r < n; r++) {
    const cells = rows[r + 1];
    const line = r + 2;
    if (cells.length !== CSV_HEADER.length)
      fail(line, 'date', `expected ${CSV_HEADER.length} fields, got ${cells.length}`);
    const num = (c: number) => {
      const v = Number(cells[c]);
      if (cells[c].trim() === '' || !Number.isFinite(v))
        fail(line, CSV_HEADER[c], `'${cells[c]}' is not a finite number`);
      return v;
    };
    ds.date[r] = cells[0];
    ds.asset[r] = cells[1];
    if (cells[2] !== 'train' && cells[2] !== 'valid' && cells[2] !== 'test')
      fail(line, 'split', `'${cells[2]}' is not train, valid or test`);
    ds.split[r] = cells[2] as SplitName;
    for (let f = 0; f < STATE_DIM; f++) ds.X[r * STATE_DIM + f] = num(3 + f);
    const a = ACTION_NAMES.indexOf(cells[3 + STATE_DIM] as (typeof ACTION_NAMES)[number]);
    if (a < 0) fail(line, 'action', `'${cells[3 + STATE_DIM]}' is not HOLD, BUY or SELL`);
    ds.action[r] = a;
    const s = num(4 + STATE_DIM);
    if (!(s >= 0 && s <= 1)) fail(line, 'strength', `${s} is outside [0, 1]`);
    ds.strength[r] = s;
  }
  return ds;
}

/** The lab's offline dataset (Discrete(3) actions, strength, reward, next obs) for BC and the binary file. */
export function toOfflineDataset(ds: EnsembleDataset, source: string): OfflineDataset {
  if (!ds.reward || !ds.next)
    throw new EnsembleError(
      'toOfflineDataset: the dataset has no rewards (build it from a backtest, not from a CSV)',
    );
  const n = ds.size;
  const nextObs = new Float32Array(n * STATE_DIM);
  const timeouts = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    const j = ds.next[r];
    nextObs.set(ds.X.subarray(j * STATE_DIM, (j + 1) * STATE_DIM), r * STATE_DIM);
    if (j === r) timeouts[r] = 1;
  }
  return {
    size: n,
    obsDim: STATE_DIM,
    actionDim: 1,
    obs: ds.X.slice(),
    nextObs,
    actions: ds.action.slice(),
    rewards: ds.reward.slice(),
    terminals: new Uint8Array(n),
    timeouts,
    strength: ds.strength.slice(),
    meta: {
      observationSpace: { kind: 'box', shape: [STATE_DIM], low: -Infinity, high: Infinity },
      actionSpace: { kind: 'discrete', n: 3 },
      source,
      seed: null,
      randomMix: 0,
      env: 'ensemble',
      notes: {
        features: STATE_FEATURES.join(','),
        actions: ACTION_NAMES.join(','),
        first_date: ds.date[0] ?? '',
        last_date: ds.date[n - 1] ?? '',
        assets: [...new Set(ds.asset)].join(','),
      },
    },
  };
}
