/**
 * SCML-lite world configuration: seeded generation inside the tournament ranges of
 * shared/research/scml-lite.md (the public `scml` package's Standard track, 2024/2025 rules).
 *
 * Agents are numbered by level: level 0 agents first. Level k runs process k (1 unit of product k
 * → 1 unit of product k+1). Level 0 buys product 0 from the system; the last level sells product
 * L to the system; every other trade is negotiated. Exogenous contracts are drawn here, up front,
 * so a world's exogenous flow does not depend on the agents playing in it.
 */
import { Rng } from '../rng.ts';

export interface ScmlConfig {
  seed: number;
  /** Episode length T (days). */
  nSteps: number;
  /** Production lines per factory (one unit per line per day). */
  nLines: number;
  /** Processes L; products 0..L. */
  nProcesses: number;
  /** Factories on each level (length L). */
  agentsPerLevel: number[];
  /** Catalog price of each product (length L+1); TP₀ of the trading price. */
  catalogPrices: number[];
  /** Per agent: level, unit production cost, initial balance, storage κ and shortfall σ_d. */
  level: Int32Array;
  cost: Float64Array;
  initialBalance: Float64Array;
  storageCost: Float64Array;
  shortfallPenalty: Float64Array;
  /** Exogenous contracts, [agent·T + day]: quantity and unit price (0 where none). */
  exInQty: Int32Array;
  exInPrice: Float64Array;
  exOutQty: Int32Array;
  exOutPrice: Float64Array;
  /** SAO rounds per thread per day (each round: both sides act once). */
  rounds: number;
  /** Futures reach at most this many days ahead. */
  horizon: number;
  /** Quantity range [1, qtyFactor·nLines]. */
  qtyFactor: number;
  /** Unit price range [max(1, ⌊lo·TP⌋), ⌊hi·TP⌋]. */
  priceLo: number;
  priceHi: number;
  /** Trading-price update: TP ← (β·B·TP + Q·P̄)/(β·B + Q), B ← β·B + Q, B starts at b0. */
  tpBeta: number;
  tpB0: number;
}

/** What a caller may pin; everything else is drawn from the seed within the note's ranges. */
export interface ScmlConfigOptions {
  nSteps?: number;
  nProcesses?: number;
  agentsPerLevel?: number[];
  nLines?: number;
}

/** Tournament ranges (scml-lite.md). Factories per level: the note says "at least 4"; 4–6 keeps threads ≤ 36 per level pair. */
export const SCML_RANGES = {
  nSteps: [50, 200],
  nProcesses: [2, 4],
  agentsPerLevel: [4, 6],
  nLines: 10,
  rawPrice: 10,
} as const;

const intIn = (rng: Rng, lo: number, hi: number) => lo + rng.int(hi - lo + 1);

export function nAgentsOf(cfg: Pick<ScmlConfig, 'agentsPerLevel'>): number {
  return cfg.agentsPerLevel.reduce((a, b) => a + b, 0);
}

/** First agent index of each level, plus the total at the end (length L+1). */
export function levelStarts(cfg: Pick<ScmlConfig, 'agentsPerLevel'>): Int32Array {
  const s = new Int32Array(cfg.agentsPerLevel.length + 1);
  for (let k = 0; k < cfg.agentsPerLevel.length; k++) s[k + 1] = s[k] + cfg.agentsPerLevel[k];
  return s;
}

/**
 * Split `total` units over agents with weights `w` (unit by unit, categorical), never giving one
 * agent more than `cap`: the exogenous split across a level. Writes into out[offset + i].
 */
function splitUnits(
  rng: Rng,
  total: number,
  w: Float64Array,
  cap: number,
  out: Int32Array,
  stride: number,
  offset: number,
): void {
  const n = w.length;
  const weights = Float64Array.from(w);
  let left = Math.min(total, cap * n);
  const got = new Int32Array(n);
  while (left > 0) {
    const i = rng.categorical(weights);
    got[i]++;
    left--;
    if (got[i] >= cap) weights[i] = 0;
  }
  for (let i = 0; i < n; i++) out[offset + i * stride] = got[i];
}

export function generateConfig(seed: number, opts: ScmlConfigOptions = {}): ScmlConfig {
  const rng = new Rng(seed);
  const nSteps = opts.nSteps ?? intIn(rng, SCML_RANGES.nSteps[0], SCML_RANGES.nSteps[1]);
  const L = opts.nProcesses ?? intIn(rng, SCML_RANGES.nProcesses[0], SCML_RANGES.nProcesses[1]);
  const agentsPerLevel =
    opts.agentsPerLevel ??
    Array.from({ length: L }, () => intIn(rng, SCML_RANGES.agentsPerLevel[0], SCML_RANGES.agentsPerLevel[1]));
  if (agentsPerLevel.length !== L)
    throw new Error(`scml config: agentsPerLevel has ${agentsPerLevel.length} levels, nProcesses is ${L}`);
  if (L < 2) throw new Error(`scml config: nProcesses must be ≥ 2, got ${L}`);
  if (nSteps < 2) throw new Error(`scml config: nSteps must be ≥ 2, got ${nSteps}`);
  const nLines = opts.nLines ?? SCML_RANGES.nLines;
  const nA = agentsPerLevel.reduce((a, b) => a + b, 0);
  const starts = levelStarts({ agentsPerLevel });
  const T = nSteps;

  const level = new Int32Array(nA);
  const cost = new Float64Array(nA);
  for (let k = 0; k < L; k++)
    for (let a = starts[k]; a < starts[k + 1]; a++) {
      level[a] = k;
      cost[a] = intIn(rng, 1, 4) * (k + 1);
    }

  // Catalog prices: p₀ = 10, p_{k+1} = ⌈(p_k + max c_k)(1 + π_k)⌉, π_k ~ N(U(0.1, 0.2), 0.05) (kept ≥ 0).
  const catalogPrices: number[] = [SCML_RANGES.rawPrice];
  for (let k = 0; k < L; k++) {
    let maxC = 0;
    for (let a = starts[k]; a < starts[k + 1]; a++) maxC = Math.max(maxC, cost[a]);
    const pi = Math.max(0, rng.normal(rng.uniform(0.1, 0.2), 0.05));
    catalogPrices.push(Math.ceil((catalogPrices[k] + maxC) * (1 + pi)));
  }

  // Exogenous flow: raw supply round(n_lines·n_L0·u) per day, sales capped by productivity.
  const exInQty = new Int32Array(nA * T);
  const exInPrice = new Float64Array(nA * T);
  const exOutQty = new Int32Array(nA * T);
  const exOutPrice = new Float64Array(nA * T);
  const sigmaIn = rng.uniform(0.1, 0.2);
  const sigmaOut = rng.uniform(0.1, 0.2);
  const productivity = rng.uniform(0.8, 1.0);
  const predictability = rng.uniform(0, 0.7);
  const n0 = agentsPerLevel[0];
  const nL = agentsPerLevel[L - 1];
  const baseIn = Float64Array.from({ length: n0 }, () => rng.uniform(0.05, 1));
  const baseOut = Float64Array.from({ length: nL }, () => rng.uniform(0.05, 1));
  const wIn = new Float64Array(n0);
  const wOut = new Float64Array(nL);
  const mix = (base: Float64Array, w: Float64Array) => {
    let sb = 0;
    for (let i = 0; i < base.length; i++) sb += base[i];
    const fresh = Float64Array.from({ length: base.length }, () => rng.uniform(0.05, 1));
    let sf = 0;
    for (let i = 0; i < fresh.length; i++) sf += fresh[i];
    for (let i = 0; i < w.length; i++)
      w[i] = predictability * (base[i] / sb) + (1 - predictability) * (fresh[i] / sf);
  };
  const pIn = catalogPrices[0];
  const pOut = catalogPrices[L];
  let expectedSupply = 0;
  for (let t = 0; t < T; t++) {
    const supply = Math.round(nLines * n0 * rng.uniform(0.2, 1.0));
    const demand = Math.min(Math.round(supply * productivity), nLines * nL);
    expectedSupply += supply / T;
    mix(baseIn, wIn);
    splitUnits(rng, supply, wIn, nLines, exInQty, T, starts[0] * T + t);
    mix(baseOut, wOut);
    splitUnits(rng, demand, wOut, nLines, exOutQty, T, starts[L - 1] * T + t);
    for (let a = starts[0]; a < starts[1]; a++)
      if (exInQty[a * T + t] > 0)
        exInPrice[a * T + t] = Math.max(1, Math.round(rng.normal(pIn, sigmaIn * pIn)));
    for (let a = starts[L - 1]; a < starts[L]; a++)
      if (exOutQty[a * T + t] > 0)
        exOutPrice[a * T + t] = Math.max(1, Math.round(rng.normal(pOut, sigmaOut * pOut)));
  }

  // Initial balance: ⌈U(1.5, 2.5) · (the level's cost of processing the expected supply over all steps ÷ its agents)⌉.
  const initialBalance = new Float64Array(nA);
  for (let k = 0; k < L; k++) {
    let meanC = 0;
    for (let a = starts[k]; a < starts[k + 1]; a++) meanC += cost[a] / agentsPerLevel[k];
    const levelCost = T * expectedSupply * (catalogPrices[k] + meanC);
    for (let a = starts[k]; a < starts[k + 1]; a++)
      initialBalance[a] = Math.ceil(rng.uniform(1.5, 2.5) * (levelCost / agentsPerLevel[k]));
  }

  // Penalties: σ_d = |N(μ, dev)|, μ ~ U(0.2, 1), dev ~ U(0, 0.1)·μ; storage κ ~ U(0.01, 0.05).
  const mu = rng.uniform(0.2, 1.0);
  const dev = rng.uniform(0, 0.1) * mu;
  const shortfallPenalty = Float64Array.from({ length: nA }, () => Math.abs(rng.normal(mu, dev)));
  const storageCost = Float64Array.from({ length: nA }, () => rng.uniform(0.01, 0.05));

  return {
    seed,
    nSteps,
    nLines,
    nProcesses: L,
    agentsPerLevel,
    catalogPrices,
    level,
    cost,
    initialBalance,
    storageCost,
    shortfallPenalty,
    exInQty,
    exInPrice,
    exOutQty,
    exOutPrice,
    rounds: 20,
    horizon: 10,
    qtyFactor: 3,
    priceLo: 0.9,
    priceHi: 1.1,
    tpBeta: 0.9,
    tpB0: 50,
  };
}
