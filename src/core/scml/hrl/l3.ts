/**
 * LitaAgent-HRL, layers L3 and L4 (seed 001 §1, §4.2), pure TypeScript (no tfjs): the thread
 * tokens, the networks' parameter layout and forward passes, and the controller the agent calls
 * once per half-step. The learner (core/agents/scmlL3.ts) trains the same parameters with tfjs and
 * hands them back as Float32Arrays; acting here is plain arithmetic, so tournaments stay fast.
 *
 * One token per thread the agent answers this half-step (L3_FEATURES: side, time, the L2 goal and
 * what is left of it, L1's baseline offer, the standing offer and the partner's previous one).
 *   L4: e_k = tanh(W_e x_k + b_e); one self-attention head h_k = e_k + Σ_j softmax_j(q_k·k_j/√E) v_j;
 *       logit z_k = w_z·h_k + b_z; action u ~ N(z, σ₄); α_k = n · softmax(u)_k (mean 1 over threads).
 *   L3: μ_k = tanh(MLP([x_k, α_k])) ∈ [−1, 1]³; action a ~ N(μ, σ₃), clipped to [−1, 1];
 *       residual r_k = α_k · a_k · RESIDUAL_SCALE (Δq in n_lines, Δp and the accept threshold in
 *       range goodness). α scales each thread's aggressiveness; L1's mask clips the result.
 *   Centralised critic (CTDE): V = MLP([mean_k c_k, max_k c_k, l2 features]), c_k = tanh(W_c x_k + b_c).
 */
import { Rng } from '../../rng.ts';

export const L3_FEATURES = 14;
/** L3's action: Δq, Δp, Δaccept. */
export const L3_ACT = 3;
/** Residual reach at α = 1: quantity in n_lines, price and accept threshold in range goodness. */
export const RESIDUAL_SCALE = [0.5, 0.3, 0.2] as const;
export const L3_HIDDEN = 32;
export const L4_EMBED = 16;
export const CRITIC_HIDDEN = 32;
/** The critic's macro input: agent.ts's L2_FEATURES (not imported: agent.ts imports this file). */
export const GLOBAL_FEATURES = 16;
const LOG_2PI = Math.log(2 * Math.PI);

export type MicroParams = Record<string, Float32Array>;

/** Every parameter by name and shape, in a fixed order (checkpoints and the tfjs learner use it). */
export const MICRO_SHAPES: readonly (readonly [string, readonly number[]])[] = [
  ['l3/w0', [L3_FEATURES + 1, L3_HIDDEN]],
  ['l3/b0', [L3_HIDDEN]],
  ['l3/w1', [L3_HIDDEN, L3_HIDDEN]],
  ['l3/b1', [L3_HIDDEN]],
  ['l3/w2', [L3_HIDDEN, L3_ACT]],
  ['l3/b2', [L3_ACT]],
  ['l3/logStd', [L3_ACT]],
  ['l4/we', [L3_FEATURES, L4_EMBED]],
  ['l4/be', [L4_EMBED]],
  ['l4/wq', [L4_EMBED, L4_EMBED]],
  ['l4/wk', [L4_EMBED, L4_EMBED]],
  ['l4/wv', [L4_EMBED, L4_EMBED]],
  ['l4/wz', [L4_EMBED, 1]],
  ['l4/bz', [1]],
  ['l4/logStd', [1]],
  ['critic/wc', [L3_FEATURES, CRITIC_HIDDEN]],
  ['critic/bc', [CRITIC_HIDDEN]],
  ['critic/w1', [2 * CRITIC_HIDDEN + GLOBAL_FEATURES, CRITIC_HIDDEN]],
  ['critic/b1', [CRITIC_HIDDEN]],
  ['critic/w2', [CRITIC_HIDDEN, 1]],
  ['critic/b2', [1]],
];

/**
 * Glorot-uniform weights, zero biases; L3's output layer ×0.01 and L4's logit layer 0, so a fresh
 * net adds no residual and α = 1 everywhere (the agent starts as L1 + L2); log σ = −1 for both.
 */
export function initMicroParams(seed: number): MicroParams {
  const rng = new Rng(seed).fork('micro-init');
  const p: MicroParams = {};
  for (const [name, shape] of MICRO_SHAPES) {
    const size = shape.reduce((a, b) => a * b, 1);
    const a = new Float32Array(size);
    if (name.endsWith('logStd')) a.fill(-1);
    else if (shape.length === 2 && name !== 'l4/wz') {
      const lim = Math.sqrt(6 / (shape[0] + shape[1])) * (name === 'l3/w2' ? 0.01 : 1);
      for (let i = 0; i < size; i++) a[i] = rng.uniform(-lim, lim);
    }
    p[name] = a;
  }
  return p;
}

export function cloneParams(p: MicroParams): MicroParams {
  const out: MicroParams = {};
  for (const [name] of MICRO_SHAPES) out[name] = Float32Array.from(p[name]);
  return out;
}

/** y[n×out] = act(x[n×in] · W + b). */
function dense(
  x: Float32Array,
  n: number,
  W: Float32Array,
  b: Float32Array,
  nIn: number,
  tanh: boolean,
): Float32Array {
  const nOut = b.length;
  const y = new Float32Array(n * nOut);
  for (let r = 0; r < n; r++)
    for (let o = 0; o < nOut; o++) {
      let s = b[o];
      for (let i = 0; i < nIn; i++) s += x[r * nIn + i] * W[i * nOut + o];
      y[r * nOut + o] = tanh ? Math.tanh(s) : s;
    }
  return y;
}

/** L3's mean action μ[n×3] from inputs x3[n×(F+1)] (token, α). */
export function l3Mean(p: MicroParams, x3: Float32Array, n: number): Float32Array {
  const h0 = dense(x3, n, p['l3/w0'], p['l3/b0'], L3_FEATURES + 1, true);
  const h1 = dense(h0, n, p['l3/w1'], p['l3/b1'], L3_HIDDEN, true);
  return dense(h1, n, p['l3/w2'], p['l3/b2'], L3_HIDDEN, true);
}

/** L4's attention logits z[n] over the tokens x[n×F]; `attn` (n×n) receives the attention weights. */
export function l4Logits(p: MicroParams, x: Float32Array, n: number, attn?: Float32Array): Float32Array {
  const E = L4_EMBED;
  const e = dense(x, n, p['l4/we'], p['l4/be'], L3_FEATURES, true);
  const zero = new Float32Array(E);
  const q = dense(e, n, p['l4/wq'], zero, E, false);
  const k = dense(e, n, p['l4/wk'], zero, E, false);
  const v = dense(e, n, p['l4/wv'], zero, E, false);
  const z = new Float32Array(n);
  const row = new Float64Array(n);
  const scale = 1 / Math.sqrt(E);
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let d = 0; d < E; d++) s += q[i * E + d] * k[j * E + d];
      row[j] = s * scale;
      mx = Math.max(mx, row[j]);
    }
    let sum = 0;
    for (let j = 0; j < n; j++) sum += row[j] = Math.exp(row[j] - mx);
    let out = p['l4/bz'][0];
    for (let d = 0; d < E; d++) {
      let h = e[i * E + d];
      for (let j = 0; j < n; j++) h += (row[j] / sum) * v[j * E + d];
      out += h * p['l4/wz'][d];
    }
    z[i] = out;
    if (attn) for (let j = 0; j < n; j++) attn[i * n + j] = row[j] / sum;
  }
  return z;
}

/** α_k = n · softmax(u)_k: weights that average 1 over the half-step's threads. */
export function alphaOf(u: ArrayLike<number>, n: number, out = new Float32Array(n)): Float32Array {
  let mx = -Infinity;
  for (let i = 0; i < n; i++) mx = Math.max(mx, u[i]);
  let s = 0;
  for (let i = 0; i < n; i++) s += out[i] = Math.exp(u[i] - mx);
  for (let i = 0; i < n; i++) out[i] = (n * out[i]) / s;
  return out;
}

/** The centralised value of a half-step from all its tokens and the day's macro features. */
export function criticValue(p: MicroParams, x: Float32Array, n: number, global: Float32Array): number {
  const C = CRITIC_HIDDEN;
  const c = dense(x, n, p['critic/wc'], p['critic/bc'], L3_FEATURES, true);
  const inp = new Float32Array(2 * C + GLOBAL_FEATURES);
  for (let d = 0; d < C; d++) {
    let s = 0;
    let m = -Infinity;
    for (let i = 0; i < n; i++) {
      s += c[i * C + d];
      m = Math.max(m, c[i * C + d]);
    }
    inp[d] = n > 0 ? s / n : 0;
    inp[C + d] = n > 0 ? m : 0;
  }
  inp.set(global, 2 * C);
  const h = dense(inp, 1, p['critic/w1'], p['critic/b1'], inp.length, true);
  return dense(h, 1, p['critic/w2'], p['critic/b2'], C, false)[0];
}

/** Σ log N(a | μ, e^logStd) over `dims` consecutive components. */
export function gaussLogp(
  a: ArrayLike<number>,
  mu: ArrayLike<number>,
  logStd: ArrayLike<number>,
  off: number,
  dims: number,
): number {
  let s = 0;
  for (let d = 0; d < dims; d++) {
    const z = (a[off + d] - mu[off + d]) / Math.exp(logStd[d]);
    s += -0.5 * z * z - logStd[d] - 0.5 * LOG_2PI;
  }
  return s;
}

/** One recorded half-step of the learning agent (MAPPO: the threads are the agents). */
export interface MicroStep {
  n: number;
  /** [n×F] tokens, [n] α (L3's extra input), [n×3] L3 actions, [n] L4 actions. */
  tokens: Float32Array;
  alpha: Float32Array;
  a3: Float32Array;
  u4: Float32Array;
  /** [n] L3 log-probs per thread; L4's joint log-prob. */
  logp3: Float32Array;
  logp4: number;
  value: number;
  global: Float32Array;
  reward: number;
  /** Last half-step of the learner's day (the episode of L3/L4). */
  done: boolean;
}

/**
 * What the agent asks each half-step: residuals [n×3] (already × α and the scales) for tokens
 * [n×F]. Deterministic (μ, z) unless `rng` is set (training: sampled, and recorded in `steps`).
 */
export class MicroController {
  useL3 = true;
  useL4 = true;
  rng: Rng | null = null;
  steps: MicroStep[] | null = null;
  readonly lastAlpha = new Float32Array(64);

  constructor(public params: MicroParams) {}

  decide(tokens: Float32Array, n: number, global: Float32Array, out: Float32Array): void {
    out.fill(0, 0, n * L3_ACT);
    if (n === 0 || !this.useL3) return;
    const p = this.params;
    const rng = this.rng;
    const z = this.useL4 ? l4Logits(p, tokens, n) : new Float32Array(n);
    const u = new Float32Array(n);
    const s4 = Math.exp(p['l4/logStd'][0]);
    for (let i = 0; i < n; i++) u[i] = rng && this.useL4 ? z[i] + s4 * rng.normal() : z[i];
    const alpha = this.useL4 ? alphaOf(u, n) : new Float32Array(n).fill(1);
    const x3 = new Float32Array(n * (L3_FEATURES + 1));
    for (let i = 0; i < n; i++) {
      x3.set(tokens.subarray(i * L3_FEATURES, (i + 1) * L3_FEATURES), i * (L3_FEATURES + 1));
      x3[i * (L3_FEATURES + 1) + L3_FEATURES] = alpha[i];
    }
    const mu = l3Mean(p, x3, n);
    const ls = p['l3/logStd'];
    const a = new Float32Array(n * L3_ACT);
    for (let i = 0; i < n * L3_ACT; i++) a[i] = rng ? mu[i] + Math.exp(ls[i % L3_ACT]) * rng.normal() : mu[i];
    for (let i = 0; i < n; i++) {
      if (i < this.lastAlpha.length) this.lastAlpha[i] = alpha[i];
      for (let d = 0; d < L3_ACT; d++) {
        const c = Math.max(-1, Math.min(1, a[i * L3_ACT + d]));
        out[i * L3_ACT + d] = alpha[i] * c * RESIDUAL_SCALE[d];
      }
    }
    if (this.steps) {
      const logp3 = new Float32Array(n);
      for (let i = 0; i < n; i++) logp3[i] = gaussLogp(a, mu, ls, i * L3_ACT, L3_ACT);
      let logp4 = 0;
      for (let i = 0; i < n; i++) logp4 += gaussLogp(u, z, p['l4/logStd'], i, 1);
      this.steps.push({
        n,
        tokens: Float32Array.from(tokens.subarray(0, n * L3_FEATURES)),
        alpha,
        a3: a,
        u4: u,
        logp3,
        logp4,
        value: criticValue(p, tokens, n, global),
        global: Float32Array.from(global),
        reward: 0,
        done: false,
      });
    }
  }

  /** Credit the newest recorded half-step (an agreement it led to, the day's result). */
  reward(r: number, done = false): void {
    const s = this.steps;
    if (!s || s.length === 0) return;
    s[s.length - 1].reward += r;
    if (done) s[s.length - 1].done = true;
  }
}
