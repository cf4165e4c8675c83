/** The router's counterfactual reward: the chosen expert's shadow book against its peers' on the same days. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../agents/backend.ts';
import { generateSynthetic } from '../data/synthetic.ts';
import { prepareExperiment } from '../experiment/run.ts';
import { unflatten } from '../experiment/vocabulary.ts';
import { Rng } from '../rng.ts';
import { getWorkflow } from '../workflows/registry.ts';
import { RouterEnv, argmax } from './routerEnv.ts';
import { Hierarchy } from './train.ts';

const start = unflatten(getWorkflow('hierarchical').start) as { data: { config: Record<string, unknown> } };
const data = { kind: 'synthetic', config: { ...start.data.config, days: 400 } };
const tiny = { numEnvs: 2, routerEvery: 2, expertEvery: 1, batchSize: 16, lookback: 20, klLambda: 0 };

beforeAll(async () => {
  await initBackend('wasm');
});

describe('RouterEnv, routerReward counterfactual', () => {
  it('rewards rewardScale·(the chosen expert alone − the mean of every expert alone) in log return over the decision', async () => {
    const prep = await prepareExperiment({ ...start, data }, generateSynthetic(data.config).panel);
    const h = new Hierarchy(prep, { ...tiny, routerReward: 'counterfactual' }, 2);
    h.shared.record = false;
    const K = h.config.experts;
    const n = h.config.routerInterval;
    const env = new RouterEnv(
      prep.makeTrainEnv(0),
      h.shared,
      0,
      new Rng(1),
      Array.from({ length: K }, () => prep.makeTrainEnv(0)),
    );
    // Each expert alone on fresh envs drawn like the market's: the same reset seed gives the same days.
    const alone = Array.from({ length: K }, () => prep.makeTrainEnv(0));
    const resets = alone.map((e) => e.reset({ seed: 11 }));
    const aloneObs = resets.map((r) => Float32Array.from(r.obs));
    const aloneValue = resets.map((r) => r.info.portfolioValue as number);
    env.reset({ seed: 11 });
    const p = new Float64Array(3);
    let spread = 0;
    const chosen = [1, 0, 2, 2];
    for (const expert of chosen) {
      const logReturn = new Array<number>(K).fill(0);
      for (let d = 0; d < n; d++)
        alone.forEach((e, k) => {
          const res = e.step(Int32Array.of(argmax(h.experts.probs(k, aloneObs[k], p))));
          const v = res.info.portfolioValue as number;
          logReturn[k] += Math.log(v / aloneValue[k]);
          aloneValue[k] = v;
          aloneObs[k] = Float32Array.from(res.obs);
        });
      const mean = logReturn.reduce((s, x) => s + x, 0) / K;
      spread = Math.max(spread, ...logReturn.map((x) => Math.abs(x - mean)));
      const res = env.step(expert);
      expect(res.reward).toBeCloseTo(h.config.rewardScale * (logReturn[expert] - mean), 10);
    }
    // Not a vacuous match: the experts' books differ on these days.
    expect(spread).toBeGreaterThan(1e-4);
    h.dispose();
  });

  it("ownership 'won': a decision's days belong to the expert whose shadow book earned most over them", async () => {
    const prep = await prepareExperiment({ ...start, data }, generateSynthetic(data.config).panel);
    const h = new Hierarchy(prep, { ...tiny, ownership: 'won' }, 2);
    const K = h.config.experts;
    const n = h.config.routerInterval;
    const env = new RouterEnv(
      prep.makeTrainEnv(0),
      h.shared,
      0,
      new Rng(1),
      Array.from({ length: K }, () => prep.makeTrainEnv(0)),
    );
    const alone = Array.from({ length: K }, () => prep.makeTrainEnv(0));
    const resets = alone.map((e) => e.reset({ seed: 11 }));
    const aloneObs = resets.map((r) => Float32Array.from(r.obs));
    const aloneValue = resets.map((r) => r.info.portfolioValue as number);
    env.reset({ seed: 11 });
    const p = new Float64Array(3);
    const given = new Set<number>();
    for (const expert of [0, 1, 2, 0, 1, 2]) {
      const logReturn = new Array<number>(K).fill(0);
      for (let d = 0; d < n; d++)
        alone.forEach((e, k) => {
          const res = e.step(Int32Array.of(argmax(h.experts.probs(k, aloneObs[k], p))));
          const v = res.info.portfolioValue as number;
          logReturn[k] += Math.log(v / aloneValue[k]);
          aloneValue[k] = v;
          aloneObs[k] = Float32Array.from(res.obs);
        });
      const first = h.replay.written;
      const res = env.step(expert);
      // The benchmark reward is untouched by ownership.
      expect(Number.isFinite(res.reward)).toBe(true);
      const best = logReturn.indexOf(Math.max(...logReturn));
      const tie = logReturn.filter((x) => Math.abs(x - logReturn[best]) < 1e-12).length > 1;
      for (let id = first; id < h.replay.written; id++) {
        expect(h.replay.experts[id]).toBe(expert);
        expect(h.replay.owners[id]).toBe(tie ? expert : best);
        if (!tie && best !== expert) given.add(id);
      }
    }
    // Not vacuous: some days went to an expert other than the one that traded them.
    expect(given.size).toBeGreaterThan(0);
    h.dispose();
  });

  it('needs one shadow env per expert', async () => {
    const prep = await prepareExperiment({ ...start, data }, generateSynthetic(data.config).panel);
    const h = new Hierarchy(prep, { ...tiny, routerReward: 'counterfactual' }, 2);
    expect(() => new RouterEnv(prep.makeTrainEnv(0), h.shared, 0, new Rng(1))).toThrow(
      /one shadow env per expert/,
    );
    h.dispose();
  });
});
