import { describe, expect, it } from 'vitest';
import { AGENT_FIELDS, COMMON_FIELDS } from '../../core/experiment/vocabulary.ts';
import { learnEntry } from './glossary.ts';

describe('Learn glossary', () => {
  it('has an entry for every field that links to one', () => {
    const fields = [...COMMON_FIELDS, ...Object.values(AGENT_FIELDS).flat()];
    const missing = fields.filter((f) => f.learn && !learnEntry(f.learn)).map((f) => f.learn);
    expect(missing).toEqual([]);
  });
});
