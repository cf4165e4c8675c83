/** Test helpers for running the CLI in-process (vitest only). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, vi } from 'vitest';

/** Captures what commands print; reset before each test. Read `io.stdout` / `io.stderr`. */
export function captureCliOutput(): { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '' };
  beforeEach(() => {
    io.stdout = '';
    io.stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      io.stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      io.stderr += String(chunk);
      return true;
    });
  });
  afterEach(() => vi.restoreAllMocks());
  return io;
}

/** A temp folder for the file's tests, removed after them. */
export function testDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * One OHLCV file per ticker (`DIR/TICKER.csv`, Yahoo layout; the file name is the ticker), `days`
 * weekdays from 2021-01-04 of smooth deterministic prices. For `--data A.csv B.csv` tests.
 */
export function writeOhlcvFiles(dir: string, tickers: readonly string[], days = 160): string[] {
  const dates: string[] = [];
  for (let d = Date.parse('2021-01-04T00:00:00Z'); dates.length < days; d += 86_400_000) {
    const wd = new Date(d).getUTCDay();
    if (wd !== 0 && wd !== 6) dates.push(new Date(d).toISOString().slice(0, 10));
  }
  return tickers.map((ticker, k) => {
    const p = path.join(dir, `${ticker}.csv`);
    const rows = dates.map((date, t) => {
      const c = Math.round((100 + 10 * Math.sin(t / 7 + 1.5 * k) + t / 5) * 100) / 100;
      return `${date},${c},${c + 1},${c - 1},${c},${1000 + t}`;
    });
    writeFileSync(p, ['Date,Open,High,Low,Close,Volume', ...rows].join('\n') + '\n');
    return p;
  });
}
