/** The lexicon scorers' names, apart from the lexicons (the lab's page reads these without bundling them). */
export const SCORERS = ['afinn-fin', 'vader'] as const;
export type ScorerName = (typeof SCORERS)[number];
export const DEFAULT_SCORER: ScorerName = 'afinn-fin';

export function isScorerName(s: string): s is ScorerName {
  return (SCORERS as readonly string[]).includes(s);
}
