/** The supplychain workflow declaration: defaults are `lab scml train`'s and core's, values map to the runner's settings. */
import { describe, expect, it } from 'vitest';
import { defaultL2BcConfig } from '../agents/scmlL2.ts';
import { l2PpoDefaults } from '../agents/scmlL2Ppo.ts';
import { defaultsOf, validateValues } from '../experiment/fields.ts';
import { getWorkflow, needsPriceData, RESULT_SECTIONS } from '../workflows/registry.ts';
import { configOptionsOf, tournamentAgents } from './runner.ts';
import { SUPPLYCHAIN_FIELDS, supplyChainFromValues, supplyChainWorkflow } from './workflow.ts';

describe('supplychain workflow', () => {
  it('field defaults are valid and the training budget is the library defaults', () => {
    const d = defaultsOf(SUPPLYCHAIN_FIELDS);
    expect(validateValues(SUPPLYCHAIN_FIELDS, d)).toEqual({});
    const s = supplyChainFromValues(d);
    expect(s.mode).toBe('tournament');
    expect(s.builtins).toEqual(['penguin', 'greedy', 'syncrandom', 'random']);
    expect(s.hrl).toBe(true);
    expect(s.bcEpochs).toBe(defaultL2BcConfig.epochs);
    expect(s.ppoSteps).toBe(l2PpoDefaults.totalSteps);
    // Drawn from the tournament ranges unless pinned.
    expect(configOptionsOf(s)).toBeUndefined();
    expect(configOptionsOf({ ...s, days: 30, processes: 3 })).toEqual({ nSteps: 30, nProcesses: 3 });
  });

  it('agents: the checked ones; train-hrl puts the trained variants first', () => {
    const s = supplyChainFromValues({ 'supplychain.agents.greedy': false, 'supplychain.agents.hrl': false });
    expect(tournamentAgents(s, { ppo: false })).toEqual(['penguin', 'syncrandom', 'random']);
    const t = { ...s, mode: 'train-hrl' as const, hrl: true };
    expect(tournamentAgents(t, { ppo: true })).toEqual([
      'lita:ppo',
      'lita:bc',
      'lita:l1',
      'penguin',
      'syncrandom',
      'random',
    ]);
    expect(tournamentAgents({ ...t, ablations: false }, { ppo: true })[1]).toBe('lita:l1');
    // No PPO budget: the clone is the trained agent.
    expect(tournamentAgents({ ...t, ablations: false }, { ppo: false })[0]).toBe('lita:bc');
  });

  it('training settings show only in train-hrl mode; ranges are checked', () => {
    const ppo = SUPPLYCHAIN_FIELDS.find((f) => f.path === 'supplychain.ppoSteps')!;
    expect(ppo.when!({ 'supplychain.mode': 'tournament' })).toBe(false);
    expect(ppo.when!({ 'supplychain.mode': 'train-hrl' })).toBe(true);
    expect(
      validateValues(SUPPLYCHAIN_FIELDS, { ...defaultsOf(SUPPLYCHAIN_FIELDS), 'supplychain.worlds': 0 }),
    ).toEqual({ 'supplychain.worlds': 'must be ≥ 1' });
  });

  it("is declared in the registry's shape and needs no price data", () => {
    expect(getWorkflow('supplychain')).toBe(supplyChainWorkflow);
    expect(supplyChainWorkflow.seed).toBe('001');
    expect(supplyChainWorkflow.data.kinds).toEqual([]);
    expect(needsPriceData('supplychain')).toBe(false);
    expect(needsPriceData('market')).toBe(true);
    for (const r of supplyChainWorkflow.results)
      if (!r.startsWith('supplychain-')) expect(RESULT_SECTIONS as readonly string[]).toContain(r);
    expect(new Set(SUPPLYCHAIN_FIELDS.map((f) => f.path)).size).toBe(SUPPLYCHAIN_FIELDS.length);
    expect(SUPPLYCHAIN_FIELDS.every((f) => f.path.startsWith('supplychain.'))).toBe(true);
  });
});
