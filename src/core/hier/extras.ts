/**
 * The `hierarchical` workflow's result-section data (RunEvaluation.extras, keyed by section id), as
 * its runner writes it and src/ui/results/hierarchical reads it. Types only: the core hierarchy
 * (src/core/hier) fills them, the lab draws them.
 */
import type { SplitName } from '../data/types.ts';

/** 'hierarchical-usage': which expert the router chose each day, over the price, per split. */
export interface HierUsageExtra {
  /** Expert names in index order (`expert 0`, … or the skill names). */
  experts: readonly string[];
  /** Regime names in index order (e.g. ['trending', 'mean-reverting']); empty when the data has none. */
  regimes: readonly string[];
  perSplit: Partial<
    Record<
      SplitName,
      {
        dates: string[];
        /** [T] price of the traded asset (or the equal-weight index for several assets). */
        price: Float64Array;
        /** [T] expert chosen for that day (−1 before the first decision). */
        expert: Int8Array;
        /** [T] true regime per day from the data's meta, −1 unknown. */
        regime: Int8Array;
      }
    >
  >;
}

/** 'hierarchical-experts': each expert run alone over the split (its own book), beside the hierarchy. */
export interface HierExpertsExtra {
  experts: readonly string[];
  perSplit: Partial<
    Record<
      SplitName,
      {
        dates: string[];
        /** One equity curve per expert (rebased to 1), in expert order. */
        equity: Float64Array[];
        /** Per expert: total return, annualised Sharpe, max drawdown (≤ 0), in expert order. */
        totalReturn: number[];
        sharpe: number[];
        maxDrawdown: number[];
        /** Share of the split's decisions the router gave each expert. */
        usage: number[];
      }
    >
  >;
}

/** 'hierarchical-regimes': the router's choice by the market's true regime. */
export interface HierRegimesExtra {
  experts: readonly string[];
  regimes: readonly string[];
  perSplit: Partial<
    Record<
      SplitName,
      {
        /** counts[regime][expert]: decisions made in that regime for that expert. */
        counts: number[][];
        /** Mutual information between regime and chosen expert, in nats. */
        mutualInformation: number;
        /** The sharper evidence (regimeProof.ts), when each expert was also run alone. */
        proof?: HierRegimeProof;
        /** Per expert run alone: its mean weight and its momentum (weight after up days − after down days) per regime. */
        styles?: { exposure: number[]; momentum: number[] }[];
      }
    >
  >;
  /** The same evidence over the splits' decisions together (train, valid, test in order). */
  pooled?: HierRegimeProof & { counts: number[][]; mutualInformation: number };
}

/** One router's regime dependence beside chance (hier/regimeProof.ts). */
export interface HierRegimeChoice {
  /** Share of decisions picking their regime's best expert; chance: a regime-blind router with the same usage. */
  hitRate: number;
  chanceHitRate: number;
  /** Block-permutation p-value of MI(regime; expert) (spells' labels shuffled), and the null's mean MI. */
  pValue: number;
  nullMi: number;
}

/** Is the router's choice by regime learned? The trained router against the same seed's untrained one. */
export interface HierRegimeProof extends HierRegimeChoice {
  /** Per regime, the expert that earned most on that regime's days run alone (−1: no days). */
  bestExpert: number[];
  /** The untrained router (same seed, weights at initialisation) on the same decision days. */
  untrained: HierRegimeChoice & { counts: number[][]; mutualInformation: number };
}

/** 'hierarchical-diversity': MAPD between the experts' action distributions over training. */
export interface HierDiversityExtra {
  /** Global step of each point. */
  step: Float64Array;
  /** Mean absolute pairwise difference of the experts' action distributions on shared states. */
  mapd: Float64Array;
  /** Mean KL of each expert's policy to the experts' mean policy (nats). */
  klToMean: Float64Array;
  /** The seed's floor (0.25). */
  target: number;
}

/** 'hierarchical-pbt': the MF-PBT population, when the run was one (absent otherwise). */
export interface HierPbtExtra {
  /** Hyperparameters searched, by dotted path. */
  hyperparameters: readonly string[];
  members: { id: number; subPopulation: number; frequency: number }[];
  /** One row per member per round. */
  rounds: {
    round: number;
    member: number;
    score: number;
    /** Who it copied weights from this round (its own id = nobody). */
    parentNetwork: number;
    parentHps: number;
    /** Values in `hyperparameters` order after this round's exploit/explore. */
    hps: number[];
  }[];
  /** Member workers the population trained on (the lab's pool); absent: in the run's own thread. */
  workers?: number;
}

/** 'hierarchical-periods': the TimesNet encoder's detected periods (days) and their amplitudes. */
export interface HierPeriodsExtra {
  /** Top-k periods, strongest first. */
  periods: number[];
  /** Mean FFT amplitude of each period's frequency, same order. */
  amplitudes: number[];
  /** Input window length T the periods were detected in. */
  window: number;
}
