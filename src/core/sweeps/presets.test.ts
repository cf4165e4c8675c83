import { describe, expect, it } from 'vitest';
import { getPath, expandSweep, parseSweepSpec, sweptKeys } from './spec.ts';
import { PRESET_DATA, SWEEP_PRESETS, getSweepPreset } from './presets.ts';
import { validateSweep } from './validate.ts';
import { resolveExperimentConfig } from '../experiment/config.ts';

describe('tied parameters', () => {
  const input = {
    params: [
      {
        key: 'env.buyPct',
        values: { kind: 'list', values: [0.2, 0.1] },
        tied: { 'env.sellPct': [0.5, 0.3] },
      },
      { key: 'agent.entCoef', values: { kind: 'list', values: [0, 0.05] } },
    ],
  };

  it('move together in grid and random mode', () => {
    const grid = expandSweep(parseSweepSpec(input));
    expect(grid.map((r) => r.point)).toEqual([
      { 'env.buyPct': 0.2, 'env.sellPct': 0.5, 'agent.entCoef': 0 },
      { 'env.buyPct': 0.2, 'env.sellPct': 0.5, 'agent.entCoef': 0.05 },
      { 'env.buyPct': 0.1, 'env.sellPct': 0.3, 'agent.entCoef': 0 },
      { 'env.buyPct': 0.1, 'env.sellPct': 0.3, 'agent.entCoef': 0.05 },
    ]);
    expect(getPath(grid[2].config, 'env.sellPct')).toBe(0.3);
    const rnd = expandSweep(parseSweepSpec({ ...input, mode: 'random', samples: 12 }));
    for (const r of rnd) expect(r.point['env.sellPct']).toBe(r.point['env.buyPct'] === 0.2 ? 0.5 : 0.3);
  });

  it('must match the list length and cannot repeat a key', () => {
    expect(() =>
      parseSweepSpec({ params: [{ key: 'a', values: { kind: 'list', values: [1, 2] }, tied: { b: [1] } }] }),
    ).toThrow(/params\.a\.tied\.b: 1 values for 2/);
    expect(() =>
      parseSweepSpec({
        params: [{ key: 'a', values: { kind: 'range', min: 0, max: 1, steps: 2 }, tied: { b: [1, 2] } }],
      }),
    ).toThrow(/only list/);
    expect(() =>
      parseSweepSpec({
        params: [
          { key: 'a', values: { kind: 'list', values: [1] }, tied: { b: [1] } },
          { key: 'b', values: { kind: 'list', values: [2] } },
        ],
      }),
    ).toThrow(/'b' appears twice/);
  });
});

describe('sweep presets', () => {
  it('every preset sets only keys that exist in the default experiment config, and every point resolves', async () => {
    for (const preset of SWEEP_PRESETS) {
      const spec = preset.spec();
      const { base, runs } = await validateSweep(spec);
      expect(runs.length, preset.id).toBeGreaterThan(1);
      expect(sweptKeys(spec).length, preset.id).toBeGreaterThan(0);
      // The swept values reach the resolved config of a run.
      const last = runs[runs.length - 1];
      const resolved = await resolveExperimentConfig(last.config);
      for (const [k, v] of Object.entries(last.point))
        expect(getPath(resolved, k), `${preset.id} ${k}`).toEqual(v);
      if (preset.id.startsWith('kol')) expect(base.workflow).toBe('kol');
      else expect(base.algo).toBe(preset.id.startsWith('ppo') ? 'ppo' : 'a2c');
    }
  });

  it('the QTMRL matrix is the full 3×2×2×2×2×2 factorial on QTMRL settings', async () => {
    const spec = getSweepPreset('qtmrl-matrix').spec();
    expect(expandSweep(spec)).toHaveLength(96);
    const base = await resolveExperimentConfig(spec.base);
    expect(base.preset).toBe('qtmrl');
    expect(base.agent.gamma).toBe(0.96);
    expect(base.agent.network).toMatchObject({ encoder: 'timecnn' });
    expect(base.features.window).toBe(20);
    expect(base.features.sma).toEqual([10, 20, 50]);
    expect(getSweepPreset('ppo-lr-entropy').spec().params[0].key).toBe('agent.learningRate');
    expect(expandSweep(getSweepPreset('ppo-lr-entropy').spec())).toHaveLength(40);
    // Seed 000's frontier: λ × scale × max weight on the kol workflow.
    const kol = getSweepPreset('kol-frontier').spec();
    expect(expandSweep(kol)).toHaveLength(24);
    expect((await resolveExperimentConfig(kol.base)).workflow).toBe('kol');
  });

  it('a preset on a user base keeps the data but not hyperparameters of another algorithm; a typo key is refused', async () => {
    const spec = getSweepPreset('qtmrl-entropy').spec({
      data: { kind: 'embedded', name: 'sp500' },
      algo: 'ppo',
      agent: { numMinibatches: 8 },
    });
    expect(spec.base.data).toEqual({ kind: 'embedded', name: 'sp500' });
    await expect(validateSweep(spec)).resolves.toBeTruthy();
    const bad = parseSweepSpec({
      base: PRESET_DATA,
      params: [{ key: 'agent.entropy', values: { kind: 'list', values: [0, 1] } }],
    });
    await expect(validateSweep(bad)).rejects.toThrow(/'agent\.entropy' is not a key/);
    const nested = parseSweepSpec({
      base: PRESET_DATA,
      params: [{ key: 'agent.network.encodr', values: { kind: 'list', values: ['mlp'] } }],
    });
    await expect(validateSweep(nested)).rejects.toThrow(/agent\.network\.encodr/);
    const badValue = parseSweepSpec({
      base: PRESET_DATA,
      params: [{ key: 'features.preset', values: { kind: 'list', values: ['all', 'none'] } }],
    });
    await expect(validateSweep(badValue)).rejects.toThrow(
      /point 1 \(features\.preset=none\).*features\.preset/,
    );
  });
});
