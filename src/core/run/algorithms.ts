/**
 * Algorithm registry: name → how to build a Learner from a JSON config. The run loop, the trainer
 * worker and `lab train --algo …` dispatch through it; adding an algorithm (BC, IQL, …) is one
 * `registerAlgorithm` call. Entries load their module lazily so nothing pays for code it does not run.
 */
import { resolveConfig, type AlgorithmEntry } from './learner.ts';

export { resolveConfig };
export type { AlgorithmEntry, CreateLearnerArgs, Learner, SetupProgress } from './learner.ts';

const registry = new Map<string, AlgorithmEntry>();

export function registerAlgorithm(name: string, entry: AlgorithmEntry): void {
  registry.set(name, entry);
}

export function algorithmNames(): string[] {
  return [...registry.keys()];
}

export function getAlgorithm(name: string): AlgorithmEntry {
  const entry = registry.get(name);
  if (!entry) throw new Error(`unknown algorithm '${name}' (known: ${algorithmNames().join(', ')})`);
  return entry;
}

registerAlgorithm('a2c', {
  summary: 'Advantage actor-critic (synchronous A2C); presets: standard (SB3), qtmrl (seed 003)',
  presets: ['standard', 'qtmrl'],
  async defaults(preset = 'standard') {
    const { a2cConfig } = await import('../agents/a2c.ts');
    return JSON.parse(JSON.stringify(a2cConfig(preset as 'standard'))) as Record<string, unknown>;
  },
  async create({ config, preset = 'standard', makeEnv }) {
    const { A2C, a2cConfig } = await import('../agents/a2c.ts');
    return new A2C(resolveConfig('a2c', a2cConfig(preset as 'standard'), config), makeEnv);
  },
});

registerAlgorithm('ppo', {
  summary: 'Proximal policy optimisation (CleanRL ppo.py, maskable); presets: standard (CleanRL), sb3, qtmrl',
  presets: ['standard', 'sb3', 'qtmrl'],
  async defaults(preset = 'standard') {
    const { ppoConfig } = await import('../agents/ppo.ts');
    return JSON.parse(JSON.stringify(ppoConfig(preset as 'standard'))) as Record<string, unknown>;
  },
  async create({ config, preset = 'standard', makeEnv }) {
    const { PPO, ppoConfig } = await import('../agents/ppo.ts');
    return new PPO(resolveConfig('ppo', ppoConfig(preset as 'standard'), config), makeEnv);
  },
});

registerAlgorithm('sac', {
  summary:
    'Soft actor-critic (CleanRL sac_continuous_action.py / sac_atari.py): Box or Discrete actions, twin Q, autotuned α; presets: standard (CleanRL), pendulum (20k steps)',
  presets: ['standard', 'pendulum'],
  async defaults(preset = 'standard') {
    const { sacConfig } = await import('../agents/sac.ts');
    return JSON.parse(JSON.stringify(sacConfig(preset as 'standard'))) as Record<string, unknown>;
  },
  async create({ config, preset = 'standard', makeEnv }) {
    const { SAC, sacConfig } = await import('../agents/sac.ts');
    return new SAC(resolveConfig('sac', sacConfig(preset as 'standard'), config), makeEnv);
  },
});

registerAlgorithm('diayn', {
  summary:
    "DIAYN skills on SAC: discriminator q(z|s), reward w_ext·r + β·(log q(z|s) − log p(z)); presets as sac's",
  presets: ['standard', 'pendulum'],
  async defaults(preset = 'standard') {
    const { diaynConfig } = await import('../agents/diayn.ts');
    return JSON.parse(JSON.stringify(diaynConfig(preset as 'standard'))) as Record<string, unknown>;
  },
  async create({ config, preset = 'standard', makeEnv }) {
    const { DIAYN, diaynConfig } = await import('../agents/diayn.ts');
    return new DIAYN(resolveConfig('diayn', diaynConfig(preset as 'standard'), config), makeEnv);
  },
});

// Offline algorithms: their module (and its dataset code) loads only when one is used.
const offline = (
  algo: 'bc' | 'iql' | 'iql-residual',
  summary: string,
  presets = ['standard'],
): AlgorithmEntry => ({
  summary,
  presets,
  defaults: async (preset) =>
    (await import('../agents/offline/learners.ts')).offlineAlgorithmEntry(algo).defaults(preset),
  create: async (args) =>
    (await import('../agents/offline/learners.ts')).offlineAlgorithmEntry(algo).create(args),
});
registerAlgorithm(
  'bc',
  offline(
    'bc',
    'Behaviour cloning (seed 004): action + strength heads, class imbalance handling, early stopping; offline dataset',
  ),
);
registerAlgorithm(
  'iql',
  offline(
    'iql',
    'Implicit Q-learning (CORL/d3rlpy; categorical actor for discrete actions); presets: standard (64-wide, batch 64), corl (256, 256); offline dataset',
    ['standard', 'corl'],
  ),
);
registerAlgorithm(
  'iql-residual',
  offline(
    'iql-residual',
    "Residual IQL (seed 000): rescales a provided baseline rule's Box actions, fidelity penalty on its own residual; offline dataset with baseline",
    ['standard', 'corl'],
  ),
);
