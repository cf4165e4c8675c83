import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ContextualBanditEnv } from '../../envs/bandit.ts';
import { SyncVectorEnv } from '../../envs/vector.ts';
import type { Env } from '../../envs/types.ts';
import {
  DatasetBuilder,
  DatasetFormatError,
  type OfflineDataset,
  classCounts,
  episodeReturns,
  subsetDataset,
  validateDataset,
} from './dataset.ts';
import { decodeDatasetBinary, encodeDatasetBinary } from './binary.ts';
import { datasetFromCsv, datasetToCsv, formatFloat32 } from './csv.ts';
import { collectDataset, evaluatePolicy, randomAction } from './collect.ts';
import { Rng } from '../../rng.ts';

/** Best action of each context of a bandit (the rule policy the tests roll out). */
function banditRule(env: ContextualBanditEnv) {
  return (obs: Float32Array): number => {
    const c = obs.indexOf(1);
    let best = 0;
    for (let a = 1; a < env.config.numActions; a++) if (env.mean(c, 0, a) > env.mean(c, 0, best)) best = a;
    return best;
  };
}

function expectSameDataset(a: OfflineDataset, b: OfflineDataset): void {
  expect(b.size).toBe(a.size);
  expect(b.obsDim).toBe(a.obsDim);
  expect(b.actionDim).toBe(a.actionDim);
  // Bit-exact: compare the raw bytes, not numbers within a tolerance.
  const bytes = (x: ArrayBufferView) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  for (const key of [
    'obs',
    'nextObs',
    'actions',
    'rewards',
    'terminals',
    'timeouts',
    'strength',
    'baseline',
  ] as const) {
    const x = a[key];
    const y = b[key];
    if (x === undefined) {
      expect(y, key).toBeUndefined();
      continue;
    }
    expect(y, key).toBeDefined();
    expect(y!.constructor).toBe(x.constructor);
    expect(bytes(y!).equals(bytes(x)), key).toBe(true);
  }
  expect(b.meta.source).toBe(a.meta.source);
  expect(b.meta.seed).toBe(a.meta.seed);
  expect(b.meta.randomMix).toBe(a.meta.randomMix);
  expect(JSON.stringify(b.meta.actionSpace, (_k, v) => (v instanceof Float32Array ? Array.from(v) : v))).toBe(
    JSON.stringify(a.meta.actionSpace, (_k, v) => (v instanceof Float32Array ? Array.from(v) : v)),
  );
}

/** A deterministic dataset exercising every optional array: multi-discrete + strength + baseline. */
function richDataset(n: number, seed: number): OfflineDataset {
  const rng = new Rng(seed);
  const b = new DatasetBuilder({ obsDim: 3, actionDim: 2, discrete: true, strength: true, baseline: true });
  for (let i = 0; i < n; i++) {
    b.push({
      obs: [rng.normal(), rng.normal() * 1e-7, rng.normal() * 1e6],
      action: [rng.int(3), rng.int(3)],
      reward: rng.normal(),
      nextObs: [rng.normal(), rng.float(), -rng.float()],
      terminal: i % 7 === 6,
      timeout: false,
      strength: rng.float(),
      baseline: [rng.normal(), rng.normal()],
    });
  }
  b.markLastTimeout();
  return b.finish({
    observationSpace: { kind: 'box', shape: [3], low: -Infinity, high: Float32Array.from([1, 2, Infinity]) },
    actionSpace: { kind: 'multi-discrete', nvec: [3, 3] },
    source: 'test:rich',
    seed,
    randomMix: 0.25,
    env: 'none',
    notes: { assets: 2, kind: 'unit' },
  });
}

describe('collectDataset', () => {
  it('records a rule policy in a bandit, mixes seeded random actions, and is reproducible', () => {
    const env = new ContextualBanditEnv({ numContexts: 4, numActions: 3, episodeLength: 5, noiseStd: 0 });
    const rule = banditRule(env);
    const run = () => collectDataset(env, rule, { steps: 2000, randomMix: 0.5, seed: 7, source: 'rule' });
    const { dataset, episodeReturns: rets, meanReturn } = run();
    expect(dataset.size).toBe(2000);
    expect(dataset.actions).toBeInstanceOf(Int32Array);
    expect(dataset.meta).toMatchObject({ source: 'rule', seed: 7, randomMix: 0.5 });
    // Behaviour = rule with prob 0.5 + uniform(3) with prob 0.5 → agrees with the rule ≈ 0.5 + 0.5/3.
    let agree = 0;
    for (let i = 0; i < dataset.size; i++)
      if (dataset.actions[i] === rule(dataset.obs.subarray(i * 4, i * 4 + 4))) agree++;
    expect(agree / dataset.size).toBeGreaterThan(0.62);
    expect(agree / dataset.size).toBeLessThan(0.71);
    // Episodes of 5 steps end in terminals; 2000 steps = 400 episodes.
    expect(rets.length).toBe(400);
    const fromData = episodeReturns(dataset);
    expect(fromData).toHaveLength(rets.length);
    fromData.forEach((r, i) => expect(r).toBeCloseTo(rets[i], 4));
    expect(meanReturn).toBeGreaterThan(5 * env.randomMeanReward);
    expect(meanReturn).toBeLessThan(5 * env.optimalMeanReward);
    const again = run();
    expectSameDataset(dataset, again.dataset);
    expect(again.meanReturn).toBe(meanReturn);
    const other = collectDataset(env, rule, { steps: 2000, randomMix: 0.5, seed: 8 });
    expect(Buffer.from(other.dataset.actions.buffer).equals(Buffer.from(dataset.actions.buffer))).toBe(false);
  });

  it('collects from a vector env: exact step count, final observations, a timeout closing each env', () => {
    const make = () =>
      new ContextualBanditEnv({ numContexts: 3, numActions: 2, episodeLength: 4, noiseStd: 0.1 });
    const venv = new SyncVectorEnv(() => make() as Env, 3);
    const { dataset, episodeReturns: rets } = collectDataset(venv, () => 1, {
      steps: 50,
      seed: 3,
      baseline: () => 0,
    });
    expect(dataset.size).toBe(50);
    expect(dataset.baseline).toBeDefined();
    expect(Array.from(dataset.baseline!).every((b) => b === 0)).toBe(true);
    expect(Array.from(dataset.actions).every((a) => a === 1)).toBe(true);
    // Per-env trajectories are contiguous (17, 17, 16 rows); each ends in a terminal or a timeout.
    const ends = [16, 33, 49];
    for (const e of ends) expect(dataset.terminals[e] + dataset.timeouts[e]).toBe(1);
    expect(rets.length).toBeGreaterThanOrEqual(12);
    // In the bandit, next_obs of a step is the next step's obs inside an episode.
    for (let i = 0; i < 16; i++) {
      if (dataset.terminals[i]) continue;
      expect(Array.from(dataset.nextObs.subarray(i * 3, i * 3 + 3))).toEqual(
        Array.from(dataset.obs.subarray((i + 1) * 3, (i + 2) * 3)),
      );
    }
  });

  it('randomAction honours masks and box bounds', () => {
    const rng = new Rng(1);
    const mask = Uint8Array.from([0, 1, 0, 1, 0, 0]);
    for (let i = 0; i < 50; i++) {
      const a = randomAction({ kind: 'multi-discrete', nvec: [3, 3] }, rng, mask) as Int32Array;
      expect(a[0]).toBe(1);
      expect(a[1]).toBe(0);
      const b = randomAction(
        { kind: 'box', shape: [2], low: -0.5, high: Float32Array.from([0, 2]) },
        rng,
      ) as Float32Array;
      expect(b[0]).toBeGreaterThanOrEqual(-0.5);
      expect(b[1]).toBeLessThan(2);
    }
    expect(() => randomAction({ kind: 'box', shape: [1], low: -Infinity, high: 1 }, rng)).toThrow(
      /bounded Box/,
    );
  });

  it('evaluatePolicy returns one return per episode', () => {
    const env = new ContextualBanditEnv({ numContexts: 4, numActions: 3, episodeLength: 5, noiseStd: 0 });
    const rets = evaluatePolicy(env, banditRule(env), { episodes: 20, seed: 1 });
    expect(rets).toHaveLength(20);
    for (const r of rets)
      expect(r).toBeGreaterThanOrEqual(5 * Math.min(...env.means.map((m) => Math.max(...m))) - 1e-9);
  });
});

describe('binary format', () => {
  it('round-trips bit-exactly (multi-discrete + strength + baseline)', () => {
    const ds = richDataset(101, 3);
    const bytes = encodeDatasetBinary(ds);
    const back = decodeDatasetBinary(bytes);
    expectSameDataset(ds, back);
    expect(back.meta.notes).toEqual({ assets: 2, kind: 'unit' });
    expect(back.meta.observationSpace.low).toBe(-Infinity);
    expect(Array.from(back.meta.observationSpace.high as Float32Array)).toEqual([1, 2, Infinity]);
    // Also from an unaligned copy inside a bigger buffer, and from an ArrayBuffer.
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expectSameDataset(ds, decodeDatasetBinary(shifted.subarray(3)));
    expectSameDataset(ds, decodeDatasetBinary(bytes.slice().buffer));
    // And from a Node Buffer (what readFileSync returns: a view into a shared pool, whose slice is no copy).
    const pooled = Buffer.concat([Buffer.alloc(5), Buffer.from(bytes)]).subarray(5);
    expectSameDataset(ds, decodeDatasetBinary(pooled));
  });

  it('round-trips a collected Box dataset bit-exactly', () => {
    const env = new ContextualBanditEnv({ mode: 'box', numHeads: 2, numContexts: 3, episodeLength: 3 });
    const { dataset } = collectDataset(env, () => Float32Array.from([0.1, -0.2]), {
      steps: 64,
      randomMix: 0.3,
      seed: 2,
    });
    expect(dataset.actions).toBeInstanceOf(Float32Array);
    expectSameDataset(dataset, decodeDatasetBinary(encodeDatasetBinary(dataset)));
    expectSameDataset(dataset, datasetFromCsv(datasetToCsv(dataset)));
  });

  it('rejects damaged files with errors naming the field', () => {
    const bytes = encodeDatasetBinary(richDataset(10, 1));
    expect(() => decodeDatasetBinary(bytes.subarray(0, 5), 'x.bin')).toThrow(/x\.bin: file is 5 bytes/);
    const badMagic = bytes.slice();
    badMagic[0] = 0x41;
    expect(() => decodeDatasetBinary(badMagic)).toThrow(/not an RL Trading Lab dataset/);
    expect(() => decodeDatasetBinary(bytes.subarray(0, bytes.length - 8), 'cut.bin')).toThrow(
      /cut\.bin, field 'header\.arrays\.\w+': data runs past the end/,
    );
    // Corrupt the header's size (same byte length, so the JSON stays valid).
    const text = new TextDecoder().decode(bytes);
    const i = text.indexOf('"size":10');
    const edited = bytes.slice();
    edited.set(new TextEncoder().encode('"size":-1'), i);
    expect(() => decodeDatasetBinary(edited)).toThrow(/field 'header\.size'/);
    // An action out of range inside the arrays names the row and the field.
    const ds = richDataset(10, 1);
    ds.actions[2 * 2 + 1] = 5;
    expect(() => decodeDatasetBinary(encodeDatasetBinary(ds), 'r.bin')).toThrow(
      /r\.bin, row 3, field 'action_1': action 5 is outside \[0, 3\)/,
    );
  });
});

describe('CSV format', () => {
  it('round-trips bit-exactly, with the meta line', () => {
    const ds = richDataset(57, 9);
    const csv = datasetToCsv(ds);
    expect(csv.split('\n')[1]).toBe(
      'obs_0,obs_1,obs_2,action_0,action_1,strength,baseline_0,baseline_1,reward,next_obs_0,next_obs_1,next_obs_2,done,timeout',
    );
    expectSameDataset(ds, datasetFromCsv(csv));
  });

  it('writes the shortest float32 decimal (property: parse(format(x)) === x for any float32)', () => {
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(3)).toBe('3');
    expect(Object.is(Number(formatFloat32(-0)), -0)).toBe(true);
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(Math.fround(Number(formatFloat32(x)))).toBe(Math.fround(x));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a user file without meta or next_obs: infers spaces, chains next observations', () => {
    const csv = [
      'obs_0,obs_1,action,reward,done',
      '0.5,1,2,1.5,0',
      '0.25,2,0,-1,0',
      '',
      '0.125,3,1,0,1',
      '1,4,1,2,0',
      '2,5,0,0,0',
    ].join('\r\n');
    const ds = datasetFromCsv(csv, { file: 'mine.csv' });
    expect(ds.meta.actionSpace).toEqual({ kind: 'discrete', n: 3 });
    expect(ds.meta.source).toBe('file:mine.csv');
    expect(ds.size).toBe(5);
    expect(Array.from(ds.nextObs)).toEqual([0.25, 2, 0.125, 3, 0.125, 3, 2, 5, 2, 5]);
    expect(Array.from(ds.terminals)).toEqual([0, 0, 1, 0, 0]);
    expect(Array.from(ds.timeouts)).toEqual([0, 0, 0, 0, 1]);
    expect(ds.strength).toBeUndefined();
    // Non-integer multi-column actions → a Box space.
    const box = datasetFromCsv('obs_0,action_0,action_1,reward,done\n1,0.5,-1,0,0\n2,0.25,1,1,1\n');
    expect(box.meta.actionSpace).toEqual({ kind: 'box', shape: [2], low: -Infinity, high: Infinity });
    expect(box.actions).toBeInstanceOf(Float32Array);
  });

  it('names the file, line and column of bad input', () => {
    const err = (csv: string, opts = {}) => {
      try {
        datasetFromCsv(csv, { file: 'u.csv', ...opts });
      } catch (e) {
        expect(e).toBeInstanceOf(DatasetFormatError);
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(err('obs_0,action,reward,done\n1,0,0,0\n1,x,0,0\n')).toBe(
      "u.csv, line 3, field 'action': expected a finite number, got 'x'",
    );
    expect(err('obs_0,action,reward,done\n1,0,0,0\n1,0,0\n')).toBe(
      'u.csv, line 3: expected 4 fields (as in the header), found 3',
    );
    expect(err('obs_0,action,done\n1,0,0\n')).toBe("u.csv, line 1, field 'reward': no 'reward' column");
    expect(err('obs_0,obs_2,action,reward\n1,0,0,0\n')).toMatch(
      /line 1, field 'obs_1': columns obs_0 … obs_1 expected/,
    );
    expect(err('obs_0,action,reward,done\n1,0,0,2\n')).toBe(
      "u.csv, line 2, field 'done': expected 0 or 1, got '2'",
    );
    expect(err('obs_0,action,reward,done\n1,0,0,0\n1,3,NaN,0\n')).toBe(
      "u.csv, line 3, field 'reward': expected a finite number, got 'NaN'",
    );
    expect(
      err('obs_0,action,reward,done\n1,0,0,0\n1,3,0,0\n', { actionSpace: { kind: 'discrete', n: 3 } }),
    ).toBe("u.csv, line 3, field 'action': action 3 is outside [0, 3)");
    expect(err('obs_0,action,reward,done\n1,0.5,0,0\n', { actionSpace: { kind: 'discrete', n: 3 } })).toMatch(
      /line 2, field 'action': a discrete action must be an integer/,
    );
    expect(err('# rl-trading-lab dataset {"source":1}\nobs_0,action,reward,done\n1,0,0,0\n')).toMatch(
      /^u\.csv, field 'meta\.observationSpace'/,
    );
    expect(err('')).toBe('u.csv: the file is empty');
  });
});

describe('dataset helpers', () => {
  it('subset, class counts, validation', () => {
    const ds = richDataset(20, 4);
    const sub = subsetDataset(ds, [3, 1]);
    expect(sub.size).toBe(2);
    expect(Array.from(sub.obs.subarray(0, 3))).toEqual(Array.from(ds.obs.subarray(9, 12)));
    expect(Array.from(sub.baseline!)).toEqual([
      ...ds.baseline!.subarray(6, 8),
      ...ds.baseline!.subarray(2, 4),
    ]);
    const counts = classCounts(ds);
    expect(counts).toHaveLength(2);
    expect(counts[0].reduce((a, b) => a + b, 0)).toBe(20);
    const bad = { ...ds, obs: ds.obs.slice() };
    bad.obs[5] = NaN;
    expect(() => validateDataset(bad, 'mem')).toThrow("mem, row 2, field 'obs_2': not a finite number (NaN)");
  });
});
