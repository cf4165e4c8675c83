/**
 * CSV import throughput: generates a ~100 MB long-layout OHLCV file (date, symbol, open, high,
 * low, close, volume; 300 symbols × ~5,400 business days, seeded), then streams it from disk
 * through the core importer (importCsvStream, 1 MiB chunks) and aligns the assets into a Panel.
 *
 * Figures: file size, import time and MB/s, rows/s, alignment time, and the longest gap between
 * two progress callbacks (max_block_ms) — the longest the importer holds its thread in one go,
 * which is what would freeze a page if it ran outside a worker. LAB_BENCH_IMPORT_MB sets the
 * file size (default 100) for quicker runs.
 */
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { alignSeries } from '../../core/data/align.ts';
import { importCsvStream } from '../../core/data/csv.ts';
import { daysFromIso, isWeekend, isoFromDays } from '../../core/data/dates.ts';
import { Rng } from '../../core/rng.ts';
import type { BenchFigures } from './index.ts';

const SYMBOLS = 300;
/** Bytes per generated row, measured on this generator's output (for sizing the day count). */
const APPROX_ROW_BYTES = 58;

/** Writes the seeded file; returns its size, row count and date count. */
async function generate(
  file: string,
  targetBytes: number,
): Promise<{ bytes: number; rows: number; days: number }> {
  const days = Math.max(2, Math.ceil(targetBytes / (APPROX_ROW_BYTES * SYMBOLS)));
  const rng = new Rng(2024);
  const price = new Float64Array(SYMBOLS).fill(100);
  const names = Array.from({ length: SYMBOLS }, (_, i) => `S${String(i).padStart(3, '0')}`);
  const out = createWriteStream(file, { encoding: 'utf8' });
  out.write('date,symbol,open,high,low,close,volume\n');
  let day = daysFromIso('2000-01-03');
  let rows = 0;
  let buf: string[] = [];
  for (let d = 0; d < days; d++) {
    while (isWeekend(day)) day++;
    const date = isoFromDays(day);
    for (let i = 0; i < SYMBOLS; i++) {
      const open = price[i];
      const close = open * Math.exp(rng.normal(0, 0.015));
      const hi = Math.max(open, close) * (1 + 0.005 * rng.float());
      const lo = Math.min(open, close) * (1 - 0.005 * rng.float());
      price[i] = close;
      buf.push(
        `${date},${names[i]},${open.toFixed(4)},${hi.toFixed(4)},${lo.toFixed(4)},${close.toFixed(4)},${rng.int(5_000_000)}`,
      );
      rows++;
    }
    day++;
    if (buf.length >= 20_000) {
      if (!out.write(buf.join('\n') + '\n')) await once(out, 'drain');
      buf = [];
    }
  }
  if (buf.length) out.write(buf.join('\n') + '\n');
  out.end();
  await once(out, 'finish');
  return { bytes: statSync(file).size, rows, days };
}

export async function benchImportCsv(): Promise<BenchFigures> {
  const mb = Number(process.env.LAB_BENCH_IMPORT_MB ?? 100);
  const target = (Number.isFinite(mb) && mb > 0 ? mb : 100) * 1e6;
  const file = path.join(os.tmpdir(), `lab-bench-import-${process.pid}.csv`);
  try {
    const g0 = performance.now();
    const gen = await generate(file, target);
    const generateMs = performance.now() - g0;

    let last = performance.now();
    let maxBlock = 0;
    const t0 = performance.now();
    const result = await importCsvStream(
      createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }),
      {
        fileName: 'bench-long.csv',
        totalBytes: gen.bytes,
        onProgress: () => {
          const now = performance.now();
          maxBlock = Math.max(maxBlock, now - last);
          last = now;
        },
      },
    );
    const importMs = performance.now() - t0;
    if (!result.ok) throw new Error(`import failed: ${result.error.message}`);

    const a0 = performance.now();
    const { panel } = alignSeries(result.series);
    const alignMs = performance.now() - a0;

    const fileMB = gen.bytes / 1e6;
    return {
      file_mb: Math.round(fileMB * 10) / 10,
      rows: gen.rows,
      assets: panel.assets.length,
      days: panel.dates.length,
      generate_ms: Math.round(generateMs),
      import_ms: Math.round(importMs),
      import_mb_per_s: Math.round((fileMB / (importMs / 1000)) * 10) / 10,
      import_rows_per_s: Math.round(gen.rows / (importMs / 1000)),
      align_ms: Math.round(alignMs),
      max_block_ms: Math.round(maxBlock * 10) / 10,
      rows_kept: result.report.rowsKept,
    };
  } finally {
    rmSync(file, { force: true });
  }
}
