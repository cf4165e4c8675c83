/**
 * Proof of learning on the synthetic market (seed 003's TradingEnv): with a planted signal (daily log
 * returns AR(1) with φ = 0.5, observable at the close) PPO and A2C must beat buy-and-hold on the
 * held-out test split in at least 2 of 3 seeds; with no signal (φ = 0) they must not claim alpha:
 * the t-statistic of their daily excess return over buy-and-hold on the test split stays below 2
 * in at least 2 of 3 seeds (a lookahead leak would push it far above). Slow: each test trains
 * 6 small agents (≈ 20k env steps each).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { PPO } from '../ppo.ts';
import { A2C } from '../a2c.ts';
import { trainToEnd } from './testing.ts';
import { generateSynthetic } from '../../data/synthetic.ts';
import { buildFeatures, featurePreset } from '../../features/index.ts';
import { TradingEnv, type TradingEnvConfig } from '../../envs/trading.ts';
import { evaluatePolicy } from '../../experiment/evaluation.ts';
import { parseStrategy, runBaseline } from '../../baselines/index.ts';

beforeAll(async () => {
  expect((await initBackend('wasm')).backend, 'wasm failed to start and fell back').toBe('wasm');
});

const FEE = 0.0005;
const W = 5;

interface Outcome {
  seed: number;
  agent: number;
  buyAndHold: number;
  /** t-statistic of the daily excess return (agent − buy-and-hold) on the test split. */
  t: number;
}

/**
 * A look-ahead control: at each step of the test episode it reads the next close (which no agent
 * may see) and buys assets about to rise, sells the others. Any leak of the future into the
 * observation would let an agent approach it, so its excess-return t-statistic is what "claiming
 * alpha" looks like in this measurement.
 */
function lookAhead(
  fs: { dates: readonly string[]; close: ArrayLike<number>; assets: readonly string[] },
  env: TradingEnv,
) {
  const A = fs.assets.length;
  return {
    async predict(): Promise<Int32Array> {
      const t = env.row;
      return Int32Array.from({ length: A }, (_, j) =>
        t + 1 >= fs.dates.length ? 0 : fs.close[(t + 1) * A + j] > fs.close[t * A + j] ? 1 : 2,
      );
    },
  };
}

async function experiment(algo: 'ppo' | 'a2c' | 'look-ahead', phi: number, seed: number): Promise<Outcome> {
  // 900 business days of 2 assets: 500 train, 150 valid, 250 test.
  const { panel } = generateSynthetic({ seed: 100 + seed, assets: 2, days: 900, signalStrength: phi });
  const d = panel.dates;
  const split = {
    train: { start: d[0], end: d[499] },
    valid: { start: d[500], end: d[649] },
    test: { start: d[650], end: d[899] },
  };
  const fs = buildFeatures(panel, featurePreset('ohlcv', { window: W, split }));
  const envCfg: Partial<TradingEnvConfig> = { window: W, feeRate: FEE };
  const make = (i: number) => new TradingEnv(fs, { ...envCfg, split: 'train', episodeLength: 64, seed: i });
  const common = {
    seed,
    totalSteps: 20_480,
    numEnvs: 8,
    rewardScale: 100,
    gamma: 0.9,
    learningRate: 1e-3,
    entCoef: 0.01,
  };
  const testEnv = new TradingEnv(fs, { ...envCfg, split: 'test' });
  let res;
  if (algo === 'look-ahead') {
    res = await evaluatePolicy(lookAhead(fs, testEnv), testEnv, { episodes: 1 });
  } else {
    const agent =
      algo === 'ppo'
        ? new PPO({ ...common, numSteps: 64 }, make)
        : new A2C({ ...common, numSteps: 16, optimizer: 'adam' }, make);
    await trainToEnd(agent);
    res = await evaluatePolicy(agent, testEnv, { episodes: 1 });
    agent.dispose();
  }
  const equity = res.market!.equity;
  const bh = runBaseline(parseStrategy('buy-and-hold'), fs.close, fs.assets.length, {
    fee: FEE,
    initialCash: 1e6,
    range: fs.splits.test,
  });
  // Both are marked at the closes of the test rows: equity[k] ↔ bh.equity[k] (bh buys at the first close).
  const n = Math.min(equity.length, bh.equity.length) - 1;
  const excess: number[] = [];
  for (let k = 1; k <= n; k++) excess.push(equity[k] / equity[k - 1] - bh.equity[k] / bh.equity[k - 1]);
  const mean = excess.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(excess.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return {
    seed,
    agent: res.market!.totalReturn,
    buyAndHold: bh.equity[bh.equity.length - 1] / 1e6 - 1,
    t: mean / (sd / Math.sqrt(n)),
  };
}

function report(label: string, outcomes: Outcome[]): void {
  const f = (x: number) => (x * 100).toFixed(1) + '%';
  console.log(
    `[${label}] ` +
      outcomes
        .map(
          (o) =>
            `seed ${o.seed}: agent ${f(o.agent)} vs buy-and-hold ${f(o.buyAndHold)}, excess t = ${o.t.toFixed(2)}`,
        )
        .join('; '),
  );
}

describe.each(['ppo', 'a2c'] as const)('%s on the synthetic market (slow)', (algo) => {
  it(
    'beats buy-and-hold on the test split with a planted signal in ≥ 2 of 3 seeds',
    { timeout: 240_000 },
    async () => {
      const outcomes: Outcome[] = [];
      for (const seed of [1, 2, 3]) outcomes.push(await experiment(algo, 0.5, seed));
      report(`${algo} φ=0.5`, outcomes);
      expect(outcomes.filter((o) => o.agent > o.buyAndHold).length).toBeGreaterThanOrEqual(2);
    },
  );

  it(
    'claims no alpha without a signal: excess-return t-statistic < 2 in ≥ 2 of 3 seeds, far below the look-ahead control',
    { timeout: 240_000 },
    async () => {
      const outcomes: Outcome[] = [];
      const controls: Outcome[] = [];
      for (const seed of [1, 2, 3]) {
        outcomes.push(await experiment(algo, 0, seed));
        controls.push(await experiment('look-ahead', 0, seed));
      }
      report(`${algo} φ=0`, outcomes);
      report('look-ahead control φ=0', controls);
      // The measurement sees alpha where there is some: the control, which peeks one close ahead,
      // scores t = 3.5–4.3 on the same data (a leak of the future into the observation would approach it).
      expect(controls.every((c) => c.t > 3)).toBe(true);
      expect(outcomes.filter((o) => o.t < 2).length).toBeGreaterThanOrEqual(2);
    },
  );
});
