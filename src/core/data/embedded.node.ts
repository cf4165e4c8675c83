/**
 * Node-only reader for the embedded datasets (uses fs; never import it from browser code).
 * The project root is found from this file's URL; `require.resolve('vega-datasets/data/…')` would
 * fail because the package's exports map does not expose its data folder.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AlignOptions } from './align.ts';
import { loadEmbedded, type EmbeddedData, type EmbeddedFileName } from './embedded.ts';

/** `<project>/node_modules/vega-datasets/data` (this file is `<project>/src/core/data/embedded.node.ts`). */
export const VEGA_DATA_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../node_modules/vega-datasets/data',
);

export function readEmbeddedText(fileName: EmbeddedFileName): Promise<string> {
  return readFile(path.join(VEGA_DATA_DIR, fileName), 'utf8');
}

export function loadEmbeddedNode(name: string, align: AlignOptions = {}): Promise<EmbeddedData> {
  return loadEmbedded(name, readEmbeddedText, align);
}
