/** The router env with shadow books: the counterfactual reward (chosen expert vs its peers on the same days) and winner-take-all ownership. */
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

type Prepared = Awaited<ReturnType<typeof prepareExperiment>>;

/**
 * A RouterEnv over stream 0 with its K shadow envs, reset with `seed`, and each expert alone on
 * fresh envs drawn like the market's (the same reset seed gives the same days): `decide()` plays n
 * days of every lone book and returns their log returns, what the env's shadows should see.
 */
function withLoneBooks(prep: Prepared, h: Hierarchy, seed: number) {
  const K = h.config.experts;
  const env = new RouterEnv(
    prep.makeTrainEnv(0),
    h.shared,
    0,
    new Rng(1),
    Array.from({ length: K }, () => prep.makeTrainEnv(0)),
  );
  const alone = Array.from({ length: K }, () => prep.makeTrainEnv(0));
  const resets = alone.map((e) => e.reset({ seed }));
  const obs = resets.map((r) => Float32Array.from(r.obs));
  const value = resets.map((r) => r.info.portfolioValue as number);
  env.reset({ seed });
  const p = new Float64Array(3);
  const decide = (): number[] => {
    const logReturn = new Array<number>(K).fill(0);
    for (let d = 0; d < h.config.routerInterval; d++)
      alone.forEach((e, k) => {
        const res = e.step(Int32Array.of(argmax(h.experts.probs(k, obs[k], p))));
        const v = res.info.portfolioValue as number;
        logReturn[k] += Math.log(v / value[k]);
        value[k] = v;
        obs[k] = Float32Array.from(res.obs);
      });
    return logReturn;
  };
  return { env, decide };
}

describe('RouterEnv, routerReward counterfactual', () => {
  it('rewards rewardScale·(the chosen expert alone − the mean of every expert alone) in log return over the decision', async () => {
    const prep = await prepareExperiment({ ...start, data }, generateSynthetic(data.config).panel);
    const h = new Hierarchy(prep, { ...tiny, routerReward: 'counterfactual' }, 2);
    h.shared.record = false;
    const K = h.config.experts;
    const { env, decide } = withLoneBooks(prep, h, 11);
    let spread = 0;
    const chosen = [1, 0, 2, 2];
    for (const expert of chosen) {
      const logReturn = decide();
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
    const { env, decide } = withLoneBooks(prep, h, 11);
    const given = new Set<number>();
    for (const expert of [0, 1, 2, 0, 1, 2]) {
      const logReturn = decide();
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

  it("ownership 'cluster': a decision's days belong to the expert of its first day's market cluster", async () => {
    const prep = await prepareExperiment({ ...start, data }, generateSynthetic(data.config).panel);
    const h = new Hierarchy(prep, { ...tiny, ownership: 'cluster' }, 2);
    const clusterOf = h.shared.clusterOf!;
    const tr = prep.features.splits.train;
    // Every expert gets a cluster of the train split's days.
    const seen = new Set<number>();
    for (let t = tr.start + h.config.lookback; t < tr.end; t++) seen.add(clusterOf(t));
    expect([...seen].sort()).toEqual([0, 1, 2]);
    const env = new RouterEnv(prep.makeTrainEnv(0), h.shared, 0, new Rng(1));
    let t0 = env.reset({ seed: 11 }).info.t as number;
    const given = new Set<number>();
    for (const expert of [0, 1, 2, 0, 1, 2, 0, 1]) {
      const first = h.replay.written;
      const res = env.step(expert);
      for (let id = first; id < h.replay.written; id++) {
        expect(h.replay.experts[id]).toBe(expert);
        expect(h.replay.owners[id]).toBe(clusterOf(t0));
        if (clusterOf(t0) !== expert) given.add(id);
      }
      t0 = res.info.t as number;
    }
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
