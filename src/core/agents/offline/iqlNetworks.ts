/**
 * IQL's networks (iql.ts, iqlResidual.ts): the actor (logits, Gaussian mean or residual δ; a
 * state-independent log-std for the Gaussian), twin Q networks with Polyak-averaged target copies,
 * and V — one Module, so checkpoint.ts saves them under stable names.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../rng.ts';
import type { Space } from '../../envs/types.ts';
import { MLP } from '../nets/mlp.ts';
import type { ActivationName } from '../nets/dense.ts';
import {
  countParams,
  getWeights as readModuleWeights,
  setWeights as assignModuleWeights,
  type Module,
  type NamedVariable,
} from '../nets/module.ts';

interface NetSizes {
  hidden: number[];
  activation: ActivationName;
}

/** Q(s, a): a table head Q(s, ·) for Discrete, else an MLP on [obs | action encoding]. */
export class QNetwork {
  readonly mlp: MLP;
  constructor(
    readonly table: boolean,
    obsDim: number,
    encWidth: number,
    { hidden, activation }: NetSizes,
    seed: number,
  ) {
    const inputSize = table ? obsDim : obsDim + encWidth;
    const outputSize = table ? encWidth : 1;
    this.mlp = new MLP({
      inputSize,
      hidden,
      outputSize,
      activation,
      init: 'orthogonal',
      outputGain: 1,
      seed,
      skipInputGrad: true,
    });
  }

  /** [B] Q values of the encoded actions. */
  apply(obs: tf.Tensor2D, enc: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      if (this.table) return tf.sum(tf.mul(this.mlp.apply(obs), enc), 1) as tf.Tensor1D;
      return tf.reshape(this.mlp.apply(tf.concat([obs, enc], 1)), [-1]) as tf.Tensor1D;
    });
  }
}

/** All of IQL's networks; a Module so checkpoint.ts saves them under stable names. */
export class IqlNetworks implements Module {
  readonly actor: MLP;
  /** Gaussian actor's state-independent log-std [D] (Box only). */
  readonly logStd: tf.Variable | null;
  readonly q1: QNetwork;
  readonly q2: QNetwork;
  readonly q1Target: QNetwork;
  readonly q2Target: QNetwork;
  readonly value: MLP;

  constructor(
    obsDim: number,
    config: NetSizes & { seed: number },
    encWidth: number,
    kind: Space['kind'],
    actor: { gain: number; logStd: boolean },
  ) {
    const root = new Rng(config.seed).fork('iql/init');
    const { hidden, activation } = config;
    const mlp = (outputSize: number, outputGain: number) =>
      new MLP({
        inputSize: obsDim,
        hidden,
        outputSize,
        activation,
        init: 'orthogonal',
        outputGain,
        seed: root.nextUint32(),
        skipInputGrad: true,
      });
    this.actor = mlp(encWidth, actor.gain);
    this.logStd = actor.logStd ? tf.tidy(() => tf.variable(tf.zeros([encWidth]), true)) : null;
    const table = kind === 'discrete';
    const s1 = root.nextUint32();
    const s2 = root.nextUint32();
    this.q1 = new QNetwork(table, obsDim, encWidth, config, s1);
    this.q2 = new QNetwork(table, obsDim, encWidth, config, s2);
    // Targets start as copies (same seeds → same initial weights), and are never trained directly.
    this.q1Target = new QNetwork(table, obsDim, encWidth, config, s1);
    this.q2Target = new QNetwork(table, obsDim, encWidth, config, s2);
    this.value = mlp(1, 1);
  }

  actorVariables(): tf.Variable[] {
    return this.logStd ? [...this.actor.variables(), this.logStd] : this.actor.variables();
  }

  criticVariables(): tf.Variable[] {
    return [...this.q1.mlp.variables(), ...this.q2.mlp.variables()];
  }

  /** target ← (1 − τ)·target + τ·online. */
  polyak(tau: number): void {
    tf.tidy(() => {
      for (const [target, online] of [
        [this.q1Target, this.q1],
        [this.q2Target, this.q2],
      ] as const) {
        const t = target.mlp.variables();
        const o = online.mlp.variables();
        for (let i = 0; i < t.length; i++) t[i].assign(tf.add(tf.mul(1 - tau, t[i]), tf.mul(tau, o[i])));
      }
    });
  }

  variables(): tf.Variable[] {
    return this.namedVariables().map((n) => n.variable);
  }

  namedVariables(): NamedVariable[] {
    const pre = (p: string, vs: NamedVariable[]) =>
      vs.map((v) => ({ name: `${p}/${v.name}`, variable: v.variable }));
    return [
      ...pre('actor', this.actor.namedVariables()),
      ...(this.logStd ? [{ name: 'actor/log_std', variable: this.logStd }] : []),
      ...pre('q1', this.q1.mlp.namedVariables()),
      ...pre('q2', this.q2.mlp.namedVariables()),
      ...pre('q1_target', this.q1Target.mlp.namedVariables()),
      ...pre('q2_target', this.q2Target.mlp.namedVariables()),
      ...pre('value', this.value.namedVariables()),
    ];
  }

  get paramCount(): number {
    return countParams(this.variables());
  }

  getWeights(): Float32Array[] {
    return readModuleWeights(this);
  }

  setWeights(weights: Float32Array[]): void {
    assignModuleWeights(this, weights);
  }

  dispose(): void {
    this.actor.dispose();
    this.logStd?.dispose();
    for (const q of [this.q1, this.q2, this.q1Target, this.q2Target]) q.mlp.dispose();
    this.value.dispose();
  }
}
