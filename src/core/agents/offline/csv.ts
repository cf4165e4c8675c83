/**
 * CSV dataset file, so users can bring transitions from anywhere (pandas, a spreadsheet, a
 * backtester). One row per transition:
 *
 *   obs_0 … obs_{d-1}, action | action_0 … action_{k-1}, [strength], [baseline | baseline_0 …],
 *   reward, [next_obs_0 … next_obs_{d-1}], done, [timeout]
 *
 * - `done` (alias `terminated`) = the MDP ended after this row; `timeout` (alias `truncated`) =
 *   the episode was cut by a time limit. Both are 0/1 (also accepted: true/false).
 * - Without next_obs columns the next row's obs is used (rows are then one trajectory in time
 *   order; the last row becomes a timeout).
 * - An optional first line `# rl-trading-lab dataset {json meta}` carries the spaces and the
 *   source; the exporter writes it (pandas: `read_csv(path, comment='#')`). Without it the spaces
 *   are inferred: integer actions → Discrete(max + 1) / MultiDiscrete, otherwise an unbounded Box;
 *   pass `actionSpace` to say otherwise.
 * Numbers are written as the shortest decimal that reads back to the same float32, so a CSV
 * round trip is bit-exact too.
 */
import Papa from 'papaparse';
import type { BoxSpace, Space } from '../../envs/types.ts';
import {
  DatasetBuilder,
  DatasetFormatError,
  type DatasetMeta,
  type OfflineDataset,
  isDiscreteSpace,
  metaToJson,
  parseMetaJson,
  validateDataset,
} from './dataset.ts';

const META_PREFIX = '# rl-trading-lab dataset ';

export interface CsvExportOptions {
  /** Write the `# rl-trading-lab dataset {meta}` first line (default true). */
  metaComment?: boolean;
}

export interface CsvImportOptions {
  /** Name used in error messages (default 'dataset.csv'). */
  file?: string;
  /** Overrides the meta line / inference. */
  actionSpace?: Space;
  observationSpace?: BoxSpace;
  /** Source label when the file has no meta line (default `file:<file>`). */
  source?: string;
}

/** Shortest decimal that parses back to exactly this float32 value. */
export function formatFloat32(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Object.is(v, -0)) return '-0';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return String(Number(s));
  }
  return String(f);
}

function columnNames(prefix: string, k: number): string[] {
  return Array.from({ length: k }, (_, i) => `${prefix}_${i}`);
}

/** CSV text of a dataset (header row, then one line per transition). */
export function datasetToCsv(ds: OfflineDataset, options: CsvExportOptions = {}): string {
  const d = ds.obsDim;
  const k = ds.actionDim;
  const singleAction = ds.meta.actionSpace.kind === 'discrete';
  const header = [
    ...columnNames('obs', d),
    ...(singleAction ? ['action'] : columnNames('action', k)),
    ...(ds.strength ? ['strength'] : []),
    ...(ds.baseline ? (singleAction ? ['baseline'] : columnNames('baseline', k)) : []),
    'reward',
    ...columnNames('next_obs', d),
    'done',
    'timeout',
  ];
  const lines: string[] = [];
  if (options.metaComment ?? true) lines.push(META_PREFIX + JSON.stringify(metaToJson(ds.meta)));
  lines.push(header.join(','));
  const discrete = ds.actions instanceof Int32Array;
  const row: string[] = new Array(header.length);
  for (let i = 0; i < ds.size; i++) {
    let c = 0;
    for (let j = 0; j < d; j++) row[c++] = formatFloat32(ds.obs[i * d + j]);
    for (let j = 0; j < k; j++)
      row[c++] = discrete ? String(ds.actions[i * k + j]) : formatFloat32(ds.actions[i * k + j]);
    if (ds.strength) row[c++] = formatFloat32(ds.strength[i]);
    if (ds.baseline) for (let j = 0; j < k; j++) row[c++] = formatFloat32(ds.baseline[i * k + j]);
    row[c++] = formatFloat32(ds.rewards[i]);
    for (let j = 0; j < d; j++) row[c++] = formatFloat32(ds.nextObs[i * d + j]);
    row[c++] = String(ds.terminals[i]);
    row[c++] = String(ds.timeouts[i]);
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

/** Columns `prefix_0 … prefix_{m-1}` in the header, in order; checks there are no gaps. */
function indexedColumns(
  header: string[],
  prefix: string,
  fail: (m: string, field?: string) => Error,
): number[] {
  const re = new RegExp(`^${prefix}_(\\d+)$`);
  const byIndex = new Map<number, number>();
  header.forEach((name, col) => {
    const m = re.exec(name);
    if (m) byIndex.set(Number(m[1]), col);
  });
  const out: number[] = [];
  for (let i = 0; i < byIndex.size; i++) {
    const col = byIndex.get(i);
    if (col === undefined)
      throw fail(
        `columns ${prefix}_0 … ${prefix}_${byIndex.size - 1} expected, ${prefix}_${i} is missing`,
        `${prefix}_${i}`,
      );
    out.push(col);
  }
  return out;
}

/** Parse a CSV dataset. Errors name the file, the line (1-based, as an editor shows it) and the column. */
export function datasetFromCsv(text: string, options: CsvImportOptions = {}): OfflineDataset {
  const file = options.file ?? 'dataset.csv';
  const fail = (message: string, field?: string, line?: number) =>
    new DatasetFormatError(message, { file, field, line });
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  // Leading comment lines (the optional meta line among them); remember how many for line numbers.
  let metaJson: unknown;
  let skipped = 0;
  let rest = text;
  for (;;) {
    const nl = rest.indexOf('\n');
    const line = (nl < 0 ? rest : rest.slice(0, nl)).replace(/\r$/, '');
    if (!line.startsWith('#')) break;
    if (line.startsWith(META_PREFIX)) {
      try {
        metaJson = JSON.parse(line.slice(META_PREFIX.length));
      } catch (e) {
        throw fail(`meta comment is not valid JSON (${(e as Error).message})`, 'meta', skipped + 1);
      }
    }
    skipped++;
    rest = nl < 0 ? '' : rest.slice(nl + 1);
  }
  const parsed = Papa.parse<string[]>(rest, { header: false, skipEmptyLines: false, dynamicTyping: false });
  const quoteError = parsed.errors.find((e) => e.type === 'Quotes');
  if (quoteError) throw fail(quoteError.message, undefined, skipped + (quoteError.row ?? 0) + 1);
  const rows = parsed.data;
  if (rows.length === 0 || (rows.length === 1 && rows[0].length === 1 && rows[0][0] === ''))
    throw fail('the file is empty');
  const header = rows[0].map((h) => h.trim());
  const headerLine = skipped + 1;
  const seen = new Set<string>();
  for (const h of header) {
    if (h === '') throw fail('the header has an empty column name', undefined, headerLine);
    if (seen.has(h)) throw fail(`column '${h}' appears twice in the header`, h, headerLine);
    seen.add(h);
  }
  const headerFail = (m: string, field?: string) => fail(m, field, headerLine);
  const col = (name: string) => header.indexOf(name);
  const obsCols = indexedColumns(header, 'obs', headerFail);
  if (obsCols.length === 0) throw headerFail('no observation columns (obs_0, obs_1, …)', 'obs_0');
  const nextCols = indexedColumns(header, 'next_obs', headerFail);
  if (nextCols.length > 0 && nextCols.length !== obsCols.length)
    throw headerFail(
      `${obsCols.length} obs columns but ${nextCols.length} next_obs columns`,
      `next_obs_${Math.min(nextCols.length, obsCols.length)}`,
    );
  let actCols = indexedColumns(header, 'action', headerFail);
  const singleAction = col('action');
  if (singleAction >= 0 && actCols.length > 0)
    throw headerFail("use either 'action' or 'action_0 …', not both", 'action');
  if (singleAction >= 0) actCols = [singleAction];
  if (actCols.length === 0)
    throw headerFail("no action column ('action' or 'action_0', 'action_1', …)", 'action');
  let baseCols = indexedColumns(header, 'baseline', headerFail);
  if (col('baseline') >= 0) baseCols = [col('baseline')];
  if (baseCols.length > 0 && baseCols.length !== actCols.length)
    throw headerFail(`${actCols.length} action columns but ${baseCols.length} baseline columns`, 'baseline');
  const rewardCol = col('reward');
  if (rewardCol < 0) throw headerFail("no 'reward' column", 'reward');
  const doneCol = col('done') >= 0 ? col('done') : col('terminated');
  const timeoutCol = col('timeout') >= 0 ? col('timeout') : col('truncated');
  const strengthCol = col('strength');

  // Data rows with their file line numbers; blank lines are skipped.
  const dataRows: { cells: string[]; line: number }[] = [];
  for (let r = 1; r < rows.length; r++) {
    const cells = rows[r];
    if (cells.length === 1 && cells[0].trim() === '') continue;
    const line = skipped + r + 1;
    if (cells.length !== header.length)
      throw fail(
        `expected ${header.length} fields (as in the header), found ${cells.length}`,
        undefined,
        line,
      );
    dataRows.push({ cells, line });
  }
  if (dataRows.length === 0) throw fail('no data rows after the header', undefined, headerLine);

  const num = (cells: string[], c: number, line: number): number => {
    const s = cells[c].trim();
    const v = s === '' ? NaN : Number(s);
    if (!Number.isFinite(v)) throw fail(`expected a finite number, got '${cells[c]}'`, header[c], line);
    return v;
  };
  const flag = (cells: string[], c: number, line: number): boolean => {
    const s = cells[c].trim().toLowerCase();
    if (s === '1' || s === 'true' || s === '1.0') return true;
    if (s === '0' || s === 'false' || s === '0.0' || s === '') return false;
    throw fail(`expected 0 or 1, got '${cells[c]}'`, header[c], line);
  };

  // Spaces: explicit option > meta line > inference from the data.
  let meta: DatasetMeta | undefined = metaJson !== undefined ? parseMetaJson(metaJson, file) : undefined;
  const d = obsCols.length;
  const k = actCols.length;
  let actionSpace = options.actionSpace ?? meta?.actionSpace;
  if (!actionSpace) {
    let allInt = true;
    const max = new Array<number>(k).fill(0);
    for (const { cells, line } of dataRows) {
      for (let j = 0; j < k; j++) {
        const v = num(cells, actCols[j], line);
        if (!Number.isInteger(v) || v < 0) allInt = false;
        max[j] = Math.max(max[j], v);
      }
    }
    if (allInt)
      actionSpace =
        singleAction >= 0
          ? { kind: 'discrete', n: max[0] + 1 }
          : { kind: 'multi-discrete', nvec: max.map((m) => m + 1) };
    else actionSpace = { kind: 'box', shape: [k], low: -Infinity, high: Infinity };
  }
  const observationSpace: BoxSpace = options.observationSpace ??
    meta?.observationSpace ?? { kind: 'box', shape: [d], low: -Infinity, high: Infinity };
  meta = {
    ...(meta ?? { source: options.source ?? `file:${file}`, seed: null, randomMix: 0 }),
    observationSpace,
    actionSpace,
  };
  const discrete = isDiscreteSpace(actionSpace);

  const builder = new DatasetBuilder({
    obsDim: d,
    actionDim: k,
    discrete,
    strength: strengthCol >= 0,
    baseline: baseCols.length > 0,
    capacity: dataRows.length,
  });
  const obs = new Float32Array(d);
  const next = new Float32Array(d);
  const action = discrete ? new Int32Array(k) : new Float32Array(k);
  const base = new Float32Array(k);
  for (let r = 0; r < dataRows.length; r++) {
    const { cells, line } = dataRows[r];
    for (let j = 0; j < d; j++) obs[j] = num(cells, obsCols[j], line);
    for (let j = 0; j < k; j++) {
      const v = num(cells, actCols[j], line);
      if (discrete && !Number.isInteger(v))
        throw fail(
          `a discrete action must be an integer, got '${cells[actCols[j]]}'`,
          header[actCols[j]],
          line,
        );
      action[j] = v;
    }
    for (let j = 0; j < baseCols.length; j++) base[j] = num(cells, baseCols[j], line);
    const terminal = doneCol >= 0 ? flag(cells, doneCol, line) : false;
    let timeout = timeoutCol >= 0 ? flag(cells, timeoutCol, line) : false;
    if (nextCols.length > 0) {
      for (let j = 0; j < d; j++) next[j] = num(cells, nextCols[j], line);
    } else if (r + 1 < dataRows.length && !terminal && !timeout) {
      const nextRow = dataRows[r + 1];
      for (let j = 0; j < d; j++) next[j] = num(nextRow.cells, obsCols[j], nextRow.line);
    } else {
      // End of a trajectory without a recorded next observation: it is never bootstrapped from
      // when terminal; otherwise the row becomes a timeout at the file's end.
      next.set(obs);
      if (!terminal) timeout = true;
    }
    builder.push({
      obs,
      action,
      reward: num(cells, rewardCol, line),
      nextObs: next,
      terminal,
      timeout,
      strength: strengthCol >= 0 ? num(cells, strengthCol, line) : undefined,
      baseline: baseCols.length > 0 ? base : undefined,
    });
  }
  const ds = builder.finish(meta);
  try {
    return validateDataset(ds, file);
  } catch (e) {
    // Map a row index back to its file line for the user.
    if (e instanceof DatasetFormatError && e.row !== undefined)
      throw fail(e.detail, e.field, dataRows[e.row].line);
    throw e;
  }
}
