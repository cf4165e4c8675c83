import { describe, expect, it } from 'vitest';
import { parseLink } from '../../core/experiment/link.ts';
import { defaultExperiment, hashOfExperiment, setValueIn } from '../../store/experiment.ts';
import { cliCommand, configFileName, configJson, experimentName } from './configExport.ts';

describe('config export', () => {
  it('the file is the experiment config the share link describes, named', () => {
    const e = setValueIn(setValueIn(defaultExperiment(), 'algo', 'ppo'), 'agent.learningRate', 0.001);
    const name = experimentName(e);
    expect(name).toBe('market-ppo-seed1');
    const file = JSON.parse(configJson(e)) as Record<string, unknown>;
    expect(file).toEqual({ ...parseLink(hashOfExperiment(e)).config, name });
    expect((file.agent as Record<string, unknown>).learningRate).toBe(0.001);
    expect(file.workflow).toBe('market');
  });

  it('the CLI command trains that file; CSV data asks for the files', () => {
    const e = defaultExperiment();
    expect(cliCommand(e, 'my run')).toBe('npx lab train --config my_run.config.json --out runs/my_run');
    expect(configFileName('a/b')).toBe('a_b.config.json');
    expect(cliCommand(setValueIn(e, 'data.kind', 'panel'), 'x')).toContain('--data <your CSV files>');
  });
});
