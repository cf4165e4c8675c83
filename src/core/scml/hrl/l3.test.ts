/**
 * L3/L4 in the world, no tfjs:
 * - fast-check: an HRL agent driven by random, oversized L3/L4 networks (sampled, as in training)
 *   only ever answers inside L1's safe set: replaying each half-step's answers through a fresh
 *   mask changes none of them;
 * - with L3's output layer zero the residual is exactly 0 and the agent plays exactly as L1 + L2;
 * - α averages 1 over any set of threads; the attention rows are distributions;
 * - the expert-residual data: an expert that is L1 itself yields all-zero labels; Penguin's are
 *   clipped to [−1, 1] with 0/1 weights.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../rng.ts';
import { makeAgent, registerAgentFactory, type AgentType } from '../agents/index.ts';
import { generateConfig, nAgentsOf } from '../config.ts';
import { ACCEPT, END, World, type ScmlAgent } from '../world.ts';
import { heuristicGoal, HrlAgent, L2_FEATURES } from './agent.ts';
import { SafetyMask, type L1Action } from './l1.ts';
import {
  alphaOf,
  GLOBAL_FEATURES,
  initMicroParams,
  L3_FEATURES,
  l4Logits,
  MicroController,
  type MicroParams,
} from './l3.ts';
import { collectL3Dataset } from './l3data.ts';

/** Replays the wrapped agent's answers through a fresh L1 mask after every act. */
class Checked implements ScmlAgent {
  readonly type = 'checked';
  problems: string[] = [];
  answers = 0;
  private mask!: SafetyMask;
  private readonly out: L1Action = { kind: END, q: 0, t: 0, p: 0 };
  constructor(readonly inner: HrlAgent) {}
  init(w: World, id: number, rng: Rng): void {
    this.inner.init(w, id, rng);
    this.mask = new SafetyMask(w.cfg.horizon);
  }
  beginDay(w: World, id: number): void {
    this.inner.beginDay(w, id);
  }
  onAgreement(w: World, id: number, th: number): void {
    this.inner.onAgreement(w, id, th);
  }
  act(w: World, a: number, todo: Int32Array, n: number): void {
    this.inner.act(w, a, todo, n);
    this.mask.refresh(w, a);
    for (let i = 0; i < n; i++) {
      const r = w.response(todo[i]);
      if (r.kind === END) continue;
      this.answers++;
      const c = this.mask.clip(w, a, todo[i], r, this.out);
      if (c.kind !== r.kind || (r.kind !== ACCEPT && (c.q !== r.q || c.t !== r.t || c.p !== r.p)))
        this.problems.push(
          `day ${w.day} thread ${todo[i]}: ${JSON.stringify(r)} clipped to ${JSON.stringify(c)}`,
        );
    }
  }
}

function wild(seed: number, scale: number): MicroParams {
  const p = initMicroParams(seed);
  const rng = new Rng(seed).fork('wild');
  for (const [k, a] of Object.entries(p)) {
    if (k.endsWith('logStd')) a.fill(0.5);
    else for (let i = 0; i < a.length; i++) a[i] = a[i] * scale + rng.normal(0, 0.3 * scale);
  }
  return p;
}

describe('L3/L4 under L1', () => {
  it('every answer of random oversized L3/L4 nets is inside the safe set', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.double({ min: 1, max: 20, noNaN: true }),
        (seed, scale) => {
          const cfg = generateConfig(seed, { nSteps: 12 });
          const nA = nAgentsOf(cfg);
          const checked: Checked[] = [];
          const agents: ScmlAgent[] = Array.from({ length: nA }, (_, a) => {
            if (a % 3 !== 0) return makeAgent(a % 3 === 1 ? 'penguin' : 'random');
            const h = new HrlAgent(heuristicGoal, 'hrl');
            h.micro = new MicroController(wild(seed + a, scale));
            h.micro.rng = new Rng(seed).fork(a);
            const c = new Checked(h);
            checked.push(c);
            return c;
          });
          new World(cfg, agents, seed).run();
          let answers = 0;
          for (const c of checked) {
            expect(c.problems.slice(0, 3)).toEqual([]);
            answers += c.answers;
          }
          expect(answers).toBeGreaterThan(0);
        },
      ),
      { numRuns: 12 },
    );
  }, 60_000);

  it('a zero L3 output layer leaves the agent exactly L1 + L2', () => {
    const p = initMicroParams(4);
    p['l3/w2'].fill(0);
    p['l3/b2'].fill(0);
    const play = (micro: boolean) => {
      const cfg = generateConfig(21, { nSteps: 20 });
      const agents = Array.from({ length: nAgentsOf(cfg) }, (_, a) => {
        if (a % 2 === 1) return makeAgent('penguin');
        const h = new HrlAgent(heuristicGoal, 'hrl');
        if (micro) h.micro = new MicroController(p);
        return h;
      });
      const w = new World(cfg, agents, 21);
      w.run();
      return Array.from(w.balance);
    };
    expect(play(true)).toEqual(play(false));
  });

  it('α averages 1; attention rows are distributions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: 1, maxLength: 12 }),
        (u) => {
          const a = alphaOf(u, u.length);
          const s = a.reduce((x, y) => x + y, 0);
          expect(s).toBeCloseTo(u.length, 3);
          for (const x of a) expect(x).toBeGreaterThanOrEqual(0);
        },
      ),
    );
    const n = 7;
    const x = Float32Array.from({ length: n * L3_FEATURES }, (_, i) => Math.sin(i));
    const attn = new Float32Array(n * n);
    const z = l4Logits(wild(3, 2), x, n, attn);
    expect(z.length).toBe(n);
    for (let i = 0; i < n; i++)
      expect(attn.subarray(i * n, (i + 1) * n).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(GLOBAL_FEATURES).toBe(L2_FEATURES);
  });

  it('expert residuals: zero for L1 itself, clipped with 0/1 weights for Penguin', () => {
    registerAgentFactory('l1test', () => new HrlAgent(heuristicGoal, 'l1test'));
    const agents: AgentType[] = ['penguin', 'greedy', 'syncrandom'];
    const self = collectL3Dataset({
      agents: [...agents, 'l1test:x'],
      expert: 'l1test:x',
      configs: 1,
      seed: 5,
      nSteps: 15,
    });
    expect(self.n).toBeGreaterThan(100);
    for (let i = 0; i < self.y.length; i++) expect(self.y[i] * self.w[i]).toBe(0);
    const pen = collectL3Dataset({ agents, expert: 'penguin', configs: 1, seed: 5, nSteps: 15 });
    expect(pen.n).toBeGreaterThan(100);
    let nonzero = 0;
    for (let i = 0; i < pen.y.length; i++) {
      expect(Math.abs(pen.y[i])).toBeLessThanOrEqual(1);
      expect([0, 1]).toContain(pen.w[i]);
      if (pen.w[i] * pen.y[i] !== 0) nonzero++;
    }
    expect(nonzero).toBeGreaterThan(pen.n / 10);
  }, 60_000);
});
