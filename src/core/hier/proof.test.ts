/**
 * Seed 002's diversity claim on the two-regime synthetic market (a smaller version of the README's
 * `lab hier train` numbers, 5,000 env steps, defaults): the experts stay diverse (MAPD > 0.25;
 * measured 0.57, 0.51, 0.66 for seeds 1–3), and without the skill reward and the KL bonus
 * (β = λ = 0) the diversity collapses (measured 0.19, 0.21, 0.17: asserted ≥ 0.1 lower). The router
 * uses at least two experts (≥ 5% of the decisions; the second expert's share measured 34%, 24%,
 * 9.7%: a weak claim, stated as such).
 *
 * MI(regime; expert) over the decisions of the three splits is printed, not asserted: at this budget
 * it is small (0.034, 0.083, 0.046 nats) and the ablation's is no smaller (0.080, 0.074, 0.048), so
 * the regime-dependence of the router is NOT shown here (README: the full runs' numbers). The
 * sharper evidence (regimeProof.ts: hit rate on each regime's best expert vs chance, the MI's
 * block-permutation p-value, the same seed's untrained router) is printed too: at 5k steps the
 * pooled hit rate is 37% vs a chance of 31% (seed 1, untrained 30% vs 39%), 26% vs 36% (seed 2)
 * and 31% vs 29% (seed 3, untrained 42% vs 36%) — no seed holds the criterion with margin, so it
 * is not asserted; only that the untrained router was scored on the same decisions.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../agents/backend.ts';
import { generateSynthetic } from '../data/synthetic.ts';
import { unflatten } from '../experiment/vocabulary.ts';
import { getWorkflow } from '../workflows/registry.ts';
import { runWorkflow } from '../workflows/runners.ts';
import type { HierDiversityExtra, HierRegimesExtra } from './extras.ts';

const SEED = Number(process.env.HIER_PROOF_SEED ?? 1);
const STEPS = 5000;
const start = unflatten(getWorkflow('hierarchical').start) as { data: { config: Record<string, unknown> } };
const panel = generateSynthetic(start.data.config).panel;

/** MI (nats) of the joint counts[regime][expert]. */
function miOfCounts(counts: number[][]): number {
  const n = counts.flat().reduce((a, b) => a + b, 0);
  const rows = counts.map((r) => r.reduce((a, b) => a + b, 0));
  const cols = counts[0].map((_, k) => counts.reduce((a, r) => a + r[k], 0));
  let mi = 0;
  counts.forEach((r, i) =>
    r.forEach((c, k) => (mi += c > 0 ? (c / n) * Math.log((c * n) / (rows[i] * cols[k])) : 0)),
  );
  return mi;
}

async function run(hierarchical: Record<string, number>) {
  const res = await runWorkflow(
    { ...start, workflow: 'hierarchical', seed: SEED, hierarchical: { totalSteps: STEPS, ...hierarchical } },
    panel,
  );
  const ex = res.evaluation!.extras!;
  const regimes = ex['hierarchical-regimes'] as HierRegimesExtra;
  const d = ex['hierarchical-diversity'] as HierDiversityExtra;
  const pooled = [0, 1].map((g) =>
    regimes.experts.map((_, k) => Object.values(regimes.perSplit).reduce((a, s) => a + s!.counts[g][k], 0)),
  );
  const p = regimes.pooled!;
  const proof = {
    hit: p.hitRate,
    chance: p.chanceHitRate,
    p: p.pValue,
    mi: p.mutualInformation,
    untrained: {
      hit: p.untrained.hitRate,
      chance: p.untrained.chanceHitRate,
      mi: p.untrained.mutualInformation,
      p: p.untrained.pValue,
    },
  };
  const sameDecisions =
    p.untrained.counts.flat().reduce((a, b) => a + b, 0) === pooled.flat().reduce((a, b) => a + b, 0);
  return { mapd: d.mapd[d.mapd.length - 1], mi: miOfCounts(pooled), pooled, proof, sameDecisions };
}

beforeAll(async () => {
  await initBackend('wasm');
});

/**
 * The proof proper (README: "The proof"), at half the README's budget: cluster credit
 * (ownership 'cluster', ownShare 1), the counterfactual router reward, rewards ×100, β = λ = 0, on
 * the 4× longer market. Measured at 16k steps, pooled hit vs chance (the untrained router's in
 * brackets): seed 1 63% vs 43% (42% vs 35%), seed 2 75% vs 50% (49% vs 37%), seed 3 60% vs 39%
 * (38% vs 32%), seed 4 41% vs 36% (47% vs 42%), seed 5 58% vs 39% (21% vs 27%). Asserted for
 * seed 1: a margin over chance of 10 points and 5 points above the untrained router's, which seeds
 * 1, 2, 3 and 5 meet and seed 4 does not at this budget (at 32k steps, README, all five seeds beat
 * chance by 11–20 points).
 */
const proofData = { kind: 'synthetic', config: { ...start.data.config, days: 6000 } };
const proofPanel = generateSynthetic(proofData.config).panel;
const CLUSTER_CREDIT = {
  ownership: 'cluster',
  ownShare: 1,
  routerReward: 'counterfactual',
  rewardScale: 100,
  miRewardWeight: 0,
  klLambda: 0,
  totalSteps: 16_000,
};

describe('the hierarchy on the two-regime market (seed 002’s proof, small)', () => {
  it('with cluster credit the router picks its regime’s best expert more often than chance and than untrained', async () => {
    const n0 = tf.memory().numTensors;
    const res = await runWorkflow(
      { ...start, data: proofData, workflow: 'hierarchical', seed: SEED, hierarchical: CLUSTER_CREDIT },
      proofPanel,
    );
    const ex = res.evaluation!.extras!;
    const p = (ex['hierarchical-regimes'] as HierRegimesExtra).pooled!;
    const mapd = (ex['hierarchical-diversity'] as HierDiversityExtra).mapd.at(-1)!;
    const margin = p.hitRate - p.chanceHitRate;
    const untrainedMargin = p.untrained.hitRate - p.untrained.chanceHitRate;
    const shown = {
      margin,
      untrainedMargin,
      mi: p.mutualInformation,
      untrainedMi: p.untrained.mutualInformation,
    };
    console.log(JSON.stringify({ seed: SEED, clusterCredit: { ...shown, hit: p.hitRate, mapd } }));
    expect(margin).toBeGreaterThan(0.1);
    expect(margin).toBeGreaterThan(untrainedMargin + 0.05);
    expect(p.mutualInformation).toBeGreaterThan(p.untrained.mutualInformation);
    expect(mapd).toBeGreaterThan(0.25);
    expect(tf.memory().numTensors).toBe(n0);
  }, 300_000);

  it('MAPD > 0.25, the router uses two experts or more, and β = λ = 0 collapses the diversity', async () => {
    const n0 = tf.memory().numTensors;
    const full = await run({});
    const ablation = await run({ miRewardWeight: 0, klLambda: 0 });
    console.log(JSON.stringify({ seed: SEED, full, ablation }));
    expect(full.mapd).toBeGreaterThan(0.25);
    const total = full.pooled.flat().reduce((a, b) => a + b, 0);
    const used = full.pooled[0].filter((_, k) => full.pooled[0][k] + full.pooled[1][k] >= 0.05 * total);
    expect(used.length).toBeGreaterThanOrEqual(2);
    expect(ablation.mapd).toBeLessThan(full.mapd - 0.1);
    expect(full.sameDecisions && ablation.sameDecisions).toBe(true);
    expect(tf.memory().numTensors).toBe(n0);
  }, 300_000);
});
