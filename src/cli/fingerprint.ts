/** Fingerprints and version info for run records (run.json): which data, which code. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Panel } from '../core/data/types.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * sha256 of a panel's dates, assets and close values (the bytes of the Float64Array, little-endian
 * on every platform the lab runs on): the same data gives the same fingerprint on any machine.
 * Format 'sha256:<hex>'.
 */
export function panelFingerprint(panel: Pick<Panel, 'dates' | 'assets' | 'close'>): string {
  const h = createHash('sha256');
  h.update(`dates:${panel.dates.length}\n${panel.dates.join(',')}\n`);
  h.update(`assets:${panel.assets.length}\n${panel.assets.join(',')}\n`);
  h.update(`close:${panel.close.length}\n`);
  h.update(new Uint8Array(panel.close.buffer, panel.close.byteOffset, panel.close.byteLength));
  return `sha256:${h.digest('hex')}`;
}

export interface Versions {
  lab: string;
  node: string;
  platform: string;
}

/** The lab's version (package.json), node's and the platform. */
export function versions(): Versions {
  let lab = 'unknown';
  try {
    lab =
      (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version?: string })
        .version ?? lab;
  } catch {
    // A run record without the version is still useful; never fail a run over it.
  }
  return { lab, node: process.version, platform: `${process.platform}-${process.arch}` };
}
