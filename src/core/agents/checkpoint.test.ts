import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { initBackend } from './backend.ts';
import { fromFiles, loadCheckpoint, readCheckpointMeta, saveCheckpoint, toFiles } from './checkpoint.ts';
import { makeActorCritic, serializableConfig, type ActorCriticConfig } from './nets/actorCritic.ts';

const layout = { window: 5, nAssets: 2, nFeatures: 3, perAssetExtras: 1, globalExtras: 1 };
const cfg: ActorCriticConfig = {
  obsSpace: { shape: [5 * 2 * 3 + 3] },
  actionSpace: { kind: 'multi-discrete', nvec: [3, 3] },
  encoder: 'timecnn',
  layout,
  dModel: 8,
  seed: 11,
};

function bits(ws: Float32Array[]): number[][] {
  return ws.map((w) => Array.from(new Uint32Array(w.buffer, w.byteOffset, w.length)));
}

async function train(
  ac: ReturnType<typeof makeActorCritic>,
  opt: tf.Optimizer,
  steps: number,
): Promise<void> {
  const obs = tf.randomNormal([4, 33], 0, 1, 'float32', 7) as tf.Tensor2D;
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        const o = ac.forward(obs);
        return tf.add(tf.mean(tf.square(tf.sub(o.value, 1))), tf.mean(o.logits!)) as tf.Scalar;
      }, ac.variables());
      opt.applyGradients(grads);
    });
  }
  obs.dispose();
}

describe('checkpoint', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('round-trips weights bit-identically through model.json + weights.bin, with meta and Rng state', async () => {
    const ac = makeActorCritic(cfg);
    const opt = tf.train.adam(1e-2);
    await train(ac, opt, 3);
    const rng = new Rng(5);
    rng.normal();
    const artifacts = await saveCheckpoint(
      ac,
      {
        netConfig: serializableConfig(cfg),
        algo: 'a2c',
        optimizerStep: 3,
        globalStep: 150,
        rngState: rng.getState(),
        backend: tf.getBackend(),
      },
      opt,
    );
    const { json, weights } = toFiles(artifacts);
    expect(JSON.parse(json).weightsManifest[0].paths).toEqual(['weights.bin']);

    const back = fromFiles(json, weights);
    const meta = readCheckpointMeta(back);
    expect(meta.optimizerStep).toBe(3);
    expect(meta.globalStep).toBe(150);
    const restoredRng = Rng.fromState(meta.rngState!);
    expect(restoredRng.normal()).toBe(rng.normal());

    const fresh = makeActorCritic({ ...(meta.netConfig as ActorCriticConfig), seed: 999 });
    expect(bits(fresh.getWeights())).not.toEqual(bits(ac.getWeights()));
    const opt2 = tf.train.adam(1e-2);
    await loadCheckpoint(back, fresh, opt2);
    expect(bits(fresh.getWeights())).toEqual(bits(ac.getWeights()));

    // Resuming: the next updates match the uninterrupted run exactly (optimizer moments restored).
    await train(ac, opt, 2);
    await train(fresh, opt2, 2);
    expect(bits(fresh.getWeights())).toEqual(bits(ac.getWeights()));
    [ac, fresh].forEach((n) => n.dispose());
    opt.dispose();
    opt2.dispose();
  });

  it('loading into a different network fails with a clear message', async () => {
    const ac = makeActorCritic(cfg);
    const artifacts = await saveCheckpoint(ac, { netConfig: serializableConfig(cfg) });
    const other = makeActorCritic({ ...cfg, dModel: 4 });
    await expect(loadCheckpoint(artifacts, other)).rejects.toThrow(
      /checkpoint shapes differ: encoder\/conv0\/filter: checkpoint \[3, 3, 8\] vs net \[3, 3, 4\]/,
    );
    const mlp = makeActorCritic({ ...cfg, encoder: 'mlp' });
    await expect(loadCheckpoint(artifacts, mlp)).rejects.toThrow(
      /does not fit this network: missing \[actor_encoder/,
    );
    await expect(loadCheckpoint(artifacts, ac, tf.train.adam(1e-3))).rejects.toThrow(/no optimizer state/);
    const { json, weights } = toFiles(artifacts);
    expect(() => fromFiles(json, weights.slice(0, 10))).toThrow(
      /weights.bin has 10 bytes, model.json describes/,
    );
    expect(() => fromFiles('{oops', weights)).toThrow(/model.json is not valid JSON/);
    expect(() =>
      fromFiles(JSON.stringify({ modelTopology: { format: 'x' }, weightsManifest: [] }), new Uint8Array(0)),
    ).toThrow(/not a lab checkpoint/);
    [ac, other, mlp].forEach((n) => n.dispose());
  });

  it('saving and restoring into an optimizer that has stepped leave tf.memory() flat', async () => {
    await initBackend('wasm');
    const a = makeActorCritic(cfg);
    const b = makeActorCritic(cfg);
    const optA = tf.train.adam(1e-3);
    const optB = tf.train.adam(1e-3);
    await train(a, optA, 2);
    await train(b, optB, 2);
    const n0 = tf.memory().numTensors;
    const ckpt = await saveCheckpoint(a, { netConfig: serializableConfig(cfg) }, optA);
    expect(tf.memory().numTensors).toBe(n0);
    await loadCheckpoint(ckpt, b, optB);
    expect(tf.memory().numTensors).toBe(n0);
    for (const x of [a, b, optA, optB]) x.dispose();
  });
});
