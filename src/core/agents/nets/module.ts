/**
 * What every network in nets/ has in common: it owns tf.Variables under stable names (names are
 * ours, not tf's: tf variable names must be globally unique in the engine, ours only inside a net),
 * reports its parameter count, hands weights out as Float32Arrays and takes them back, and frees
 * its memory on dispose().
 */
import * as tf from '@tensorflow/tfjs';

export interface NamedVariable {
  /** Stable path inside the net, e.g. `actor/l0/kernel`; used by checkpoints. */
  name: string;
  variable: tf.Variable;
}

export interface Module {
  /** Every trainable variable, in a fixed order (the order of namedVariables()). */
  variables(): tf.Variable[];
  /** Variables with stable names, in a fixed order. */
  namedVariables(): NamedVariable[];
  /** Number of scalar parameters. */
  readonly paramCount: number;
  dispose(): void;
}

/** Sum of the sizes of the variables. */
export function countParams(vars: readonly tf.Variable[]): number {
  let n = 0;
  for (const v of vars) n += v.size;
  return n;
}

/** Copies of all weights, in namedVariables() order (read synchronously: cpu/wasm; on webgpu it stalls). */
export function getWeights(mod: Module): Float32Array[] {
  return mod
    .namedVariables()
    .map(({ variable }) => variable.dataSync() as Float32Array)
    .map((a) => new Float32Array(a));
}

/** Assign weights in namedVariables() order; sizes are checked, with the variable named in the error. */
export function setWeights(mod: Module, weights: readonly Float32Array[]): void {
  const named = mod.namedVariables();
  if (weights.length !== named.length) {
    throw new Error(
      `setWeights: expected ${named.length} arrays (${named.map((n) => n.name).join(', ')}), got ${weights.length}`,
    );
  }
  named.forEach(({ name, variable }, i) => {
    const w = weights[i];
    if (w.length !== variable.size) {
      throw new Error(
        `setWeights: '${name}' has shape [${variable.shape.join(', ')}] (${variable.size} values), got ${w.length} values`,
      );
    }
  });
  named.forEach(({ variable }, i) => {
    const t = tf.tensor(weights[i], variable.shape, 'float32');
    variable.assign(t);
    t.dispose();
  });
}

/** Prefix the names of a sub-module's variables. */
export function prefixed(prefix: string, vars: readonly NamedVariable[]): NamedVariable[] {
  return vars.map(({ name, variable }) => ({ name: `${prefix}/${name}`, variable }));
}

/** Throws a clear error unless `n` is a positive integer. */
export function assertPositiveInt(what: string, n: unknown): asserts n is number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new Error(`${what} must be a positive integer, got ${String(n)}`);
  }
}

/** Throws a clear error unless x is rank 2 with the given number of columns. */
export function assertInput2D(who: string, x: tf.Tensor, cols: number): void {
  if (x.rank !== 2)
    throw new Error(`${who}: expected a 2-D input [batch, ${cols}], got shape [${x.shape.join(', ')}]`);
  if (x.shape[1] !== cols) {
    throw new Error(`${who}: expected input width ${cols}, got shape [${x.shape.join(', ')}]`);
  }
}
