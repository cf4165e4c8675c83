/**
 * `lab bench nets`: network speed on the tfjs backends available in Node (wasm, cpu).
 *
 * - mlp_*: the micro-benchmark, a 1024→128→128→48 ReLU MLP train step (batch 64, MSE, Adam),
 *   with tf's autodiff (what tfjs-layers does), the custom-gradient dense, and the custom dense that
 *   also skips the first layer's input gradient; on wasm also where the time goes (forward,
 *   gradients, optimizer).
 * - fwd_*: per-call cost of one batched forward pass + readback (what a rollout step pays), for the
 *   CleanRL CartPole actor-critic and the QTMRL TimeCNN actor-critic, batch 1 / 16 / 64.
 * - timecnn_a2c_*: one A2C update of the QTMRL network (50 states × 16 assets, W 20, F 30, D 64:
 *   forward, log-prob/entropy/value loss, backward, global-norm clip 1.0, Adam) for the three conv
 *   implementations: autodiff unfold, custom-dense unfold, custom-gradient conv (the default); and
 *   the Transformer encoder option for comparison.
 * Figures are medians over repetitions (ms or per second); `*_min_ms` are the fastest repetition,
 * the better estimate when the machine is shared.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendPref } from '../../core/agents/backend.ts';
import { makeActorCritic, type ActorCriticConfig } from '../../core/agents/nets/actorCritic.ts';
import { MLP } from '../../core/agents/nets/mlp.ts';

interface Timing {
  median: number;
  min: number;
}

/** Runs fn until both `reps` repetitions and `budgetMs` have passed (after `warmup` untimed runs). */
function timeIt(fn: () => void, reps: number, budgetMs: number, warmup = 2): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < reps || (performance.now() - start < budgetMs && times.length < reps * 20)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
    if (performance.now() - start > budgetMs * 4 && times.length >= 3) break;
  }
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1], min: times[0] };
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

function mlpBench(backend: string, out: Record<string, number>): void {
  const heavy = backend === 'cpu';
  const x = tf.randomNormal([64, 1024], 0, 1, 'float32', 1) as tf.Tensor2D;
  const y = tf.randomNormal([64, 48], 0, 1, 'float32', 2) as tf.Tensor2D;
  const variants = [
    ['autodiff', { gradMode: 'autodiff' as const }],
    ['custom', {}],
    ['custom_skip', { skipInputGrad: true }],
  ] as const;
  for (const [label, extra] of variants) {
    const net = new MLP({
      inputSize: 1024,
      hidden: [128, 128],
      outputSize: 48,
      activation: 'relu',
      seed: 1,
      ...extra,
    });
    const adam = tf.train.adam(1e-3);
    const sgd = tf.train.sgd(1e-3);
    const loss = () => tf.losses.meanSquaredError(y, net.apply(x)) as tf.Scalar;
    // Each timed call ends with a readback so asynchronous backends are timed honestly.
    const step = (opt: tf.Optimizer) => () => {
      const l = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(loss, net.variables());
        opt.applyGradients(grads);
        return value;
      });
      l.dataSync();
      l.dispose();
    };
    const reps = heavy ? 3 : 20;
    const budget = heavy ? 1500 : 1500;
    const t = timeIt(step(adam), reps, budget);
    out[`mlp_${backend}_${label}_steps_per_s`] = round(1000 / t.median, 1);
    out[`mlp_${backend}_${label}_step_min_ms`] = round(t.min);
    if (backend === 'wasm' && label !== 'autodiff') {
      const fwd = timeIt(() => tf.tidy(() => void loss().dataSync()), reps, 500);
      const grads = timeIt(
        () =>
          tf.tidy(() => {
            const { value, grads: g } = tf.variableGrads(loss, net.variables());
            value.dataSync();
            // Read one gradient so the backward pass is done (no-op cost on synchronous wasm).
            g[Object.keys(g)[0]].dataSync();
          }),
        reps,
        800,
      );
      const sgdStep = timeIt(step(sgd), reps, 800);
      out[`mlp_wasm_${label}_forward_ms`] = round(fwd.median);
      out[`mlp_wasm_${label}_forward_backward_ms`] = round(grads.median);
      out[`mlp_wasm_${label}_adam_ms`] = round(Math.max(0, t.median - grads.median));
      out[`mlp_wasm_${label}_sgd_step_ms`] = round(sgdStep.median);
    }
    net.dispose();
    adam.dispose();
    sgd.dispose();
  }
  tf.dispose([x, y]);
}

const QTMRL_LAYOUT = { window: 20, nAssets: 16, nFeatures: 30, perAssetExtras: 1, globalExtras: 1 };
const QTMRL_OBS = 20 * 16 * 30 + 16 + 1;

function qtmrlConfig(extra: Partial<ActorCriticConfig> = {}): ActorCriticConfig {
  return {
    obsSpace: { shape: [QTMRL_OBS] },
    actionSpace: { kind: 'multi-discrete', nvec: new Array<number>(16).fill(3) },
    encoder: 'timecnn',
    layout: QTMRL_LAYOUT,
    dModel: 64,
    seed: 1,
    ...extra,
  };
}

function forwardBench(backend: string, out: Record<string, number>): void {
  const nets = {
    cartpole: makeActorCritic({ obsSpace: { shape: [4] }, actionSpace: { kind: 'discrete', n: 2 }, seed: 1 }),
    timecnn: makeActorCritic(qtmrlConfig()),
  };
  for (const [name, ac] of Object.entries(nets)) {
    for (const batch of [1, 16, 64]) {
      const obs = tf.randomNormal([batch, ac.obsSize], 0, 1, 'float32', batch) as tf.Tensor2D;
      const t = timeIt(
        () => {
          const o = tf.tidy(() => ac.forward(obs));
          o.logits!.dataSync();
          o.value.dataSync();
          tf.dispose([o.logits!, o.value]);
        },
        backend === 'cpu' && name === 'timecnn' ? 1 : 20,
        backend === 'cpu' && name === 'timecnn' ? 0 : 600,
        backend === 'cpu' && name === 'timecnn' ? 1 : 2,
      );
      out[`fwd_${backend}_${name}_b${batch}_ms`] = round(t.median, 3);
      out[`fwd_${backend}_${name}_b${batch}_per_sample_ms`] = round(t.median / batch, 4);
      obs.dispose();
    }
    ac.dispose();
  }
}

/** One A2C update: seed 003 §5 loss with summed per-head log-probs and entropies, clip 1.0, Adam. */
function a2cUpdate(
  ac: ReturnType<typeof makeActorCritic>,
  opt: tf.Optimizer,
  obs: tf.Tensor2D,
  actions: tf.Tensor2D,
  returns: tf.Tensor1D,
  advantages: tf.Tensor1D,
): number {
  const N = 16;
  const loss = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const o = ac.forward(obs);
      const logits = tf.reshape(o.logits!, [-1, N, 3]);
      const logp = tf.logSoftmax(logits);
      const actLogp = tf.sum(tf.mul(logp, actions.reshape([-1, N, 3])), [1, 2]);
      const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), [1, 2]));
      // Advantages come from the rollout's values (constants here), as in A2C.
      const policyLoss = tf.neg(tf.mean(tf.mul(actLogp, advantages)));
      const valueLoss = tf.mean(tf.square(tf.sub(o.value, returns)));
      return tf.sub(tf.add(policyLoss, valueLoss), tf.mul(0.05, tf.mean(entropy))) as tf.Scalar;
    }, ac.variables());
    const gs = Object.values(grads);
    const norm = tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g)))));
    const scale = tf.minimum(1, tf.div(1, tf.add(norm, 1e-6)));
    const clipped: tf.NamedTensorMap = {};
    for (const [k, g] of Object.entries(grads)) clipped[k] = tf.mul(g, scale);
    opt.applyGradients(clipped);
    return value;
  });
  const v = loss.dataSync()[0];
  loss.dispose();
  return v;
}

function a2cBench(backend: string, out: Record<string, number>): void {
  const B = 50;
  const obs = tf.randomNormal([B, QTMRL_OBS], 0, 1, 'float32', 3) as tf.Tensor2D;
  const actions = tf.tidy(() =>
    tf
      .oneHot(tf.randomUniformInt([B * 16], 0, 3, { seed: 4 } as never), 3)
      .reshape([B, 48])
      .toFloat(),
  ) as tf.Tensor2D;
  const returns = tf.randomNormal([B], 0, 0.01, 'float32', 5) as tf.Tensor1D;
  const advantages = tf.randomNormal([B], 0, 0.01, 'float32', 6) as tf.Tensor1D;
  const variants: [string, Partial<ActorCriticConfig>][] =
    backend === 'cpu'
      ? [['conv', {}]]
      : [
          ['autodiff_unfold', { gradMode: 'autodiff' }],
          ['custom_unfold', { convImpl: 'unfold' }],
          ['conv', {}],
        ];
  for (const [label, extra] of variants) {
    const ac = makeActorCritic(qtmrlConfig(extra));
    const opt = tf.train.adam(1e-5);
    const t =
      backend === 'cpu'
        ? timeIt(() => void a2cUpdate(ac, opt, obs, actions, returns, advantages), 1, 0, 1)
        : timeIt(() => void a2cUpdate(ac, opt, obs, actions, returns, advantages), 3, 3000, 1);
    out[`timecnn_a2c_${backend}_${label}_update_ms`] = round(t.median, 1);
    out[`timecnn_a2c_${backend}_${label}_update_min_ms`] = round(t.min, 1);
    if (label === 'conv') out.timecnn_params = ac.paramCount;
    ac.dispose();
    opt.dispose();
  }
  if (backend === 'wasm') {
    // The Transformer option (1 head, d 32): batched matMuls take a non-XNNPACK path on wasm.
    const tr = makeActorCritic(qtmrlConfig({ encoder: 'transformer', dModel: 32, nHeads: 1 }));
    const trOpt = tf.train.adam(1e-5);
    const tt = timeIt(() => void a2cUpdate(tr, trOpt, obs, actions, returns, advantages), 2, 2000, 1);
    out.transformer_a2c_wasm_d32_update_ms = round(tt.median, 1);
    out.transformer_a2c_wasm_d32_update_min_ms = round(tt.min, 1);
    tr.dispose();
    trOpt.dispose();
    // Where the default update's time goes: the forward share of it, and the arithmetic floor.
    const ac = makeActorCritic(qtmrlConfig());
    const fwd = timeIt(() => tf.tidy(() => void ac.forward(obs).value.dataSync()), 3, 1500, 1);
    out.timecnn_a2c_wasm_forward_ms = round(fwd.median, 1);
    out.timecnn_a2c_wasm_forward_min_ms = round(fwd.min, 1);
    ac.dispose();
    // Multiply-adds of the two convs per state (16 assets, W 20, F 30, k 3, D 64): the rest is small.
    const convFlops = 2 * 16 * (18 * 3 * 30 * 64 + 16 * 3 * 64 * 64);
    out.timecnn_conv_mflop_per_state_forward = round(convFlops / 1e6, 1);
    // Forward at act time + forward and backward (≈ 2× forward) in the update.
    out.timecnn_conv_mflop_per_env_step = round((4 * convFlops) / 1e6, 1);
  }
  tf.dispose([obs, actions, returns, advantages]);
}

export async function benchNets(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const backend of ['wasm', 'cpu'] as BackendPref[]) {
    const info = await initBackend(backend);
    if (info.backend !== backend) continue;
    if (backend === 'wasm') {
      out.wasm_simd = info.simd ? 1 : 0;
      out.wasm_threads = info.threads ? (info.threadsCount ?? 1) : 0;
    }
    const before = tf.memory().numTensors;
    mlpBench(backend, out);
    forwardBench(backend, out);
    a2cBench(backend, out);
    out[`${backend}_leaked_tensors`] = tf.memory().numTensors - before;
    // QTMRL A2C with one env: a batch-1 forward per env step plus 1/50 of an update (env time excluded).
    const fwd1 = out[`fwd_${backend}_timecnn_b1_ms`];
    const upd = out[`timecnn_a2c_${backend}_conv_update_ms`];
    if (fwd1 !== undefined && upd !== undefined)
      out[`qtmrl_a2c_1e6_steps_${backend}_nets_only_minutes`] = round(((fwd1 + upd / 50) * 1e6) / 60000, 1);
  }
  return out;
}
