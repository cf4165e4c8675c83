/**
 * The tables `lab ensemble backtest` writes (equity.csv, votes.csv), as header + rows. Pure.
 */
import type { Panel } from '../data/types.ts';
import { drawdownFromEquity } from '../metrics/index.ts';
import type { EnsembleAnalysis, SplitRun } from './ensemble.ts';
import { ACTION_NAMES, REGIME_NAMES } from './types.ts';

export type Cell = string | number | null;

export interface Table {
  header: string[];
  rows: Cell[][];
}

/** equity.csv of `lab ensemble backtest`: per split and day, the ensemble's and buy-and-hold's equity, return, drawdown (fees, turnover). */
export function equityTable(panel: Panel, runs: readonly SplitRun[]): Table {
  const rows: Cell[][] = [];
  for (const r of runs) {
    const e = r.ensemble;
    const b = r.buyAndHold;
    const ddE = drawdownFromEquity([e.initialCash, ...e.equity]);
    const ddB = drawdownFromEquity([b.initialCash, ...b.equity]);
    for (let k = 0; k < e.equity.length; k++) {
      rows.push([
        r.split,
        panel.dates[r.rows.start + k],
        e.equity[k],
        e.returns[k],
        ddE[k + 1],
        e.fees[k],
        e.turnover[k],
        b.equity[k],
        b.returns[k],
        ddB[k + 1],
      ]);
    }
  }
  return {
    header: [
      'split',
      'date',
      'ensemble_equity',
      'ensemble_return',
      'ensemble_drawdown',
      'ensemble_fees',
      'ensemble_turnover',
      'buy_and_hold_equity',
      'buy_and_hold_return',
      'buy_and_hold_drawdown',
    ],
    rows,
  };
}

/** votes.csv: every analyst's vote, the regime and cap, the decision and the position per split, day and asset. */
export function votesTable(a: EnsembleAnalysis, runs: readonly SplitRun[]): Table {
  const { panel, technical, news, risk, decisions, signals } = a;
  const N = panel.assets.length;
  const act = (x: number) => (x < 0 ? 'ABSTAIN' : ACTION_NAMES[x]);
  const rows: Cell[][] = [];
  for (const r of runs) {
    for (let t = r.rows.start; t < r.rows.end; t++) {
      const k = t - r.rows.start;
      for (let i = 0; i < N; i++) {
        const j = t * N + i;
        rows.push([
          r.split,
          panel.dates[t],
          panel.assets[i],
          act(technical.action[j]),
          technical.strength[j],
          technical.score[j],
          act(news.action[j]),
          news.strength[j],
          signals ? signals.sentiment[j] : null,
          signals ? signals.confidence[j] : null,
          risk.vol[j],
          risk.regime[j] < 0 ? 'unknown' : REGIME_NAMES[risk.regime[j]],
          risk.cap[j],
          risk.veto[j],
          decisions.score[j],
          ACTION_NAMES[decisions.action[j]],
          decisions.strength[j],
          r.ensemble.position[k * N + i],
        ]);
      }
    }
  }
  return {
    header: [
      'split',
      'date',
      'asset',
      'technical_action',
      'technical_strength',
      'technical_score',
      'news_action',
      'news_strength',
      'news_sentiment',
      'news_confidence',
      'risk_volatility',
      'risk_regime',
      'risk_cap',
      'risk_veto',
      'vote_score',
      'action',
      'strength',
      'position',
    ],
    rows,
  };
}
