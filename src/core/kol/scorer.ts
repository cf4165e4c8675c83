/**
 * Sentiment of a post's text, in the browser, with nothing downloaded at run time: two lexicon
 * scorers from npm, both bundled with the app.
 *
 * 'afinn-fin' (default) — the AFINN-165 word list with ~170 finance words added or re-rated
 *   (`afinn-165-financialmarketnews`, MIT: `raises` +1, `bankruptcy` −3, `crash` −2, `bullish` +1),
 *   plus the short supplement below for finance words it lacks (`bearish`, `downgrade`, `soar`,
 *   `outperform`…; only words absent from the list, never a re-rating). Scoring follows VADER's
 *   arithmetic: the valences of the words (two-word entries first) are summed, a word within
 *   three words after a negation (not, no, never, n't…) is multiplied by −0.74, and the sum s is
 *   squashed to s / √(s² + 15) ∈ (−1, 1).
 * 'vader' — `vader-sentiment` (Apache-2.0), the JavaScript port of VADER (Hutto & Gilbert 2014):
 *   its social-media lexicon with negation, intensifiers, capitals, punctuation and "but" rules;
 *   the score is its `compound`.
 *
 * Known limits (label these scores as rough): neither scorer reports accuracy on financial text;
 * third-party measurements put VADER near 0.57 accuracy / ROC-AUC on financial phrases and
 * tweets, far below supervised models (FinBERT-class models reach ~0.85–0.9 on Financial
 * PhraseBank). Lexicons miss sarcasm, numbers ("EPS $1.20 vs $0.95 expected"), domain senses
 * (AFINN rates `overweight` −1, a buy rating to an analyst; VADER rates `short` and `bull`
 * from everyday English), targets (a post praising AAPL while trashing MSFT scores once for
 * both tickers) and hedging. Confidence for scored text is |score| unless the file gives one.
 */
import { afinn165FinancialMarketNews } from 'afinn-165-financialmarketnews';
import vader from 'vader-sentiment';

import { DEFAULT_SCORER, type ScorerName } from './scorerNames.ts';

export { DEFAULT_SCORER, SCORERS, isScorerName, type ScorerName } from './scorerNames.ts';

/** Finance words absent from afinn-165-financialmarketnews (a test checks they stay absent). */
export const FINANCE_SUPPLEMENT: Readonly<Record<string, number>> = Object.freeze({
  bearish: -1,
  downgrade: -2,
  downgrades: -2,
  downgraded: -2,
  upgrades: 1,
  outperform: 2,
  outperforms: 2,
  outperformed: 2,
  soar: 2,
  soars: 2,
  soared: 2,
  soaring: 2,
  beats: 1,
  misses: -2,
  selloff: -2,
  plummet: -3,
  plummets: -3,
  plummeted: -3,
  tanked: -3,
  skyrocket: 3,
  surges: 1,
  surged: 1,
  buy: 1,
  sell: -1,
  breakout: 1,
  breakdown: -1,
  uptrend: 1,
  downtrend: -1,
  slump: -2,
  slumps: -2,
  declined: -1,
  jumps: 1,
});

/** VADER's negation scalar and normalisation constant. */
const NEGATION_SCALAR = -0.74;
const ALPHA = 15;
const NEGATIONS = new Set([
  'not',
  'no',
  'never',
  'none',
  'nobody',
  'nothing',
  'neither',
  'nor',
  'cannot',
  'without',
  'hardly',
  'dont',
  'doesnt',
  'didnt',
  'isnt',
  'arent',
  'wasnt',
  'werent',
  'wont',
  'cant',
  'couldnt',
  'shouldnt',
  'wouldnt',
  'aint',
]);

const hasOwn = Object.prototype.hasOwnProperty;

function valence(word: string): number | undefined {
  if (hasOwn.call(afinn165FinancialMarketNews, word)) return afinn165FinancialMarketNews[word];
  if (hasOwn.call(FINANCE_SUPPLEMENT, word)) return FINANCE_SUPPLEMENT[word];
  return undefined;
}

/** Lower-case word tokens; cashtags ($AAPL), URLs and numbers are dropped; "n't" joins its word (isn't → isnt). */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\$[a-z][a-z0-9.-]*/g, ' ')
    .replace(/[’`]/g, "'")
    .replace(/'/g, '')
    .split(/[^a-z]+/)
    .filter((w) => w.length > 0);
}

export interface TextScore {
  /** In [−1, 1]; 0 when no lexicon word was found. */
  score: number;
  /** Lexicon words (or two-word entries) that counted. */
  hits: number;
}

function scoreAfinnFin(text: string): TextScore {
  const words = tokenize(text);
  let sum = 0;
  let hits = 0;
  for (let i = 0; i < words.length; i++) {
    let v: number | undefined;
    let span = 1;
    if (i + 1 < words.length) {
      v = valence(`${words[i]} ${words[i + 1]}`);
      if (v !== undefined) span = 2;
    }
    if (v === undefined) v = valence(words[i]);
    if (v !== undefined && (span === 2 || !NEGATIONS.has(words[i]))) {
      let negated = false;
      for (let k = Math.max(0, i - 3); k < i; k++) if (NEGATIONS.has(words[k])) negated = true;
      // A two-word entry such as "not good" already carries its negation.
      if (negated && span === 1) v *= NEGATION_SCALAR;
      sum += v;
      hits++;
    }
    i += span - 1;
  }
  return { score: hits === 0 ? 0 : sum / Math.sqrt(sum * sum + ALPHA), hits };
}

function scoreVader(text: string): TextScore {
  const r = vader.SentimentIntensityAnalyzer.polarity_scores(text);
  const hits = r.compound === 0 && r.neu === 1 ? 0 : 1;
  return { score: r.compound, hits };
}

/** Sentiment of a text in [−1, 1] by the named scorer. */
export function scoreText(text: string, scorer: ScorerName = DEFAULT_SCORER): TextScore {
  return scorer === 'vader' ? scoreVader(text) : scoreAfinnFin(text);
}
