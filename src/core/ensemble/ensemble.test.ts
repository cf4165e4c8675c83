/** The ensemble end to end: it finds a planted news signal when there is one and no alpha when there is none; pure core. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateSynthetic } from '../data/synthetic.ts';
import { splitSpecOf } from '../experiment/config.ts';
import { sharpeRatio } from '../metrics/index.ts';
import { alignSignals, analyseEnsemble, backtestEnsemble, syntheticSignalRecords } from './index.ts';

/** Sharpe of the ensemble's daily returns over all three splits, news analyst only (technical weight 0) or both. */
function sharpeOn(phi: number, seed: number, technical: number): number {
  const { panel, meta } = generateSynthetic({ assets: 4, days: 1260, signalStrength: phi, seed });
  const { signals } = alignSignals(
    syntheticSignalRecords(panel, meta, { seed, coverage: 0.5 }),
    panel,
    'synthetic',
  );
  const split = splitSpecOf({ fractions: { train: 0.6, valid: 0.2 } }, panel.dates);
  const a = analyseEnsemble(panel, split, signals, {
    vote: { weights: { technical, news: 1 }, threshold: 0.2 },
  });
  const returns = backtestEnsemble(a).flatMap((r) => Array.from(r.ensemble.returns));
  return sharpeRatio(returns);
}

describe('the ensemble on a synthetic market with and without a planted signal', () => {
  it('news analyst alone: Sharpe > 1 with φ = 0.3 (news = the planted signal + noise), < 0.3 with φ = 0, 3 seeds each', () => {
    const withSignal = [1, 2, 3].map((s) => sharpeOn(0.3, s, 0));
    const without = [1, 2, 3].map((s) => sharpeOn(0, s, 0));
    for (const s of withSignal) expect(s).toBeGreaterThan(1);
    for (const s of without) expect(s).toBeLessThan(0.3);
  });
});

describe('pure core', () => {
  it('src/core/ensemble and everything it imports use no tfjs, no DOM, no node modules', () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        const spec = m[1];
        if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
        else packages.add(spec);
      }
    };
    for (const f of readdirSync(here))
      if (f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'testing.ts') visit(path.join(here, f));
    expect(seen.size).toBeGreaterThan(10);
    expect(
      [...packages].filter(
        (p) => p.startsWith('@tensorflow') || p.startsWith('node:') || p.startsWith('react'),
      ),
    ).toEqual([]);
    expect(
      [...seen].filter(
        (f) => f.includes(`${path.sep}agents${path.sep}`) && !f.includes(`${path.sep}offline${path.sep}`),
      ),
    ).toEqual([]);
  });
});
