/**
 * Seed 001 as a workflow of the lab (`supplychain`): SCML-lite tournaments of the reference agents
 * and LitaAgent-HRL, or the HRL agent's L2 trained (goals from logs → BC → PPO, as `lab scml
 * train`) then played on held-out worlds. Its settings are declared once here (default, range,
 * unit, help) for the lab's forms, share links, sweeps and `lab train --set supplychain.…`.
 *
 * It needs no market data: the worlds are generated from the seed (data.kinds is empty). Light
 * module: the page imports it through the registry (no tfjs, no world code).
 */
import { bool, choice, int, type FieldSpec, type Values } from '../experiment/fields.ts';
import type { WorkflowDef } from '../workflows/types.ts';

/** The reference agents the form offers, in table order, and the HRL agent's checkbox. */
export const SUPPLYCHAIN_BUILTINS = ['penguin', 'greedy', 'syncrandom', 'random'] as const;

/**
 * Agent types of LitaAgent-HRL in the lab's tournaments (the `lita:` factory the runner registers):
 * L1 with the heuristic daily goals (L2 removed), L2 behaviour-cloned, L2 BC then PPO.
 */
export const LITA_TYPES = { l1: 'lita:l1', bc: 'lita:bc', ppo: 'lita:ppo', full: 'lita:full' } as const;
export const LITA_LABELS: Record<string, string> = {
  'lita:l1': 'LitaAgent-HRL, L1 + heuristic goals (no learned L2)',
  'lita:bc': 'LitaAgent-HRL, L2 behaviour-cloned from Penguin',
  'lita:ppo': 'LitaAgent-HRL, L2 BC data → PPO residual (trained in this run)',
  'lita:full':
    'LitaAgent-HRL, all layers: L2 + L3 residuals on each thread + L4 attention (trained in this run)',
};

const trainOnly = (f: FieldSpec): FieldSpec => ({
  ...f,
  when: (v: Values) => v['supplychain.mode'] === 'train-hrl',
});

const agentBox = (name: string, label: string, help: string, def = true) =>
  bool(`supplychain.agents.${name}`, label, def, help);

export const SUPPLYCHAIN_TOURNAMENT_FIELDS: readonly FieldSpec[] = [
  choice(
    'supplychain.mode',
    'Mode',
    'tournament',
    [
      { value: 'tournament', label: 'Tournament' },
      { value: 'train-hrl', label: 'Train HRL, then tournament' },
    ],
    'A tournament only, or train the HRL agent’s daily-goal layer first (as lab scml train) and add it to a tournament on held-out seeds (seed + 1000).',
  ),
  agentBox('penguin', 'Penguin', 'The 2024 Standard winner (needs-driven offers, 70% for today).'),
  agentBox('greedy', 'Greedy', 'Sells high and buys low at fixed fractions of the range.'),
  agentBox('syncrandom', 'SyncRandom', 'Answers all its threads at once with random offers.'),
  agentBox('random', 'Random', 'Random answers and offers inside the ranges.'),
  agentBox(
    'hrl',
    'LitaAgent-HRL (L1 + heuristic goals)',
    'The HRL agent with its L1 offers and safety mask under heuristic daily goals (lita:l1); in train-hrl mode the trained agent plays besides.',
  ),
  int(
    'supplychain.worlds',
    'Configurations',
    3,
    1,
    500,
    'Seeded world configurations; each is played once per rotation of the agent types over the factories (worlds = configurations × agent types).',
    { unit: 'configs' },
  ),
  int(
    'supplychain.seed',
    'Tournament seed',
    0,
    0,
    2 ** 31 - 1,
    'Seed of the configurations and worlds (lab scml tournament --seed); training uses it too, the held-out tournament seed + 1000.',
  ),
  int(
    'supplychain.days',
    'Days per world',
    0,
    0,
    1000,
    'Episode length; 0 draws it per configuration from 50–200 days (the tournament range).',
    { unit: 'days' },
  ),
  int(
    'supplychain.processes',
    'Processes',
    0,
    0,
    6,
    'Production levels L (products 0..L); 0 draws 2–4 per configuration.',
  ),
  int(
    'supplychain.replayConfig',
    'Configuration to replay',
    0,
    0,
    499,
    'The configuration whose worlds (one per rotation) keep full logs for the balance, negotiation, price and goal views; the others keep scores only.',
  ),
];

export const SUPPLYCHAIN_HRL_FIELDS: readonly FieldSpec[] = [
  trainOnly(
    int(
      'supplychain.trainWorlds',
      'Data configurations',
      8,
      1,
      200,
      'Configurations of the data tournament whose Penguin days become L2’s behaviour-cloning goals (× 4 rotations).',
      { unit: 'configs' },
    ),
  ),
  trainOnly(int('supplychain.bcEpochs', 'BC epochs', 30, 1, 500, 'Behaviour-cloning passes over the goals.')),
  trainOnly(
    int(
      'supplychain.ppoSteps',
      'PPO budget',
      8192,
      0,
      10_000_000,
      'Simulated days of PPO on the day-level view (shaped reward); 0 skips PPO (lita:ppo then plays the clone).',
      { unit: 'days' },
    ),
  ),
  trainOnly(
    int(
      'supplychain.ppoDays',
      'Days per training world',
      60,
      10,
      200,
      'Episode length of PPO’s training worlds (the held-out tournament uses the ranges above).',
      { unit: 'days' },
    ),
  ),
  trainOnly(
    int(
      'supplychain.l3Epochs',
      'L3 pretraining epochs',
      5,
      0,
      200,
      'Passes over the supervised residuals (Penguin’s answer − L1’s, per thread and round) before MAPPO; 0 starts L3 from a zero residual.',
    ),
  ),
  trainOnly(
    int(
      'supplychain.microIters',
      'L3/L4 MAPPO iterations',
      20,
      0,
      100_000,
      'MAPPO iterations of the per-thread layers (2 training worlds of 40 days each, against built-ins and past selves); with 0 and no pretraining, L3/L4 are not trained and lita:full does not play. lab scml train uses 300.',
      { unit: 'iterations' },
    ),
  ),
  trainOnly(
    bool(
      'supplychain.useL4',
      'L4 attention over threads',
      true,
      'Train L4’s attention weights α over the day’s threads (scaling each thread’s L3 residual); off: L3 alone.',
    ),
  ),
  trainOnly(
    bool(
      'supplychain.ablations',
      'Play the BC ablation',
      true,
      'Also play L2 behaviour-cloned without PPO (lita:bc) in the held-out tournament.',
    ),
  ),
];

export const SUPPLYCHAIN_FIELDS: readonly FieldSpec[] = [
  ...SUPPLYCHAIN_TOURNAMENT_FIELDS,
  ...SUPPLYCHAIN_HRL_FIELDS,
];

export interface SupplyChainSettings {
  mode: 'tournament' | 'train-hrl';
  /** Built-ins checked, in SUPPLYCHAIN_BUILTINS order. */
  builtins: string[];
  /** The untrained HRL agent (lita:l1) plays. */
  hrl: boolean;
  worlds: number;
  seed: number;
  /** 0 = drawn per configuration. */
  days: number;
  processes: number;
  replayConfig: number;
  trainWorlds: number;
  bcEpochs: number;
  ppoSteps: number;
  ppoDays: number;
  l3Epochs: number;
  microIters: number;
  useL4: boolean;
  ablations: boolean;
}

/** Flat field values (defaults filled in) → the runner's settings. */
export function supplyChainFromValues(values: Values): SupplyChainSettings {
  const v = (path: string) => {
    const f = SUPPLYCHAIN_FIELDS.find((x) => x.path === `supplychain.${path}`)!;
    return values[f.path] ?? f.default;
  };
  return {
    mode: v('mode') as SupplyChainSettings['mode'],
    builtins: SUPPLYCHAIN_BUILTINS.filter((a) => v(`agents.${a}`) === true),
    hrl: v('agents.hrl') === true,
    worlds: v('worlds') as number,
    seed: v('seed') as number,
    days: v('days') as number,
    processes: v('processes') as number,
    replayConfig: v('replayConfig') as number,
    trainWorlds: v('trainWorlds') as number,
    bcEpochs: v('bcEpochs') as number,
    ppoSteps: v('ppoSteps') as number,
    ppoDays: v('ppoDays') as number,
    l3Epochs: v('l3Epochs') as number,
    microIters: v('microIters') as number,
    useL4: v('useL4') === true,
    ablations: v('ablations') === true,
  };
}

/** The workflow's declaration (registered in core/workflows/registry.ts; its runner is scml/runner.ts). */
export const supplyChainWorkflow: WorkflowDef = {
  id: 'supplychain',
  title: 'Supply chain (SCML-lite)',
  seed: '001',
  summary:
    'Factories in a production chain negotiate daily supply contracts with their neighbours (20-round alternating offers on quantity, delivery day and unit price), produce, deliver, pay shortfall and storage penalties or go bankrupt; score = final ÷ initial balance. Tournaments rotate Penguin, Greedy, SyncRandom, Random and LitaAgent-HRL over seeded worlds; train-hrl mode first trains the HRL agent — its daily-goal layer (BC from Penguin’s logs, then PPO on the shaped reward) and its per-thread layers (residuals on L1’s offers and attention over the day’s threads, pretrained on Penguin − L1, then MAPPO) — and plays it on held-out worlds.',
  data: {
    needs: 'no market data: the supply-chain worlds are generated from the tournament seed',
    kinds: [],
  },
  fields: SUPPLYCHAIN_FIELDS,
  seedPath: 'supplychain.seed',
  progressUnit: 'worlds',
  setup: [
    { id: 'tournament', title: 'Tournament', fields: SUPPLYCHAIN_TOURNAMENT_FIELDS },
    { id: 'hrl', title: 'LitaAgent-HRL training (train-hrl mode)', fields: SUPPLYCHAIN_HRL_FIELDS },
  ],
  learner:
    'none in tournament mode; in train-hrl mode LitaAgent-HRL’s L2 (behaviour cloning of Penguin’s daily goals, then PPO) and L3/L4 (supervised residuals, then MAPPO); settings in Setup',
  algorithms: [],
  results: [
    'supplychain-scores',
    'supplychain-health',
    'supplychain-balance',
    'supplychain-negotiation',
    'supplychain-prices',
    'supplychain-goals',
    'learning',
  ],
  start: {},
  cli: 'lab scml tournament',
};
