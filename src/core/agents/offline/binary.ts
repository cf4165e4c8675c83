/**
 * Binary dataset file: bit-exact, compact, fast to load in a worker.
 *
 *   bytes 0..7    magic "RLTLDS01"
 *   bytes 8..11   header length H (uint32, little-endian)
 *   bytes 12..    header: UTF-8 JSON, padded with spaces so the data starts 8-byte aligned
 *   then          the arrays, little-endian, each starting 8-byte aligned, at the offsets the
 *                 header lists (relative to the start of the data section)
 *
 * Header: { format, version, size, obsDim, actionDim, meta, arrays: [{ name, dtype, offset, length }] }.
 */
import { z } from 'zod';
import {
  DATASET_FORMAT_VERSION,
  DatasetFormatError,
  type OfflineDataset,
  metaToJson,
  parseMetaJson,
  validateDataset,
  zodIssueText,
} from './dataset.ts';

const MAGIC = 'RLTLDS01';
const FORMAT = 'rl-trading-lab/offline-dataset';

type DType = 'float32' | 'int32' | 'uint8';
type ArrayName =
  'obs' | 'next_obs' | 'actions' | 'rewards' | 'terminals' | 'timeouts' | 'strength' | 'baseline';

const headerSchema = z.object({
  format: z.literal(FORMAT),
  version: z.number().int().min(1).max(DATASET_FORMAT_VERSION),
  size: z.number().int().positive(),
  obsDim: z.number().int().positive(),
  actionDim: z.number().int().positive(),
  meta: z.unknown(),
  arrays: z.array(
    z.object({
      name: z.enum([
        'obs',
        'next_obs',
        'actions',
        'rewards',
        'terminals',
        'timeouts',
        'strength',
        'baseline',
      ]),
      dtype: z.enum(['float32', 'int32', 'uint8']),
      offset: z.number().int().nonnegative(),
      length: z.number().int().nonnegative(),
    }),
  ),
});

const BYTES: Record<DType, number> = { float32: 4, int32: 4, uint8: 1 };
const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function align8(n: number): number {
  return (n + 7) & ~7;
}

function dtypeOf(a: Float32Array | Int32Array | Uint8Array): DType {
  return a instanceof Float32Array ? 'float32' : a instanceof Int32Array ? 'int32' : 'uint8';
}

/** Encode a dataset as one Uint8Array (write it to a file, or transfer its buffer). */
export function encodeDatasetBinary(ds: OfflineDataset): Uint8Array {
  const parts: [ArrayName, Float32Array | Int32Array | Uint8Array][] = [
    ['obs', ds.obs],
    ['next_obs', ds.nextObs],
    ['actions', ds.actions],
    ['rewards', ds.rewards],
    ['terminals', ds.terminals],
    ['timeouts', ds.timeouts],
  ];
  if (ds.strength) parts.push(['strength', ds.strength]);
  if (ds.baseline) parts.push(['baseline', ds.baseline]);
  let offset = 0;
  const arrays = parts.map(([name, a]) => {
    const entry = { name, dtype: dtypeOf(a), offset, length: a.length };
    offset = align8(offset + a.byteLength);
    return entry;
  });
  const header = {
    format: FORMAT,
    version: DATASET_FORMAT_VERSION,
    size: ds.size,
    obsDim: ds.obsDim,
    actionDim: ds.actionDim,
    meta: metaToJson(ds.meta),
    arrays,
  };
  let headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align8(12 + headerBytes.length);
  const padded = new Uint8Array(dataStart - 12).fill(0x20);
  padded.set(headerBytes);
  headerBytes = padded;
  const out = new Uint8Array(dataStart + offset);
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
  new DataView(out.buffer).setUint32(8, headerBytes.length, true);
  out.set(headerBytes, 12);
  parts.forEach(([, a], j) => {
    const start = dataStart + arrays[j].offset;
    if (littleEndian || a instanceof Uint8Array) {
      out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), start);
    } else {
      const view = new DataView(out.buffer, start, a.byteLength);
      for (let i = 0; i < a.length; i++) {
        if (a instanceof Float32Array) view.setFloat32(i * 4, a[i], true);
        else view.setInt32(i * 4, a[i], true);
      }
    }
  });
  return out;
}

/** Decode a binary dataset; any defect throws DatasetFormatError naming the file and the field. */
export function decodeDatasetBinary(input: Uint8Array | ArrayBuffer, file = 'dataset.bin'): OfflineDataset {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const fail = (message: string, field?: string) => new DatasetFormatError(message, { file, field });
  if (bytes.length < 12) throw fail(`file is ${bytes.length} bytes, too short for a dataset header`);
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== MAGIC)
    throw fail(
      `not an RL Trading Lab dataset (magic '${magic.replace(/[^\x20-\x7e]/g, '?')}', expected '${MAGIC}')`,
    );
  const headerLen = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + headerLen > bytes.length)
    throw fail(`header length ${headerLen} runs past the end of the file (${bytes.length} bytes)`, 'header');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLen)));
  } catch (e) {
    throw fail(`header is not valid JSON (${(e as Error).message})`, 'header');
  }
  const parsed = headerSchema.safeParse(raw);
  if (!parsed.success) {
    const { field, message } = zodIssueText(parsed.error);
    throw fail(message, `header.${field}`);
  }
  const h = parsed.data;
  const meta = parseMetaJson(h.meta, file, 'header.meta');
  const dataStart = 12 + headerLen;
  const discrete = meta.actionSpace.kind !== 'box';
  const expected: Record<ArrayName, { dtype: DType; length: number }> = {
    obs: { dtype: 'float32', length: h.size * h.obsDim },
    next_obs: { dtype: 'float32', length: h.size * h.obsDim },
    actions: { dtype: discrete ? 'int32' : 'float32', length: h.size * h.actionDim },
    rewards: { dtype: 'float32', length: h.size },
    terminals: { dtype: 'uint8', length: h.size },
    timeouts: { dtype: 'uint8', length: h.size },
    strength: { dtype: 'float32', length: h.size },
    baseline: { dtype: 'float32', length: h.size * h.actionDim },
  };
  const found = new Map<ArrayName, Float32Array | Int32Array | Uint8Array>();
  for (const entry of h.arrays) {
    const want = expected[entry.name];
    const field = `header.arrays.${entry.name}`;
    if (found.has(entry.name)) throw fail('listed twice', field);
    if (entry.dtype !== want.dtype) throw fail(`dtype ${entry.dtype}, expected ${want.dtype}`, field);
    if (entry.length !== want.length)
      throw fail(`length ${entry.length}, expected ${want.length} for ${h.size} rows`, field);
    const start = dataStart + entry.offset;
    const byteLength = entry.length * BYTES[entry.dtype];
    if (start + byteLength > bytes.length)
      throw fail(
        `data runs past the end of the file (needs bytes ${start}..${start + byteLength}, file has ${bytes.length})`,
        field,
      );
    found.set(entry.name, readArray(bytes, start, entry.length, entry.dtype));
  }
  for (const name of ['obs', 'next_obs', 'actions', 'rewards', 'terminals', 'timeouts'] as const) {
    if (!found.has(name)) throw fail('required array is missing', `header.arrays.${name}`);
  }
  const ds: OfflineDataset = {
    size: h.size,
    obsDim: h.obsDim,
    actionDim: h.actionDim,
    obs: found.get('obs') as Float32Array,
    nextObs: found.get('next_obs') as Float32Array,
    actions: found.get('actions') as Int32Array | Float32Array,
    rewards: found.get('rewards') as Float32Array,
    terminals: found.get('terminals') as Uint8Array,
    timeouts: found.get('timeouts') as Uint8Array,
    meta,
  };
  if (found.has('strength')) ds.strength = found.get('strength') as Float32Array;
  if (found.has('baseline')) ds.baseline = found.get('baseline') as Float32Array;
  return validateDataset(ds, file);
}

function readArray(
  bytes: Uint8Array,
  start: number,
  length: number,
  dtype: DType,
): Float32Array | Int32Array | Uint8Array {
  // Copy with Uint8Array's own slice: so the result is aligned and owns its buffer whatever the
  // input's offset (a Node Buffer's slice is a view into a shared pool, not a copy).
  const slice = (from: number, to: number) =>
    new Uint8Array(bytes.buffer, bytes.byteOffset + from, to - from).slice();
  if (dtype === 'uint8') return slice(start, start + length);
  const copy = slice(start, start + length * 4);
  if (littleEndian) return dtype === 'float32' ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer);
  const view = new DataView(copy.buffer);
  const out = dtype === 'float32' ? new Float32Array(length) : new Int32Array(length);
  for (let i = 0; i < length; i++)
    out[i] = dtype === 'float32' ? view.getFloat32(i * 4, true) : view.getInt32(i * 4, true);
  return out;
}
