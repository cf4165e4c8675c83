/**
 * A policy over (action, strength) pairs for PPO: a categorical HOLD/BUY/SELL times, when the
 * action trades, a Gaussian over the strength's logit u (strength = sigmoid(u)). Seed 004's
 * behaviour-cloned policy has exactly this output (3 action logits + 1 strength logit from a
 * 34 → 128 → 128 ReLU trunk), so the actor here is that network and BC's weights load into it
 * one to one (warmStartFromBc):
 *
 *   π(a, u | s) = Cat(a; softmax(l(s))) · [a ≠ HOLD] N(u; z(s), σ²)       (l, z: BC's heads)
 *   deterministic: a = argmax l(s), strength = sigmoid(z(s))            (= BC's greedy act)
 *
 * Why a Gaussian on the logit and not strength bins: BC's strength head is one sigmoid output,
 * so its mean initialises from BC exactly (bins would need a re-fit); the logit keeps samples in
 * (0, 1) with no probability mass piled on clipped bounds. HOLD ignores the strength, so u is
 * not sampled there and its density does not enter log π (the env never sees it); the entropy is
 * the distribution's own, H(a) + P(a ≠ HOLD)·H(N). σ is one free parameter (log σ, CleanRL's
 * state-independent std), initialised by the caller.
 *
 * The net is the lab's actor-critic (nets/actorCritic.ts) with a Box(4) output and 'parameter'
 * log-std: its actor MLP (encoder 34→128→128, head 128→4) has BC's shape, its 'mean' holds
 * [logits | z]; only the 4th log-std entry is used. The critic is its own MLP (fresh init).
 * Buffer actions are [a, u] floats; the env gets [a, sigmoid(u)] (envActions).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../rng.ts';
import type { ActorCritic } from '../nets/actorCritic.ts';
import { makeActorCritic } from '../nets/actorCritic.ts';
import type { LogProbEntropy } from './distributions.ts';
import { Policy, type ActOutput, type ActTimings } from './policy.ts';

export const HYBRID_CLASSES = 3;
/** Index of the action that ignores the strength (HOLD). */
export const HYBRID_HOLD = 0;
const OUT = HYBRID_CLASSES + 1;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export interface HybridNetConfig {
  obsSize: number;
  hidden: number[];
  activation: 'relu' | 'tanh';
  /** Initial log σ of the strength logit. */
  logStdInit: number;
  seed: number;
}

/** The actor-critic a HybridPolicy runs on (see the module comment). */
export function makeHybridNet(c: HybridNetConfig): ActorCritic {
  return makeActorCritic({
    obsSpace: { shape: [c.obsSize] },
    actionSpace: { kind: 'box', shape: [OUT] },
    encoder: 'mlp',
    hidden: [...c.hidden],
    activation: c.activation,
    squash: 'none',
    logStdMode: 'parameter',
    logStdInit: c.logStdInit,
    seed: c.seed,
  });
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export class HybridPolicy extends Policy {
  constructor(net: ActorCritic) {
    if (net.policyKind !== 'gaussian' || net.actionDim !== OUT)
      throw new Error(
        `HybridPolicy: the net must output ${OUT} values (3 action logits + 1 strength logit), got ${net.policyKind} × ${net.actionDim}`,
      );
    const low = Float32Array.of(0, 0);
    const high = Float32Array.of(HYBRID_CLASSES - 1, 1);
    // Packed forward row: mean (4), log σ (4), value.
    super(net, { kind: 'gaussian', dim: 2, low, high }, { piSize: 2, actionSize: 2, rowSize: 2 * OUT + 1 });
  }

  override async act(
    obs: Float32Array,
    rows: number,
    _masks: Uint8Array | null,
    rng: Rng,
    deterministic: boolean,
    out: ActOutput,
    timings?: ActTimings,
  ): Promise<void> {
    const data = await this.forward(obs, rows, timings);
    const t0 = performance.now();
    const S = 2 * OUT + 1;
    const p = new Float64Array(HYBRID_CLASSES);
    const actions = out.actions as Float32Array;
    for (let r = 0; r < rows; r++) {
      const o = r * S;
      let max = -Infinity;
      let arg = 0;
      for (let c = 0; c < HYBRID_CLASSES; c++)
        if (data[o + c] > max) {
          max = data[o + c];
          arg = c;
        }
      let sum = 0;
      for (let c = 0; c < HYBRID_CLASSES; c++) sum += p[c] = Math.exp(data[o + c] - max);
      const a = deterministic ? arg : rng.categorical(p);
      const z = data[o + HYBRID_CLASSES];
      const logStd = data[o + OUT + HYBRID_CLASSES];
      let logp = data[o + a] - max - Math.log(sum);
      let u = z;
      if (a !== HYBRID_HOLD) {
        if (!deterministic) u = z + Math.exp(logStd) * rng.normal();
        const e = (u - z) / Math.exp(logStd);
        logp += -0.5 * e * e - logStd - HALF_LOG_2PI;
      }
      actions[r * 2] = a;
      actions[r * 2 + 1] = u;
      out.logprobs[r] = logp;
      out.values[r] = data[o + S - 1];
    }
    if (timings) timings.sampleMs += performance.now() - t0;
  }

  /** [a, u] → [a, sigmoid(u)]: the env's (action, strength). */
  override envActions(actions: Int32Array | Float32Array, out: Float32Array): Float32Array {
    for (let i = 0; i < actions.length; i += 2) {
      out[i] = actions[i];
      out[i + 1] = sigmoid(actions[i + 1]);
    }
    return out;
  }

  /** log π(a, u | s), the entropy and V(s) for stored [a, u] rows (see the module comment). */
  override evaluateActions(obs: tf.Tensor2D, actions: tf.Tensor2D): LogProbEntropy & { value: tf.Tensor1D } {
    return tf.tidy(() => {
      const o = this.net.forward(obs);
      const B = obs.shape[0];
      const logits = tf.slice(o.mean!, [0, 0], [B, HYBRID_CLASSES]);
      const z = tf.reshape(tf.slice(o.mean!, [0, HYBRID_CLASSES], [B, 1]), [B]);
      const logStd = tf.reshape(tf.slice(o.logStd!, [0, HYBRID_CLASSES], [B, 1]), [B]);
      const a = tf.cast(tf.reshape(tf.slice(actions, [0, 0], [B, 1]), [B]), 'int32') as tf.Tensor1D;
      const u = tf.reshape(tf.slice(actions, [0, 1], [B, 1]), [B]);
      const logp = tf.logSoftmax(logits);
      const oneHot = tf.oneHot(a, HYBRID_CLASSES).toFloat();
      const trades = tf.sub(1, tf.reshape(tf.slice(oneHot, [0, HYBRID_HOLD], [B, 1]), [B]));
      const e = tf.div(tf.sub(u, z), tf.exp(logStd));
      const logN = tf.sub(tf.sub(tf.mul(-0.5, tf.square(e)), logStd), HALF_LOG_2PI);
      const logProb = tf.add(tf.sum(tf.mul(oneHot, logp), 1), tf.mul(trades, logN)) as tf.Tensor1D;
      const probs = tf.exp(logp);
      const hCat = tf.neg(tf.sum(tf.mul(probs, logp), 1));
      const pTrade = tf.sub(1, tf.reshape(tf.slice(probs, [0, HYBRID_HOLD], [B, 1]), [B]));
      const entropy = tf.add(hCat, tf.mul(pTrade, tf.add(logStd, 0.5 + HALF_LOG_2PI))) as tf.Tensor1D;
      return { logProb, entropy, value: o.value };
    });
  }
}

/**
 * Copies a behaviour-cloned MLP's weights ([W, b] per layer: trunk layers then the [logits | z]
 * output layer, BcNetwork.mlp.getWeights()) into the actor of a hybrid net, shape by shape.
 * Throws when the architectures differ: a warm start that silently loads nothing is the failure
 * this guards against.
 */
export function warmStartFromBc(net: ActorCritic, bcWeights: readonly Float32Array[]): void {
  const vars = net.actorVariables();
  // The actor's variables: trunk and head [W, b] pairs, then the log-std parameter (kept).
  const layerVars = vars.slice(0, vars.length - 1);
  if (layerVars.length !== bcWeights.length)
    throw new Error(
      `warmStartFromBc: the actor has ${layerVars.length} weight tensors, the BC network ${bcWeights.length}`,
    );
  layerVars.forEach((v, i) => {
    const size = v.shape.reduce((x, y) => x * y, 1);
    if (size !== bcWeights[i].length)
      throw new Error(
        `warmStartFromBc: tensor ${i} of the actor has shape [${v.shape.join(', ')}] (${size} values), BC's has ${bcWeights[i].length}`,
      );
  });
  tf.tidy(() => layerVars.forEach((v, i) => v.assign(tf.tensor(bcWeights[i], v.shape))));
}
