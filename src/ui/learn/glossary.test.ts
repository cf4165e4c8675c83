import { describe, expect, it } from 'vitest';
import { ALGO_FIELDS } from '../../store/algorithms.ts';
import { SECTIONS } from '../../store/experiment.ts';
import { learnEntry } from './glossary.ts';

describe('Learn glossary', () => {
  it('has an entry for every field that links to one', () => {
    const fields = [...Object.values(SECTIONS).flat(), ...Object.values(ALGO_FIELDS).flat()];
    const missing = fields.filter((f) => f.learn && !learnEntry(f.learn)).map((f) => f.learn);
    expect(missing).toEqual([]);
  });
});
