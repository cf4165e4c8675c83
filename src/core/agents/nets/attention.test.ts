import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { SelfAttention } from './attention.ts';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b)))).dataSync()[0];
}

/** softmax(Q Kᵀ / √dh) V, per head, then the output projection: plain tf ops and tf's gradients. */
function reference(att: SelfAttention, x: tf.Tensor3D): tf.Tensor3D {
  const [B, S, D] = x.shape;
  const H = att.nHeads;
  const dh = D / H;
  const [wqkv, bqkv, wo, bo] = att.variables();
  const qkv = tf.add(tf.matMul(tf.reshape(x, [B * S, D]), wqkv), bqkv);
  const heads: tf.Tensor[] = [];
  for (let h = 0; h < H; h++) {
    const part = (i: number) => tf.reshape(tf.slice(qkv, [0, i * D + h * dh], [B * S, dh]), [B, S, dh]);
    const scores = tf.div(tf.matMul(part(0), part(1), false, true), Math.sqrt(dh));
    heads.push(tf.matMul(tf.softmax(scores, -1), part(2)));
  }
  const ctx = tf.reshape(H === 1 ? heads[0] : tf.concat(heads, 2), [B * S, D]);
  return tf.reshape(tf.add(tf.matMul(ctx, wo), bo), [B, S, D]) as tf.Tensor3D;
}

describe('SelfAttention on wasm', () => {
  beforeAll(async () => {
    expect((await initBackend('wasm')).backend).toBe('wasm');
  });

  // [3, 5]: a rollout step's size; [70, 16]: past the 1,024-row switch to three products (1 head).
  for (const [nHeads, B, S] of [
    [1, 3, 5],
    [1, 70, 16],
    [2, 3, 5],
  ]) {
    it(`${nHeads} head(s), [${B}, ${S}]: outputs and gradients equal the textbook formula`, () => {
      const att = new SelfAttention({ dModel: 8, nHeads, seed: 4 });
      tf.tidy(() => {
        const x = tf.randomNormal([B, S, 8], 0, 1, 'float32', 1) as tf.Tensor3D;
        const r = tf.randomNormal([B, S, 8], 0, 1, 'float32', 2);
        expect(maxAbsDiff(att.apply(x), reference(att, x))).toBeLessThan(1e-5);
        const vars = att.variables();
        const g1 = tf.variableGrads(() => tf.sum(tf.mul(att.apply(x), r)) as tf.Scalar, vars).grads;
        const g2 = tf.variableGrads(() => tf.sum(tf.mul(reference(att, x), r)) as tf.Scalar, vars).grads;
        for (const v of vars) {
          // Relative to the gradient's size: weight gradients sum over all B·S rows.
          const scale = tf.max(tf.abs(g2[v.name])).dataSync()[0];
          expect(scale).toBeGreaterThan(1e-4);
          expect(maxAbsDiff(g1[v.name], g2[v.name]) / Math.max(1, scale)).toBeLessThan(1e-5);
        }
      });
      att.dispose();
    });
  }
});
