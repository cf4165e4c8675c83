import { describe, expect, it } from 'vitest';
import { defaultExperiment, flatValues, hashOfExperiment, setValueIn } from '../../store/experiment.ts';
import { experimentOfPoint, labelOf, suggestValues, sweepKeysFor } from './keys.ts';
import { AGENT_FIELDS } from '../../core/experiment/vocabulary.ts';

describe('sweep keys from the core vocabulary', () => {
  it('lists the shown fields by dotted path, following algorithm and env kind', () => {
    const e = defaultExperiment();
    const keys = sweepKeysFor(e).map((k) => k.key);
    expect(keys).toContain('agent.learningRate');
    expect(keys).toContain('env.feeRate');
    expect(keys).not.toContain('agent.clipCoef');
    expect(keys).not.toContain('env.maxWeight');
    expect(keys).not.toContain('algo');
    const ppo = sweepKeysFor(setValueIn(setValueIn(e, 'algo', 'ppo'), 'envKind', 'portfolio')).map(
      (k) => k.key,
    );
    expect(ppo).toContain('agent.clipCoef');
    expect(ppo).toContain('env.maxWeight');
    expect(ppo).not.toContain('env.feeRate');
    expect(sweepKeysFor(e)[0].group).toBe('Agent');
  });

  it('suggests the current value first and one within range', () => {
    const lr = AGENT_FIELDS.a2c.find((f) => f.path === 'agent.learningRate')!;
    expect(suggestValues(lr, 7e-4)).toEqual([7e-4, 0.0014]);
    const encoder = AGENT_FIELDS.a2c.find((f) => f.path === 'agent.network.encoder')!;
    expect(suggestValues(encoder, 'timecnn')).toEqual(['timecnn', 'mlp', 'transformer']);
  });

  it('a sweep point becomes a lab experiment whose link carries the point', () => {
    const e = experimentOfPoint(
      defaultExperiment(),
      { 'agent.learningRate': 0.003, 'agent.network.activation': 'relu' },
      11,
    );
    expect(flatValues(e)['agent.learningRate']).toBe(0.003);
    expect(flatValues(e).seed).toBe(11);
    expect(hashOfExperiment(e)).toContain('agent.network.activation=%22relu%22');
    expect(labelOf('agent.clipCoef')).toBe('Clip ε');
    expect(labelOf('custom.key')).toBe('custom.key');
  });
});
