import type { JSX } from 'react';
import type { RunEvaluation, SplitEvaluation } from '../../../workers/protocol.ts';
import { ActionsTable } from './ensemble/ActionsTable.tsx';
import { BcReport } from './ensemble/BcReport.tsx';
import { Checklist } from './ensemble/Checklist.tsx';
import { VotesChart } from './ensemble/VotesChart.tsx';
import { HierDiversity } from './hierarchical/HierDiversity.tsx';
import { HierExperts } from './hierarchical/HierExperts.tsx';
import { HierPbt } from './hierarchical/HierPbt.tsx';
import { HierPeriods } from './hierarchical/HierPeriods.tsx';
import { HierRegimes } from './hierarchical/HierRegimes.tsx';
import { HierUsage } from './hierarchical/HierUsage.tsx';
import { KolDecisions } from './kol/KolDecisions.tsx';
import { KolDeviation } from './kol/KolDeviation.tsx';
import { BalanceCurves } from './supplychain/BalanceCurves.tsx';
import { GoalsChart } from './supplychain/GoalsChart.tsx';
import { HealthTable } from './supplychain/HealthTable.tsx';
import { NegotiationReplay } from './supplychain/NegotiationReplay.tsx';
import { PriceChart } from './supplychain/PriceChart.tsx';
import { ScoresTable } from './supplychain/ScoresTable.tsx';

/** What a workflow's own result section is drawn from: the whole run and the splits chosen. */
export interface WorkflowSectionProps {
  evaluation: RunEvaluation;
  /** The splits the Results view shows (all of them, or the one chosen). */
  splits: SplitEvaluation[];
}

export interface WorkflowSection {
  title: string;
  Component: (p: WorkflowSectionProps) => JSX.Element;
  /**
   * Drawn even when the run wrote no extras for it (its Component says why in one line); otherwise
   * such a section is left out.
   */
  showWhenAbsent?: boolean;
}

/**
 * Result sections of single workflows, by the id their declaration lists (core/workflows/registry.ts:
 * `results: [..., 'kol-deviation']`); each reads `evaluation.extras[id]`. The shared sections
 * (equity, drawdown, metrics, …) are drawn by ResultsPanel from the splits.
 */
export const WORKFLOW_SECTIONS: Record<string, WorkflowSection> = {
  'ensemble-votes': { title: 'Analysts’ votes and the ensemble’s decisions', Component: VotesChart },
  'ensemble-checklist': { title: 'Production checklist', Component: Checklist },
  'ensemble-bc': { title: 'Behaviour cloning', Component: BcReport },
  'ensemble-actions': { title: 'Action distribution (the dataset’s labels)', Component: ActionsTable },
  'kol-deviation': { title: 'Deviation from the baseline', Component: KolDeviation },
  'kol-decisions': { title: 'Per-post decisions', Component: KolDecisions },
  'supplychain-scores': { title: 'Tournament: score per agent type', Component: ScoresTable },
  'supplychain-health': { title: 'Shortfall and bankruptcy per agent type', Component: HealthTable },
  'supplychain-balance': { title: 'Balance and inventory per factory', Component: BalanceCurves },
  'supplychain-negotiation': { title: 'Negotiation replay', Component: NegotiationReplay },
  'supplychain-prices': { title: 'Agreed price vs trading price', Component: PriceChart },
  'supplychain-goals': { title: 'LitaAgent-HRL: daily goals vs executed', Component: GoalsChart },
  'hierarchical-usage': { title: 'Expert usage over time', Component: HierUsage },
  'hierarchical-experts': { title: 'Per-expert equity', Component: HierExperts },
  'hierarchical-regimes': { title: 'The router’s choice by market regime', Component: HierRegimes },
  'hierarchical-diversity': { title: 'Diversity of the experts (MAPD)', Component: HierDiversity },
  // A single run has no population: the section says so instead of vanishing.
  'hierarchical-pbt': { title: 'PBT population', Component: HierPbt, showWhenAbsent: true },
  'hierarchical-periods': { title: 'TimesNet’s detected periods', Component: HierPeriods },
};
