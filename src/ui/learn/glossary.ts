/** Short explanations for students, reachable from the field or chart they explain (the (i) buttons). */
export interface LearnEntry {
  id: string;
  title: string;
  group: 'Algorithms' | 'Metrics' | 'Environment' | 'Training' | 'Data';
  body: string;
}

export const GLOSSARY: readonly LearnEntry[] = [
  // Algorithms
  {
    id: 'algorithms',
    group: 'Algorithms',
    title: 'Which algorithm?',
    body: 'A2C and PPO learn online: the agent trades in the environment and improves from the rewards it gets (PPO reuses each batch more carefully). BC and IQL learn offline from a dataset collected once by a behaviour policy: BC imitates it, IQL imitates its better decisions more. The workflow decides which of them it offers.',
  },
  {
    id: 'a2c',
    group: 'Algorithms',
    title: 'A2C — advantage actor-critic',
    body: 'An actor (the policy) picks BUY/SELL/HOLD for each asset; a critic estimates how good the current state is, V(s). After a short rollout the actor is pushed towards actions that did better than the critic expected (positive advantage) and away from the others. QTMRL uses it with γ 0.96, entropy 0.05 and a 50-step rollout.',
  },
  {
    id: 'ppo',
    group: 'Algorithms',
    title: 'PPO — proximal policy optimisation',
    body: 'Like A2C, but each batch of experience is reused for several epochs, and the update is clipped so the new policy cannot move too far from the one that collected the data (ratio within 1 ± ε). More sample-efficient and usually more stable than A2C.',
  },
  {
    id: 'bc',
    group: 'Algorithms',
    title: 'BC — behaviour cloning',
    body: 'Supervised learning: a teacher policy (a trading rule) labels each day with an action, and the network learns to predict it (cross-entropy) together with a position strength (MSE). It can only be as good as the teacher, but it is fast and a good warm start.',
  },
  {
    id: 'iql',
    group: 'Algorithms',
    title: 'IQL — implicit Q-learning (offline)',
    body: 'Learns from a fixed dataset of past decisions without ever trading in the env. A value function is fitted to an upper expectile (τ) of the Q-values, and the policy copies the dataset actions weighted by exp(β·advantage): good decisions are imitated more, bad ones less.',
  },
  {
    id: 'encoder',
    group: 'Algorithms',
    title: 'Encoder',
    body: 'The part of the network that reads the window of features. MLP flattens it; TimeCNN slides small filters along time for each asset (shared weights) then mixes the assets; the Transformer attends over time and across assets.',
  },
  {
    id: 'gamma',
    group: 'Training',
    title: 'Discount γ',
    body: 'A reward k steps ahead counts γ^k as much as one now. γ = 0.99 looks ~100 steps ahead, 0.96 about 25.',
  },
  {
    id: 'gae',
    group: 'Training',
    title: 'GAE λ',
    body: 'Generalised advantage estimation mixes one-step and many-step advantage estimates. λ = 1 uses the full return (low bias, high variance); lower λ trusts the critic more.',
  },
  {
    id: 'entropy',
    group: 'Training',
    title: 'Entropy bonus',
    body: 'Entropy measures how random the policy is (for 3 actions at most ln 3 ≈ 1.10 per asset). A bonus keeps the agent exploring; when entropy collapses to 0 the agent always does the same thing.',
  },
  {
    id: 'learning-rate',
    group: 'Training',
    title: 'Learning rate',
    body: 'How big each optimiser step is. Too large: losses jump or become NaN. Too small: nothing seems to happen (QTMRL uses 1e-5 over a million steps).',
  },
  {
    id: 'ppo-clip',
    group: 'Training',
    title: 'PPO clip ε',
    body: 'The probability ratio new/old policy is clipped to [1 − ε, 1 + ε] in the objective, which removes the incentive for large policy jumps.',
  },
  {
    id: 'action-mask',
    group: 'Training',
    title: 'Action masks',
    body: 'Actions the env cannot execute (BUY with no cash, SELL with no position) get probability 0, so the agent does not waste samples learning that they do nothing.',
  },
  {
    id: 'backend',
    group: 'Training',
    title: 'Backend',
    body: 'Where the neural network maths runs. WebGPU uses the graphics card (fast on a real GPU, slow when emulated), WebAssembly runs optimised code on the CPU (SIMD, threads when the page is cross-origin isolated), CPU is plain JavaScript. The same seed gives the same numbers on the same backend.',
  },
  {
    id: 'learning-curves',
    group: 'Training',
    title: 'Learning curves',
    body: 'Policy loss and value loss come from each update; entropy shows how random the policy still is; episodic return is the sum of rewards of each finished training episode. A rising episodic return on the training split is not yet proof: watch the validation equity.',
  },
  // Metrics
  {
    id: 'total_return',
    group: 'Metrics',
    title: 'Total return',
    body: 'Final value / initial value − 1 over the split.',
  },
  {
    id: 'cagr',
    group: 'Metrics',
    title: 'CAGR',
    body: 'Compound annual growth rate: the constant yearly return that would give the same total return, counting years as periods / 252.',
  },
  {
    id: 'annual_volatility',
    group: 'Metrics',
    title: 'Annual volatility',
    body: 'Sample standard deviation of the period returns × √252. How much the value wiggles.',
  },
  {
    id: 'sharpe',
    group: 'Metrics',
    title: 'Sharpe ratio',
    body: 'Mean excess return / standard deviation × √252 (risk-free 0 here). Return per unit of risk; above 1 is good for a long backtest, and suspicious when it is very high.',
  },
  {
    id: 'sortino',
    group: 'Metrics',
    title: 'Sortino ratio',
    body: 'Like Sharpe, but only downside moves count as risk (downside deviation).',
  },
  {
    id: 'calmar',
    group: 'Metrics',
    title: 'Calmar ratio',
    body: 'CAGR / |maximum drawdown|: growth per unit of worst loss.',
  },
  {
    id: 'max_drawdown',
    group: 'Metrics',
    title: 'Maximum drawdown',
    body: 'The worst fall from a previous peak, V_t / max_{s≤t} V_s − 1. The underwater chart shows this fall at every date.',
  },
  {
    id: 'turnover',
    group: 'Metrics',
    title: 'Turnover',
    body: 'Average share of the portfolio traded per period (one-sided). High turnover pays a lot of fees.',
  },
  {
    id: 'equity',
    group: 'Metrics',
    title: 'Equity curve',
    body: 'Portfolio value over time, rebased to 1 at the start of each split. Baselines run on the same data, fees and splits: buy-and-hold, equal weight (rebalanced), moving-average crossovers, random.',
  },
  {
    id: 'drawdown',
    group: 'Metrics',
    title: 'Underwater (drawdown) chart',
    body: 'How far below its previous peak the portfolio is at each date. 0 = at a new high.',
  },
  {
    id: 'rolling-sharpe',
    group: 'Metrics',
    title: 'Rolling Sharpe',
    body: 'The Sharpe ratio over a moving window (63 days ≈ a quarter): shows when the strategy worked and when it did not.',
  },
  {
    id: 'monthly-returns',
    group: 'Metrics',
    title: 'Monthly returns',
    body: 'Compounded return of each calendar month; green up, red down.',
  },
  {
    id: 'positions',
    group: 'Metrics',
    title: 'Positions heatmap',
    body: 'Weight of each asset in the portfolio over time (share of value). Dark = large position, white = none.',
  },
  // Environment
  {
    id: 'env-kind',
    group: 'Environment',
    title: 'Trading vs portfolio env',
    body: 'Trading (QTMRL): each day each asset gets BUY, SELL or HOLD, with a shared cash pool, no shorting and no debt. Portfolio: the agent sets target weights (long-short), capped per asset and normalised by Σ|w|.',
  },
  {
    id: 'fee',
    group: 'Environment',
    title: 'Fees',
    body: 'Charged on the traded amount, one way: 5 bps = 0.05% (QTMRL). Every baseline pays the same fees.',
  },
  {
    id: 'slippage',
    group: 'Environment',
    title: 'Slippage',
    body: 'Orders fill at a price worse than the close by this many basis points, a simple model of market impact.',
  },
  {
    id: 'buy-sell',
    group: 'Environment',
    title: 'Buy and sell fractions',
    body: 'A BUY spends this share of the cash left at that moment; a SELL sells this share of the position. Orders that cannot be paid are skipped (best effort), never borrowed.',
  },
  {
    id: 'price-limit',
    group: 'Environment',
    title: 'Price limits',
    body: 'As on Chinese exchanges: a stock up by the limit that day cannot be bought, one down by the limit cannot be sold.',
  },
  {
    id: 'max-weight',
    group: 'Environment',
    title: 'Max weight',
    body: 'Portfolio env: no asset may take more than this share of the gross exposure.',
  },
  {
    id: 'hold-decay',
    group: 'Environment',
    title: 'Hold decay',
    body: 'Portfolio env: an asset with no new signal keeps yesterday’s weight times this factor (1 = keep, 0 = close).',
  },
  {
    id: 'reward',
    group: 'Environment',
    title: 'Reward',
    body: 'Each step the agent receives the portfolio return P_t/P_{t−1} − 1, or its logarithm (log returns add up over time).',
  },
  {
    id: 'indicators',
    group: 'Data',
    title: 'Technical indicators',
    body: 'Summaries of recent prices: moving averages (SMA, EMA) smooth the price, RSI and MACD measure momentum, ATR and Bollinger bands measure volatility, Ichimoku, Heikin-Ashi and Supertrend describe trends. Each is computed from past data only (no look-ahead), then z-scored with train-split statistics.',
  },
  {
    id: 'window',
    group: 'Data',
    title: 'Window W',
    body: 'The agent sees the last W days of every feature for every asset, plus its positions and cash.',
  },
  {
    id: 'splits',
    group: 'Data',
    title: 'Train / validation / test',
    body: 'The agent learns on train, you tune on validation, and test is looked at once, at the end. Normalisation statistics come from train only, so nothing leaks from the future.',
  },
  {
    id: 'planted-signal',
    group: 'Data',
    title: 'Planted signal',
    body: 'The synthetic market can hide a predictable component of chosen strength. With signal 0 there is no alpha: an agent that “beats” buy-and-hold there is fitting noise.',
  },
  {
    id: 'import-report',
    group: 'Data',
    title: 'Import report',
    body: 'Every change the importer makes is listed: dropped rows and why, duplicates, re-sorted order, suspicious prices. Errors name the file, line and column.',
  },
];

export const GLOSSARY_BY_ID = new Map(GLOSSARY.map((e) => [e.id, e]));

/** Indicator toggles (`ind-sma`, …) all open the shared indicators note. */
export function learnEntry(id: string): LearnEntry | undefined {
  return GLOSSARY_BY_ID.get(id.startsWith('ind-') ? 'indicators' : id);
}
