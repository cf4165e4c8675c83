/** The kol workflow declaration and its fields: defaults are core's, values map to the configs. */
import { describe, expect, it } from 'vitest';
import { defaultsOf, validateValues } from '../experiment/fields.ts';
import { getWorkflow, RESULT_SECTIONS } from '../workflows/registry.ts';
import { DEFAULT_KOL_PREPARE } from './prepare.ts';
import { KOL_SYNTHETIC_DEFAULTS } from './synthetic.ts';
import { DEFAULT_KOL_RESIDUAL } from './residualConfig.ts';
import { KOL_FIELDS, kolConfigFromValues, kolResidualFromValues, kolWorkflow } from './workflow.ts';

describe('kol workflow', () => {
  it('field defaults are core defaults and valid', () => {
    const d = defaultsOf(KOL_FIELDS);
    expect(validateValues(KOL_FIELDS, d)).toEqual({});
    const { prepare, synthetic, scorer } = kolConfigFromValues(d);
    expect(prepare).toEqual({
      maxWeight: DEFAULT_KOL_PREPARE.maxWeight,
      holdDecay: DEFAULT_KOL_PREPARE.holdDecay,
      feeRate: DEFAULT_KOL_PREPARE.feeRate,
      dateOnly: DEFAULT_KOL_PREPARE.dateOnly,
      split: DEFAULT_KOL_PREPARE.split,
    });
    const { authors: _authors, ...knobs } = KOL_SYNTHETIC_DEFAULTS;
    expect(synthetic).toEqual(knobs);
    expect(scorer).toBe('afinn-fin');
    const residual = kolResidualFromValues(d, 7);
    expect(residual).toEqual({ ...DEFAULT_KOL_RESIDUAL, seed: 7 });
  });

  it('maps values, hides the generator for a signals file, and rejects out-of-range values', () => {
    const m = kolConfigFromValues({ 'kol.signals': 'file', 'kol.maxWeight': 0.1, 'kol.split.train': 0.5 });
    expect(m.synthetic).toBeNull();
    expect(m.prepare.maxWeight).toBe(0.1);
    expect(m.prepare.split).toEqual({ kind: 'fractions', train: 0.5, valid: 0.2 });
    const gen = KOL_FIELDS.find((f) => f.path === 'kol.synthetic.accuracy')!;
    expect(gen.when!({ 'kol.signals': 'file' })).toBe(false);
    expect(gen.when!({})).toBe(true);
    expect(validateValues(KOL_FIELDS, { ...defaultsOf(KOL_FIELDS), 'kol.maxWeight': 2 })).toEqual({
      'kol.maxWeight': 'must be ≤ 1',
    });
  });

  it("is declared in the registry's shape", () => {
    expect(kolWorkflow.id).toBe('kol');
    expect(kolWorkflow.seed).toBe('000');
    for (const r of kolWorkflow.results)
      if (!r.startsWith('kol-')) expect(RESULT_SECTIONS as readonly string[]).toContain(r);
    expect(getWorkflow('kol')).toBe(kolWorkflow);
    expect(kolWorkflow.fields).toBe(KOL_FIELDS);
    expect(new Set(KOL_FIELDS.map((f) => f.path)).size).toBe(KOL_FIELDS.length);
  });
});
