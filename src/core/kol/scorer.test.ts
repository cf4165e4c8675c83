/** Lexicon scorers: rules (negation, two-word entries, squashing), the supplement, and a small labelled sanity set. */
import { afinn165FinancialMarketNews } from 'afinn-165-financialmarketnews';
import { describe, expect, it } from 'vitest';
import { FINANCE_SUPPLEMENT, scoreText, tokenize } from './scorer.ts';

/**
 * A small sanity set written for this test (not a benchmark): KOL-style finance sentences with an
 * unambiguous direction. Published measurements on real financial text are far lower (see scorer.ts).
 */
const SANITY_SET: readonly [string, 1 | -1][] = [
  ['Huge earnings beat, raising my price target. Bullish!', 1],
  ['Revenue growth is strong and margins keep improving', 1],
  ['This stock will soar after the upgrade', 1],
  ['Record profit this quarter, great buy here', 1],
  ['The company outperforms every competitor, I love it', 1],
  ['Undervalued gem with a solid dividend', 1],
  ['Analysts upgraded it to buy, strong momentum', 1],
  ['Breakout confirmed, uptrend intact', 1],
  ['Massive rally today, shares surged on the news', 1],
  ['Best performing stock in my portfolio, very happy', 1],
  ['Guidance raised again, impressive execution', 1],
  ['I am adding more, this is a winner', 1],
  ['Not a bad quarter at all, solid gains', 1],
  ['Innovation leader with huge upside', 1],
  ['Stock crashed after the fraud allegations', -1],
  ['Terrible quarter, revenue missed and margins collapsed', -1],
  ['Downgraded to sell, weak demand', -1],
  ['Bankruptcy risk is real, stay away', -1],
  ['Shares plummeted on the lawsuit news', -1],
  ['Bearish: the downtrend continues', -1],
  ['Losses keep growing, I sold everything', -1],
  ['Layoffs and a recession will hurt this company', -1],
  ['Overvalued bubble, expect a painful decline', -1],
  ['The CEO resigned amid the scandal', -1],
  ['I do not like this stock, poor management', -1],
  ['Weak guidance, the stock tanked', -1],
  ['Debt is a disaster here, avoid', -1],
  ['Disappointing results, shares fell sharply', -1],
];

function accuracy(scorer: 'afinn-fin' | 'vader'): { accuracy: number; zero: number } {
  let right = 0;
  let zero = 0;
  for (const [text, label] of SANITY_SET) {
    const s = scoreText(text, scorer).score;
    if (s === 0) zero++;
    else if (Math.sign(s) === label) right++;
  }
  return { accuracy: right / SANITY_SET.length, zero };
}

describe('afinn-fin scorer', () => {
  it('tokenizes: lower case, cashtags, urls and numbers out, contractions joined', () => {
    expect(tokenize("$AAPL isn't CHEAP at 150.5 https://x.y/z")).toEqual(['isnt', 'cheap', 'at']);
  });

  it('sums valences and squashes like VADER: s / sqrt(s² + 15)', () => {
    // growth +2, strong +2 → 4 / sqrt(31)
    expect(scoreText('growth strong').score).toBeCloseTo(4 / Math.sqrt(31), 12);
    expect(scoreText('nothing to see').score).toBe(0);
    expect(scoreText('nothing to see').hits).toBe(0);
  });

  it('negates a word up to three words after a negation by −0.74', () => {
    expect(scoreText('profit').score).toBeCloseTo(2 / Math.sqrt(19), 12);
    const neg = -0.74 * 2;
    expect(scoreText('no real profit').score).toBeCloseTo(neg / Math.sqrt(neg * neg + 15), 12);
    expect(scoreText('no a b c profit').score).toBeCloseTo(2 / Math.sqrt(19), 12); // four words away: not negated
  });

  it('uses two-word entries first ("not good" −2, "dont like" −2) without negating them again', () => {
    expect(scoreText('not good').score).toBeCloseTo(-2 / Math.sqrt(19), 12);
    expect(scoreText("I don't like it").score).toBeCloseTo(-2 / Math.sqrt(19), 12);
  });

  it('supplement words are finance words absent from the npm list (never a re-rating)', () => {
    for (const w of Object.keys(FINANCE_SUPPLEMENT))
      expect(Object.prototype.hasOwnProperty.call(afinn165FinancialMarketNews, w), w).toBe(false);
    expect(scoreText('bearish').score).toBeLessThan(0);
    expect(scoreText('downgrade').score).toBeLessThan(0);
    expect(scoreText('soaring').score).toBeGreaterThan(0);
    // Lexicon words that are object-prototype names never count.
    expect(scoreText('constructor toString').hits).toBe(0);
  });
});

describe('both scorers on the sanity set', () => {
  it('afinn-fin gets ≥ 85% of the directions of the sanity set, vader runs and scores in [−1, 1]', () => {
    const fin = accuracy('afinn-fin');
    const vad = accuracy('vader');
    console.log(
      `sanity set (${SANITY_SET.length} sentences): afinn-fin ${fin.accuracy.toFixed(3)} (${fin.zero} scored 0), vader ${vad.accuracy.toFixed(3)} (${vad.zero} scored 0)`,
    );
    expect(fin.accuracy).toBeGreaterThanOrEqual(0.85);
    for (const [t] of SANITY_SET) {
      const v = scoreText(t, 'vader').score;
      expect(v).toBeGreaterThanOrEqual(-1);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(scoreText('This is great', 'vader').score).toBeGreaterThan(0);
    expect(scoreText('This is terrible', 'vader').score).toBeLessThan(0);
  });
});
