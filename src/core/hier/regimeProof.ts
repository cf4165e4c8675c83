/**
 * Sharper evidence that the router's choice depends on the market regime (issue 13's proof), since
 * MI(regime; expert) alone is confounded: an untrained router's argmax over smooth regime features
 * already switches with them, and the planted regimes come in long spells, so a few switches that
 * happen to line up with spells give MI > 0 by chance. Three numbers, all from pure counts:
 *
 * - a block-permutation p-value of MI: the regime labels of whole spells (maximal runs of one
 *   regime in the decision sequence) are permuted among the spells, keeping the spells' lengths and
 *   the router's own persistence; p = (1 + #{MI_perm ≥ MI}) / (1 + permutations).
 * - the hit rate: per regime, the expert that earned most on that regime's days when run alone
 *   (its own book) is the regime's best; the share of decisions that pick their regime's best,
 *   against the chance rate Σ_g P(g)·P(choice = best_g) of a router with the same usage that
 *   ignores the regime.
 * - the same MI and hit rate for the same seed's untrained router (runner.ts), so "by learning"
 *   is trained minus untrained.
 */
import { mutualInformation } from '../metrics/diversity.ts';
import { Rng } from '../rng.ts';
import type { HierRegimeChoice, HierRegimeProof } from './extras.ts';

/**
 * Per regime g, the expert with the highest mean daily return over the days of regime g.
 * `returns[k][i]` = expert k's return into day i (alone, its own book), `regime[i]` the regime of day
 * i (−1 unknown: skipped). A regime without days gets −1.
 */
export function bestExpertPerRegime(
  returns: readonly ArrayLike<number>[],
  regime: ArrayLike<number>,
  regimes: number,
): number[] {
  const best: number[] = [];
  for (let g = 0; g < regimes; g++) {
    let arg = -1;
    let top = -Infinity;
    returns.forEach((r, k) => {
      if (r.length !== regime.length)
        throw new Error(`bestExpertPerRegime: expert ${k} has ${r.length} returns for ${regime.length} days`);
      let s = 0;
      let n = 0;
      for (let i = 0; i < r.length; i++)
        if (regime[i] === g && Number.isFinite(r[i])) {
          s += r[i];
          n++;
        }
      if (n > 0 && s / n > top) {
        top = s / n;
        arg = k;
      }
    });
    best.push(arg);
  }
  return best;
}

/**
 * Share of decisions choosing the best expert of their regime (`best[i]` for decision i: its
 * regime's best, −1 none), and the regime-blind chance rate (1/n)·Σ_i P(choice = best[i]) of a router
 * with the same usage that ignores the regime (= Σ_g P(g)·P(choice = best_g) for one split).
 */
export function hitRate(choice: ArrayLike<number>, best: ArrayLike<number>): { hit: number; chance: number } {
  const n = choice.length;
  if (n !== best.length) throw new Error(`hitRate: ${n} choices vs ${best.length} best experts`);
  if (n === 0) return { hit: NaN, chance: NaN };
  let hits = 0;
  const usage = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (choice[i] === best[i]) hits++;
    usage.set(choice[i], (usage.get(choice[i]) ?? 0) + 1 / n);
  }
  let chance = 0;
  for (let i = 0; i < n; i++) chance += (usage.get(best[i]) ?? 0) / n;
  return { hit: hits / n, chance };
}

/** Spells (maximal runs of equal labels) of a sequence: [start, end) pairs. */
export function spells(label: ArrayLike<number>): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < label.length;) {
    let j = i + 1;
    while (j < label.length && label[j] === label[i]) j++;
    out.push([i, j]);
    i = j;
  }
  return out;
}

/**
 * MI(regime; choice) and its p-value under the block-permutation null: the spells' regime labels
 * are shuffled among the spells (Fisher–Yates, seeded), each permutation relabelling whole spells.
 * With a single spell (or one regime) no permutation can differ: p = 1.
 */
export function miPermutationTest(
  regime: ArrayLike<number>,
  choice: ArrayLike<number>,
  permutations: number,
  seed: number,
): { mi: number; pValue: number; nullMean: number } {
  const mi = mutualInformation(regime, choice);
  const sp = spells(regime);
  const labels = sp.map(([s]) => regime[s]);
  if (!Number.isFinite(mi) || new Set(labels).size < 2) return { mi, pValue: 1, nullMean: mi };
  const rng = new Rng(seed).fork('mi-permutation');
  const perm = new Int32Array(regime.length);
  let atLeast = 0;
  let sum = 0;
  for (let p = 0; p < permutations; p++) {
    for (let i = labels.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [labels[i], labels[j]] = [labels[j], labels[i]];
    }
    sp.forEach(([s, e], b) => perm.fill(labels[b], s, e));
    const m = mutualInformation(perm, choice);
    sum += m;
    // A tolerance: ties (same joint counts) count as "at least" despite rounding.
    if (m >= mi - 1e-12) atLeast++;
  }
  return { mi, pValue: (1 + atLeast) / (1 + permutations), nullMean: sum / permutations };
}

/** counts[regime][expert] of decisions with a known regime. */
export function choiceCounts(
  regime: ArrayLike<number>,
  choice: ArrayLike<number>,
  regimes: number,
  experts: number,
): number[][] {
  const counts = Array.from({ length: regimes }, () => new Array<number>(experts).fill(0));
  for (let i = 0; i < regime.length; i++) if (counts[regime[i]]) counts[regime[i]][choice[i]]++;
  return counts;
}

/** Permutations of the MI test (p-values down to 1/1000). */
export const MI_PERMUTATIONS = 999;

/**
 * The evidence for one router's decisions: hit rate against chance, MI and its block-permutation
 * p-value. `best[i]`: the best expert of decision i's regime.
 */
export function choiceEvidence(
  regime: ArrayLike<number>,
  choice: ArrayLike<number>,
  best: ArrayLike<number>,
  seed: number,
  permutations = MI_PERMUTATIONS,
): HierRegimeChoice & { mutualInformation: number } {
  const { hit, chance } = hitRate(choice, best);
  const t = miPermutationTest(regime, choice, permutations, seed);
  return {
    hitRate: hit,
    chanceHitRate: chance,
    pValue: t.pValue,
    nullMi: t.nullMean,
    mutualInformation: t.mi,
  };
}

/**
 * The trained router's evidence beside the untrained one's on the same decisions (regime known):
 * `trained[i]`, `untrained[i]` the experts the two routers chose, `best[i]` the best expert of
 * decision i's regime (per split: several splits pooled may differ), `bestExpert` the per-regime
 * best to report.
 */
export function regimeProof(
  regime: ArrayLike<number>,
  trained: ArrayLike<number>,
  untrained: ArrayLike<number>,
  best: ArrayLike<number>,
  bestExpert: readonly number[],
  experts: number,
  seed: number,
): HierRegimeProof {
  const t = choiceEvidence(regime, trained, best, seed);
  const u = choiceEvidence(regime, untrained, best, seed);
  return {
    bestExpert: bestExpert.slice(),
    hitRate: t.hitRate,
    chanceHitRate: t.chanceHitRate,
    pValue: t.pValue,
    nullMi: t.nullMi,
    untrained: { ...u, counts: choiceCounts(regime, untrained, bestExpert.length, experts) },
  };
}

/**
 * What each expert does per regime, from its book run alone: `exposure[g]` = its mean weight in the
 * asset over the days of regime g, `momentum[g]` = its mean weight after an up day minus after a
 * down day (+1: buys what just rose, a trend follower; −1: buys what just fell, a contrarian; 0:
 * ignores yesterday). `weights[i]` is the weight held from date i into date i + 1, `assetReturn[i]`
 * the asset's return into date i, `regime[i]` date i's regime (−1 unknown); a position counts
 * towards the regime of the day it earns on (i + 1). NaN where a regime has no such days.
 */
export function expertStyle(
  weights: ArrayLike<number>,
  assetReturn: ArrayLike<number>,
  regime: ArrayLike<number>,
  regimes: number,
): { exposure: number[]; momentum: number[] } {
  const sum = new Float64Array(regimes);
  const n = new Float64Array(regimes);
  const up = new Float64Array(regimes);
  const nUp = new Float64Array(regimes);
  const down = new Float64Array(regimes);
  const nDown = new Float64Array(regimes);
  for (let i = 1; i + 1 < weights.length; i++) {
    const g = regime[i + 1];
    if (!(g >= 0 && g < regimes)) continue;
    const w = weights[i];
    sum[g] += w;
    n[g]++;
    if (assetReturn[i] > 0) {
      up[g] += w;
      nUp[g]++;
    } else if (assetReturn[i] < 0) {
      down[g] += w;
      nDown[g]++;
    }
  }
  const exposure: number[] = [];
  const momentum: number[] = [];
  for (let g = 0; g < regimes; g++) {
    exposure.push(n[g] ? sum[g] / n[g] : NaN);
    momentum.push(nUp[g] && nDown[g] ? up[g] / nUp[g] - down[g] / nDown[g] : NaN);
  }
  return { exposure, momentum };
}
