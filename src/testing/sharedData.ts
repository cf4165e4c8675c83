import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Repo root (two folders above this file). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * ../shared/data beside the project, or null when absent: tests that need real data use
 * `describe.skipIf(!sharedData)` so the suite passes on a checkout without it.
 */
export const sharedData: string | null = (() => {
  const dir = path.resolve(repoRoot, '../shared/data');
  return existsSync(dir) ? dir : null;
})();

export function sharedPath(...parts: string[]): string {
  if (!sharedData) throw new Error('../shared/data is absent');
  return path.join(sharedData, ...parts);
}
