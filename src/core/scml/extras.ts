/**
 * The `supplychain` workflow's result-section data (RunEvaluation.extras, keyed by section id), as
 * the runner (scml/runner.ts) writes it and src/ui/results/supplychain reads it. Types only.
 *
 * Size: scores and health summarise every world; the full logs (daily balance and inventory, every
 * offer, contract prices, the HRL agent's goals) are kept only for the replay worlds, the rotations
 * of one configuration, as typed arrays the trainer worker transfers.
 */

/** Per agent type over every world played. */
export interface ScoreStatsView {
  agentType: string;
  n: number;
  mean: number;
  median: number;
  truncatedMean: number;
  std: number;
  /** Spread: min, Q1, Q3, max (numpy's linear quantiles). */
  min: number;
  q1: number;
  q3: number;
  max: number;
  bankruptRate: number;
  meanShortfall: number;
}

/** 'supplychain-scores': the tournament table. */
export interface ScoresExtra {
  mode: 'tournament' | 'train-hrl';
  /** Tournament seed (held-out: the settings' seed + 1000 in train-hrl mode). */
  seed: number;
  configs: number;
  worldsDone: number;
  worldsTotal: number;
  agentDays: number;
  seconds: number;
  /** Agent types of the tournament, in rotation order; labels for the lita: types. */
  agents: string[];
  labels: Record<string, string>;
  /** Sorted by mean score, best first. */
  stats: ScoreStatsView[];
  /** train-hrl mode: what the training did. */
  training: {
    samples: number;
    dataWorlds: number;
    bcTrainLoss: number;
    bcValLoss: number;
    bcValLossMean: number;
    ppoSteps: number;
    ppoEpisodes: number;
    ppoRecentReturn: number;
    /** L3/L4 (absent when not trained): supervised residuals, then MAPPO. */
    micro?: {
      samples: number;
      /** Held-out loss of the pretrained residual and of a zero one (L1's own offer); NaN when skipped. */
      l3ValLoss: number;
      l3ValLossZero: number;
      iterations: number;
      useL4: boolean;
      /** Score − Penguin's on the same seat in the training worlds, mean over the last iterations. */
      pairedGain: number;
    };
    seconds: number;
  } | null;
}

/** 'supplychain-health': shortfall and bankruptcy per agent type. */
export interface HealthExtra {
  rows: {
    agentType: string;
    /** Factories played (one per world and factory of the type). */
    factories: number;
    bankruptcies: number;
    bankruptRate: number;
    /** Units sold but not delivered, summed and per factory. */
    shortfall: number;
    meanShortfall: number;
    /** Factories with any shortfall. */
    withShortfall: number;
  }[];
}

/** One fully logged world (its index in the tournament, its configuration and rotation). */
export interface ReplayWorldMeta {
  index: number;
  config: number;
  rotation: number;
  nSteps: number;
  nProcesses: number;
  /** Per factory a0…: type and level. */
  agents: { name: string; type: string; level: number }[];
}

/** 'supplychain-balance': per replay world, balance and inventory per factory and day. */
export interface BalanceExtra {
  worlds: (ReplayWorldMeta & {
    /** [agent·T + day], after the day's settlement. */
    balance: Float64Array;
    inventory: Int32Array;
    initialBalance: Float64Array;
    /** Day each factory went bankrupt, −1 never. */
    bankruptDay: Int32Array;
  })[];
}

export const RESPONSE_LABELS = ['accept', 'reject', 'end', 'timeout'] as const;

/**
 * 'supplychain-negotiation': per replay world, every offer, grouped into threads-days: offers of
 * segment s are rows segStart[s] .. segStart[s+1], in round order.
 */
export interface NegotiationExtra {
  worlds: (ReplayWorldMeta & {
    /** Per segment (a thread on a day): day, thread, seller, buyer, outcome (RESPONSE_LABELS index of the last offer). */
    segDay: Int32Array;
    segThread: Int32Array;
    segSeller: Int32Array;
    segBuyer: Int32Array;
    segOutcome: Uint8Array;
    segStart: Int32Array;
    /**
     * Per offer (row): round, proposer (agent index; the responder is the thread's other party),
     * quantity, delivery day, unit price, response. Narrow types: ~12 bytes an offer, a 200-day world
     * logs ~70,000 offers.
     */
    round: Uint8Array;
    proposer: Uint16Array;
    quantity: Uint16Array;
    delivery: Uint16Array;
    price: Int32Array;
    response: Uint8Array;
  })[];
}

/** 'supplychain-prices': per replay world and product, trading price vs agreed unit prices per day. */
export interface PricesExtra {
  worlds: (ReplayWorldMeta & {
    /** Products 0..L; [product·T + day]. */
    tradingPrice: Float64Array;
    /** Quantity-weighted mean agreed unit price of the contracts signed that day (NaN: none). */
    contractPrice: Float64Array;
    /** Units contracted that day. */
    contractQty: Int32Array;
    catalogPrices: number[];
  })[];
}

/** 'supplychain-goals': LitaAgent-HRL's daily goals vs what its signed contracts executed. */
export interface GoalsExtra {
  /** False when no HRL agent played; then `message` says so and the rest is empty. */
  played: boolean;
  message: string;
  worlds: (ReplayWorldMeta & {
    /** The HRL factories of this world (agent indices). */
    hrl: number[];
    /** Per HRL factory (in `hrl` order) and day: [Q_buy, P_buy, Q_sell, P_sell], [(h·T + day)·4 + j]. */
    goal: Float32Array;
    /** Recovered from the day's signed contracts (lines-days; price positions, NaN where none signed). */
    executed: Float32Array;
  })[];
  /** Over the replay worlds' HRL factory-days ≥ 1, per type: mean goal and executed quantities. */
  summary: {
    agentType: string;
    days: number;
    goalBuy: number;
    doneBuy: number;
    goalSell: number;
    doneSell: number;
  }[];
}
