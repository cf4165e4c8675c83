/**
 * Checkpoints as tfjs ModelArtifacts: our JSON (net config, optimizer step, Rng state, anything the
 * algorithm adds) in `modelTopology`, every variable of the net — and optionally the optimizer's
 * slots (Adam m/v and its iteration count) — in `weightSpecs` + `weightData`. The same object is the
 * model.json + weights.bin pair tfjs writes (`toFiles`/`fromFiles`), so a checkpoint can be saved by
 * the CLI, downloaded from the browser or kept in IndexedDB as is. Core stays pure: no fs here, the
 * caller writes the bytes. An agent with several optimizers (IQL: actor, critic, value) passes them
 * by name; each one's slots are saved under its own prefix.
 *
 * Weights are stored under the net's stable names (namedVariables()), not tf's variable names, so a
 * checkpoint loads into a freshly built net in another process. Float32 weights round-trip bit-exact.
 */
import * as tf from '@tensorflow/tfjs';
import type { RngState } from '../rng.ts';
import type { Module } from './nets/module.ts';

export const CHECKPOINT_FORMAT = 'rl-trading-lab/checkpoint';
export const CHECKPOINT_VERSION = 1;
const OPTIMIZER_PREFIX = '__optimizer__/';

export interface CheckpointMeta {
  /** JSON config that rebuilds the net (e.g. serializableConfig(actorCriticConfig)). */
  netConfig: unknown;
  /** Algorithm name and its config, for resuming and for the run record. */
  algo?: string;
  algoConfig?: unknown;
  /** Optimizer updates applied so far. */
  optimizerStep?: number;
  /** Environment steps so far. */
  globalStep?: number;
  /** The trainer's Rng state, so a resumed run continues the same stream. */
  rngState?: RngState;
  /** Backend the checkpoint was written on (numbers differ slightly across backends). */
  backend?: string;
  /** Anything else JSON-safe (normalisation stats, metrics at save time, …). */
  extra?: Record<string, unknown>;
}

interface Topology {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  meta: CheckpointMeta;
  /** Names of the net's weights in order; optimizer slots follow in weightSpecs. */
  weightNames: string[];
  /** Optimizer class name when its slots were saved. */
  optimizer?: string;
  /** Named optimizers' class names (agents with several optimizers). */
  optimizers?: Record<string, string>;
}

/** One optimizer, or several by name (names: letters, digits, '_' and '-'). */
export type CheckpointOptimizers = tf.Optimizer | Record<string, tf.Optimizer>;

function optimizerList(
  o: CheckpointOptimizers,
): { prefix: string; name: string | null; optimizer: tf.Optimizer }[] {
  if (o instanceof tf.Optimizer) return [{ prefix: OPTIMIZER_PREFIX, name: null, optimizer: o }];
  return Object.entries(o).map(([name, optimizer]) => {
    if (!/^[\w-]+$/.test(name))
      throw new Error(`checkpoint optimizer name '${name}' must be letters, digits, _ or -`);
    return { prefix: `__optimizer:${name}__/`, name, optimizer };
  });
}

export interface CheckpointArtifacts extends tf.io.ModelArtifacts {
  modelTopology: Topology & Record<string, unknown>;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

function toArrayBuffer(data: tf.io.WeightData): ArrayBuffer {
  return Array.isArray(data) ? new tf.io.CompositeArrayBuffer(data).slice() : data;
}

/**
 * Snapshot a net (and optionally its optimizer) into ModelArtifacts. Async because reading weights
 * from a GPU backend is; it never blocks on webgpu.
 */
export async function saveCheckpoint(
  net: Module,
  meta: CheckpointMeta,
  optimizer?: CheckpointOptimizers,
): Promise<CheckpointArtifacts> {
  const named = net.namedVariables();
  const seen = new Set<string>();
  for (const { name } of named) {
    if (seen.has(name)) throw new Error(`saveCheckpoint: duplicate weight name '${name}'`);
    seen.add(name);
  }
  const tensors: { name: string; tensor: tf.Tensor }[] = named.map(({ name, variable }) => ({
    name,
    tensor: variable,
  }));
  let optimizerName: string | undefined;
  const optimizerNames: Record<string, string> = {};
  // getWeights() makes a fresh scalar of the iteration count ('iter'); the moment slots are the optimizer's own.
  const fresh: tf.Tensor[] = [];
  for (const { prefix, name, optimizer: opt } of optimizer ? optimizerList(optimizer) : []) {
    const slots = await opt.getWeights();
    if (name === null) optimizerName = opt.getClassName();
    else optimizerNames[name] = opt.getClassName();
    // Index-prefixed: tfjs optimizers match slots to variables by position, and slot names carry tf's
    // process-specific variable names.
    slots.forEach((s, i) => tensors.push({ name: `${prefix}${i}/${s.name}`, tensor: s.tensor }));
    for (const s of slots) if (s.name === 'iter') fresh.push(s.tensor);
  }
  const { data, specs } = await tf.io.encodeWeights(tensors);
  tf.dispose(fresh);
  const modelTopology: Topology = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    meta: JSON.parse(JSON.stringify(meta)) as CheckpointMeta,
    weightNames: named.map((n) => n.name),
  };
  if (optimizerName) modelTopology.optimizer = optimizerName;
  if (Object.keys(optimizerNames).length > 0) modelTopology.optimizers = optimizerNames;
  return {
    modelTopology: modelTopology as CheckpointArtifacts['modelTopology'],
    format: CHECKPOINT_FORMAT,
    generatedBy: 'rl-trading-lab',
    convertedBy: null,
    weightSpecs: specs,
    weightData: toArrayBuffer(data),
  };
}

function topologyOf(artifacts: tf.io.ModelArtifacts): Topology {
  const topo = artifacts.modelTopology as Partial<Topology> | undefined;
  if (!topo || typeof topo !== 'object' || topo.format !== CHECKPOINT_FORMAT) {
    throw new Error(
      `not a lab checkpoint: modelTopology.format is '${String((topo as { format?: unknown } | undefined)?.format)}', expected '${CHECKPOINT_FORMAT}'`,
    );
  }
  if (typeof topo.version !== 'number' || topo.version > CHECKPOINT_VERSION) {
    throw new Error(
      `checkpoint version ${String(topo.version)} is newer than this lab understands (${CHECKPOINT_VERSION})`,
    );
  }
  if (!Array.isArray(topo.weightNames) || !topo.meta)
    throw new Error('checkpoint modelTopology lacks weightNames or meta');
  return topo as Topology;
}

/** The metadata (net config, steps, Rng state) without touching tensors: read it to rebuild the net. */
export function readCheckpointMeta(artifacts: tf.io.ModelArtifacts): CheckpointMeta {
  return topologyOf(artifacts).meta;
}

/**
 * Load weights into `net` (built from meta.netConfig) and, if given, restore the optimizer's slots
 * (pass a fresh optimizer of the same class, whose variable order is the net's). Names and shapes
 * must match exactly; the error lists what differs. Returns the metadata.
 */
export async function loadCheckpoint(
  artifacts: tf.io.ModelArtifacts,
  net: Module,
  optimizer?: CheckpointOptimizers,
): Promise<CheckpointMeta> {
  const topo = topologyOf(artifacts);
  if (!artifacts.weightSpecs || !artifacts.weightData)
    throw new Error('checkpoint has no weights (weightSpecs/weightData missing)');
  const named = net.namedVariables();
  const expected = named.map((n) => n.name);
  const missing = expected.filter((n) => !topo.weightNames.includes(n));
  const unexpected = topo.weightNames.filter((n) => !expected.includes(n));
  if (missing.length || unexpected.length) {
    throw new Error(
      `checkpoint does not fit this network: missing [${missing.join(', ')}], unexpected [${unexpected.join(', ')}] — was it saved from a different config?`,
    );
  }
  const specByName = new Map(artifacts.weightSpecs.map((s) => [s.name, s]));
  const shapeErrors: string[] = [];
  for (const { name, variable } of named) {
    const spec = specByName.get(name)!;
    if (spec.shape.length !== variable.shape.length || spec.shape.some((d, i) => d !== variable.shape[i])) {
      shapeErrors.push(
        `${name}: checkpoint [${spec.shape.join(', ')}] vs net [${variable.shape.join(', ')}]`,
      );
    }
  }
  if (shapeErrors.length) throw new Error(`checkpoint shapes differ: ${shapeErrors.join('; ')}`);

  const decoded = tf.io.decodeWeights(toArrayBuffer(artifacts.weightData), artifacts.weightSpecs);
  try {
    for (const { name, variable } of named) variable.assign(decoded[name]);
    for (const { prefix, name, optimizer: opt } of optimizer ? optimizerList(optimizer) : []) {
      const saved = name === null ? topo.optimizer : topo.optimizers?.[name];
      const label = name === null ? 'optimizer' : `optimizer '${name}'`;
      if (!saved) throw new Error(`checkpoint has no ${label} state to restore`);
      if (saved !== opt.getClassName())
        throw new Error(`checkpoint ${label} is ${saved}, cannot restore into ${opt.getClassName()}`);
      const slots = artifacts.weightSpecs
        .filter((s) => s.name.startsWith(prefix))
        .map((s) => ({ index: Number(s.name.slice(prefix.length).split('/')[0]), spec: s }))
        .sort((a, b) => a.index - b.index)
        .map(({ spec }) => ({
          name: spec.name.slice(prefix.length).replace(/^\d+\//, ''),
          tensor: decoded[spec.name],
        }));
      // tfjs optimizers replace their slot variables in setWeights without disposing the old ones
      // (restoring into an optimizer that has already stepped leaked them): dispose them here.
      const old = await opt.getWeights();
      await opt.setWeights(slots);
      tf.dispose(old.map((w) => w.tensor));
    }
  } finally {
    // assign() and setWeights() copy (variable(…)) what they keep.
    tf.dispose(Object.values(decoded));
  }
  return topo.meta;
}

/** model.json text + weights.bin bytes, the layout tfjs's file IO uses. */
export function toFiles(
  artifacts: CheckpointArtifacts,
  weightsPath = 'weights.bin',
): { json: string; weights: Uint8Array } {
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs }],
  };
  return { json: JSON.stringify(modelJson, null, 1), weights: new Uint8Array(artifacts.weightData) };
}

/** Inverse of toFiles; the error names the file when the JSON is broken or the byte count is off. */
export function fromFiles(json: string, weights: Uint8Array | ArrayBuffer): CheckpointArtifacts {
  let parsed: tf.io.ModelJSON;
  try {
    parsed = JSON.parse(json) as tf.io.ModelJSON;
  } catch (e) {
    throw new Error(`model.json is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!parsed.weightsManifest || !Array.isArray(parsed.weightsManifest))
    throw new Error('model.json has no weightsManifest');
  const specs = parsed.weightsManifest.flatMap((g) => g.weights);
  const bytes = weights instanceof Uint8Array ? weights : new Uint8Array(weights);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const needed = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (buffer.byteLength !== needed) {
    throw new Error(`weights.bin has ${buffer.byteLength} bytes, model.json describes ${needed}`);
  }
  const artifacts: CheckpointArtifacts = {
    modelTopology: parsed.modelTopology as CheckpointArtifacts['modelTopology'],
    weightSpecs: specs,
    weightData: buffer,
  };
  if (parsed.format !== undefined) artifacts.format = parsed.format;
  if (parsed.generatedBy !== undefined) artifacts.generatedBy = parsed.generatedBy;
  if (parsed.convertedBy !== undefined) artifacts.convertedBy = parsed.convertedBy;
  topologyOf(artifacts);
  return artifacts;
}
