import { describe, expect, it } from 'vitest';
import { choice, num } from '../experiment/fields.ts';
import {
  getWorkflow,
  readsSignalsFile,
  workflowSettings,
  workflowSettingsError,
  workflowValues,
  type WorkflowDef,
} from './registry.ts';

// A workflow with settings of its own, as seeds 000/004 declare them.
const toy: WorkflowDef = {
  ...getWorkflow('market'),
  id: 'toy',
  fields: [
    num('toy.maxWeight', 'Max weight', 0.2, 0.01, 1, 'cap'),
    choice(
      'toy.mode',
      'Mode',
      'a',
      [
        { value: 'a', label: 'A' },
        { value: 'b', label: 'B' },
      ],
      'mode',
    ),
    num('toy.nested.beta', 'Beta', 1, 0, 10, 'nested'),
  ],
};
const list = [getWorkflow('market'), toy];

describe('workflow settings (the object under a workflow id)', () => {
  it('fills every declared field with its default, under what the config sets', () => {
    const cfg = { workflow: 'toy', toy: { maxWeight: 0.5, nested: { beta: 3 } } };
    expect(workflowValues(cfg, list)).toEqual({
      'toy.maxWeight': 0.5,
      'toy.mode': 'a',
      'toy.nested.beta': 3,
    });
    expect(workflowSettings(cfg, list)).toEqual({ maxWeight: 0.5, mode: 'a', nested: { beta: 3 } });
    expect(workflowValues({ workflow: 'market' }, list)).toEqual({});
    expect(workflowSettings({ workflow: 'market' }, list)).toBeUndefined();
  });

  it('names the dotted path of an unknown, out-of-range or misplaced setting', () => {
    expect(workflowSettingsError({ workflow: 'toy', toy: { maxWeight: 0.5 } }, list)).toBeNull();
    expect(workflowSettingsError({ workflow: 'toy', toy: { maxWeight: 2 } }, list)).toMatch(
      /^toy\.maxWeight: must be ≤ 1/,
    );
    expect(workflowSettingsError({ workflow: 'toy', toy: { mode: 'c' } }, list)).toMatch(
      /^toy\.mode: must be one of a, b/,
    );
    expect(workflowSettingsError({ workflow: 'toy', toy: { maxWieght: 0.1 } }, list)).toMatch(
      /^toy\.maxWieght: not a setting of workflow toy \(known: toy\.maxWeight/,
    );
    expect(workflowSettingsError({ workflow: 'market', toy: {} }, list)).toMatch(
      /^toy: settings of workflow toy, but the config's workflow is market/,
    );
    expect(workflowSettingsError({ workflow: 'toy', toy: 3 }, list)).toMatch(/^toy: expected an object/);
  });

  it('a workflow reads the loaded signals CSV exactly when its posts source says file', () => {
    expect(readsSignalsFile('kol', { 'kol.signals': 'file' })).toBe(true);
    expect(readsSignalsFile('kol', { 'kol.signals': 'synthetic' })).toBe(false);
    expect(readsSignalsFile('ensemble', { 'ensemble.news': 'file' })).toBe(true);
    expect(readsSignalsFile('ensemble', { 'kol.signals': 'file' })).toBe(false);
    expect(readsSignalsFile('market', { 'kol.signals': 'file' })).toBe(false);
  });
});
