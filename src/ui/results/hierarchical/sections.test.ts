import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeAll, describe, expect, it } from 'vitest';
import type {
  HierDiversityExtra,
  HierExpertsExtra,
  HierPbtExtra,
  HierPeriodsExtra,
  HierRegimesExtra,
  HierUsageExtra,
} from '../../../core/hier/extras.ts';
import type { RunEvaluation, SplitEvaluation } from '../../../../workers/protocol.ts';
import { getWorkflow } from '../../../core/workflows/registry.ts';
import { WORKFLOW_SECTIONS } from '../sections.tsx';

// The sections rendered once on the server (no DOM, no effects: canvases stay blank), from a
// fixture evaluation shaped as src/core/hier/extras.ts says, and from evaluations missing parts.

const IDS = [
  'hierarchical-usage',
  'hierarchical-experts',
  'hierarchical-regimes',
  'hierarchical-diversity',
  'hierarchical-pbt',
  'hierarchical-periods',
] as const;

const f = (v: number[]) => Float64Array.from(v);
const days = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => new Date(Date.UTC(2020, 0, 1 + from + i)).toISOString().slice(0, 10));

function split(name: SplitEvaluation['split'], dates: string[]): SplitEvaluation {
  return {
    split: name,
    dates,
    assets: ['SYN1'],
    equity: {},
    drawdown: {},
    metrics: {},
    weights: new Float32Array(dates.length),
    rollingSharpe: new Float64Array(dates.length).fill(NaN),
    monthly: { years: [], months: [], yearly: [] },
    trades: [],
  };
}

const trainDates = days(40);
const testDates = days(20, 40);
const experts = ['expert 0', 'expert 1', 'expert 2'];
const regimes = ['trending', 'mean-reverting'];

const usage: HierUsageExtra = {
  experts,
  regimes,
  perSplit: {
    train: {
      dates: trainDates,
      price: f(trainDates.map((_, i) => 100 + i)),
      expert: Int8Array.from(trainDates, (_, i) => (i < 2 ? -1 : Math.floor(i / 10) % 3)),
      regime: Int8Array.from(trainDates, (_, i) => Math.floor(i / 20)),
    },
  },
};
const expertsExtra: HierExpertsExtra = {
  experts,
  perSplit: {
    train: {
      dates: trainDates,
      equity: experts.map((_, e) => f(trainDates.map((_, i) => 1 + 0.01 * e * i))),
      totalReturn: [0, 0.39, 0.78],
      sharpe: [0, 1.25, 2.5],
      maxDrawdown: [0, -0.05, -0.125],
      usage: [0.25, 0.5, 0.25],
    },
  },
};
const regimesExtra: HierRegimesExtra = {
  experts,
  regimes,
  perSplit: {
    train: {
      counts: [
        [30, 10, 0],
        [0, 10, 30],
      ],
      mutualInformation: 0.4621,
      styles: [
        { exposure: [0.6, 0.4], momentum: [0.8, 0.1] },
        { exposure: [1, 1], momentum: [0, 0] },
        { exposure: [0.5, 0.45], momentum: [NaN, -0.7] },
      ],
    },
  },
  pooled: {
    counts: [
      [30, 10, 0],
      [0, 10, 30],
    ],
    mutualInformation: 0.4621,
    bestExpert: [0, 2],
    hitRate: 0.75,
    chanceHitRate: 0.375,
    pValue: 0.002,
    nullMi: 0.05,
    untrained: {
      counts: [
        [40, 0, 0],
        [40, 0, 0],
      ],
      mutualInformation: 0,
      hitRate: 0.5,
      chanceHitRate: 0.5,
      pValue: 1,
      nullMi: 0,
    },
  },
};
const diversity: HierDiversityExtra = {
  step: f([0, 100, 200, 300]),
  mapd: f([0.05, 0.2, 0.28, 0.31]),
  klToMean: f([0.01, 0.1, 0.15, 0.2]),
  target: 0.25,
};
const pbt: HierPbtExtra = {
  hyperparameters: ['router.lr', 'experts.ent_coef'],
  members: [
    { id: 0, subPopulation: 0, frequency: 1 },
    { id: 1, subPopulation: 0, frequency: 1 },
    { id: 2, subPopulation: 1, frequency: 10 },
  ],
  rounds: [
    { round: 1, member: 0, score: 0.1, parentNetwork: 0, parentHps: 0, hps: [3e-4, 0.01] },
    { round: 1, member: 1, score: 0.3, parentNetwork: 1, parentHps: 1, hps: [1e-3, 0.02] },
    { round: 1, member: 2, score: 0.2, parentNetwork: 2, parentHps: 2, hps: [5e-4, 0.01] },
    { round: 2, member: 0, score: 0.35, parentNetwork: 1, parentHps: 1, hps: [1.25e-3, 0.016] },
    { round: 2, member: 1, score: 0.4, parentNetwork: 1, parentHps: 1, hps: [1e-3, 0.02] },
    { round: 2, member: 2, score: 0.25, parentNetwork: 2, parentHps: 2, hps: [5e-4, 0.01] },
  ],
};
const periods: HierPeriodsExtra = { periods: [20, 10, 5], amplitudes: [2.5, 1.2, 0.4], window: 60 };

const full: RunEvaluation = {
  splits: [split('train', trainDates), split('test', testDates)],
  boundaries: [],
  extras: {
    'hierarchical-usage': usage,
    'hierarchical-experts': expertsExtra,
    'hierarchical-regimes': regimesExtra,
    'hierarchical-diversity': diversity,
    'hierarchical-pbt': pbt,
    'hierarchical-periods': periods,
  },
};

function render(id: (typeof IDS)[number], evaluation: RunEvaluation, shown: SplitEvaluation['split'][]) {
  const { Component } = WORKFLOW_SECTIONS[id];
  const splits = evaluation.splits.filter((s) => shown.includes(s.split));
  return renderToStaticMarkup(createElement(Component, { evaluation, splits }));
}

beforeAll(() => {
  // TimeSeriesChart reads the pixel density while rendering; node has no window.
  (globalThis as { window?: unknown }).window ??= { devicePixelRatio: 1 };
});

describe('hierarchical result sections', () => {
  it('are exactly the own sections the hierarchical workflow declares', () => {
    const declared = getWorkflow('hierarchical').results.filter((id) => id.startsWith('hierarchical-'));
    expect([...declared].sort()).toEqual([...IDS].sort());
    expect(
      Object.keys(WORKFLOW_SECTIONS)
        .filter((id) => id.startsWith('hierarchical-'))
        .sort(),
    ).toEqual([...IDS].sort());
  });

  it('are registered, the PBT one drawn even when the run has no population', () => {
    for (const id of IDS) expect(WORKFLOW_SECTIONS[id]?.title).toBeTruthy();
    expect(WORKFLOW_SECTIONS['hierarchical-pbt'].showWhenAbsent).toBe(true);
    expect(WORKFLOW_SECTIONS['hierarchical-usage'].showWhenAbsent).toBeFalsy();
  });

  it('usage: a labelled canvas with each expert’s share of the days and the regimes in the legend', () => {
    const html = render('hierarchical-usage', full, ['train']);
    // 38 decided days: expert 0 on days 2–9 and 30–39 (18), expert 1 on 10–19, expert 2 on 20–29.
    expect(html).toContain('role="img"');
    expect(html).toMatch(/expert 0 47%, expert 1 26%, expert 2 26% of the days/);
    expect(html).toContain('regime trending (50%)');
    expect(html).toContain(trainDates[0]);
  });

  it('experts: one equity chart and a row per expert with usage, return, Sharpe and drawdown', () => {
    const html = render('hierarchical-experts', full, ['train']);
    expect(html).toContain('aria-label="Equity of each expert trading alone"');
    expect(html.match(/data-expert="/g)).toHaveLength(3);
    expect(html).toMatch(/expert 2<\/td><td>25\.0%<\/td><td>78\.0%<\/td><td>2\.50<\/td><td>-12\.5%<\/td>/);
  });

  it('regimes: row-normalised shares with counts, the runner’s mutual information and its meaning', () => {
    const html = render('hierarchical-regimes', full, ['train']);
    expect(html).toMatch(/data-share="0\.75"[^>]*title="trending → expert 0: 30 of 40 decisions"/);
    expect(html).toMatch(/75%.*\(30\)/);
    expect(html).toContain('0.462 nats');
    expect(html).toMatch(/0\.693 nats = it fixes the expert.*67% of that, the regime largely decides/);
    // The pooled evidence: best experts, hit rate vs chance, p-value, the untrained router beside it.
    expect(html).toMatch(/trending → expert 0, mean-reverting → expert 2; chosen\s*<strong>75%<\/strong>/);
    expect(html).toMatch(/\(chance 38%\), untrained 50% \(chance 50%\)/);
    expect(html).toMatch(/p = 0\.002,\s*null mean 0\.050\), untrained 0\.000 nats \(p =\s*1\.000\)/);
    // Each expert's behaviour per regime: exposure · signed momentum, '–' where undefined.
    expect(html).toMatch(/train · expert 0<\/th><td[^>]*>60% · \+0\.80<\/td><td[^>]*>40% · \+0\.10/);
    expect(html).toMatch(/train · expert 2<\/th><td[^>]*>50% · –<\/td><td[^>]*>45% · −0\.70/);
  });

  it('diversity: the last MAPD against the floor, two charts over steps', () => {
    const html = render('hierarchical-diversity', full, ['train', 'test']);
    expect(html).toMatch(/Last MAPD 0\.310 \(meets the\s+seed’s floor of 0\.250\)/);
    expect(html.match(/role="figure"/g)).toHaveLength(2);
  });

  it('pbt: members with their last score and hyperparameters, the lineage and the copies', () => {
    const html = render('hierarchical-pbt', full, ['train']);
    expect(html.match(/data-member="/g)).toHaveLength(3);
    expect(html).toContain('Lineage of 3 members over 2 rounds: 1 copies of weights');
    expect(html).toMatch(/<td>2<\/td><td>m0<\/td><td>m1<\/td><td>m1<\/td>/);
    expect(html).toContain('aria-label="router.lr of each member per round"');
    expect(html).toContain('3 members trained in the run’s own thread.');
    const pooled = { ...full, extras: { 'hierarchical-pbt': { ...pbt, workers: 2 } } };
    expect(render('hierarchical-pbt', pooled, ['train'])).toContain(
      '3 members on 2 member workers (member m in worker m mod 2)',
    );
    // One round (a tiny budget): no one-dot charts, the workflow's own prefix off the names.
    const one: RunEvaluation = {
      ...full,
      extras: {
        'hierarchical-pbt': {
          ...pbt,
          hyperparameters: ['hierarchical.klLambda', 'hierarchical.entCoef'],
          rounds: pbt.rounds.filter((r) => r.round === 1),
        },
      },
    };
    const once = render('hierarchical-pbt', one, ['train']);
    expect(once).toContain('One round so far');
    expect(once).not.toContain('role="figure"');
    expect(once).toMatch(/<th scope="col" title="hierarchical.klLambda">klLambda<\/th>/);
  });

  it('periods: one bar per period with its amplitude, and the window', () => {
    const html = render('hierarchical-periods', full, ['train']);
    expect(html).toContain('20 days (amplitude 2.500), 10 days (amplitude 1.200), 5 days (amplitude 0.400)');
    expect(html).toMatch(/T = <strong>60<\/strong>/);
    expect(html.match(/<rect/g)).toHaveLength(3);
    expect(html).not.toContain('listed twice');
    const folded: RunEvaluation = {
      ...full,
      extras: { 'hierarchical-periods': { periods: [13, 2, 2], amplitudes: [0.13, 0.12, 0.12], window: 40 } },
    };
    // T // f: f = 17 … 20 all give 2 days in a 40-day window.
    expect(render('hierarchical-periods', folded, ['train'])).toContain('listed twice');
  });

  it('each says so in a sentence when the run wrote nothing for it', () => {
    const none: RunEvaluation = { ...full, extras: {} };
    const want: Record<(typeof IDS)[number], RegExp> = {
      'hierarchical-usage': /recorded no expert usage/,
      'hierarchical-experts': /recorded no per-expert results/,
      'hierarchical-regimes': /recorded no choice by regime/,
      'hierarchical-diversity': /recorded no diversity curve/,
      'hierarchical-pbt': /single hierarchy, not a population/,
      'hierarchical-periods': /recorded no TimesNet periods/,
    };
    for (const id of IDS) expect(render(id, none, ['train'])).toMatch(want[id]);
    const noExtras: RunEvaluation = { splits: full.splits, boundaries: [] };
    for (const id of IDS) expect(render(id, noExtras, ['train'])).toMatch(want[id]);
  });

  it('each per-split section names the split it has nothing for', () => {
    for (const id of ['hierarchical-usage', 'hierarchical-experts', 'hierarchical-regimes'] as const)
      expect(render(id, full, ['test'])).toMatch(/for the test split/);
    // Both splits shown, one missing: drawn from the other, the missing one named.
    expect(render('hierarchical-experts', full, ['train', 'test'])).toMatch(
      /No per-expert results for test\./,
    );
  });

  it('empty parts read as sentences, not crashes', () => {
    const empty: RunEvaluation = {
      ...full,
      extras: {
        'hierarchical-regimes': { ...regimesExtra, regimes: [] },
        'hierarchical-diversity': { step: f([]), mapd: f([]), klToMean: f([]), target: 0.25 },
        'hierarchical-pbt': { hyperparameters: [], members: [], rounds: [] },
        'hierarchical-periods': { periods: [], amplitudes: [], window: 48 },
      },
    };
    expect(render('hierarchical-regimes', empty, ['train'])).toMatch(/data has no regimes/);
    expect(render('hierarchical-diversity', empty, ['train'])).toMatch(/No diversity measured yet/);
    const once: RunEvaluation = {
      ...full,
      extras: {
        'hierarchical-diversity': { step: f([800]), mapd: f([0.249]), klToMean: f([0.08]), target: 0.25 },
      },
    };
    const html = render('hierarchical-diversity', once, ['train']);
    expect(html).toMatch(/Last MAPD 0\.249 \(below the\s+seed’s floor/);
    expect(html).toContain('Measured once, at step 800');
    expect(html).not.toContain('role="figure"');
    expect(render('hierarchical-pbt', empty, ['train'])).toMatch(/no finished rounds yet/);
    expect(render('hierarchical-periods', empty, ['train'])).toMatch(
      /detected no periods in its 48-day window/,
    );
  });
});
