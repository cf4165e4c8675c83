import { describe, expect, it } from 'vitest';
import { algorithmNames, getAlgorithm } from '../../core/run/algorithms.ts';
import { PRESETS, TRAINABLE_ALGOS, type AlgoId } from '../../store/algorithms.ts';
import { defaultHp } from '../../store/experiment.ts';
import { agentConfig } from './toCore.ts';

/** Core keys the form leaves to core's preset on purpose (set elsewhere or not user-facing). */
const LEFT_TO_CORE: Record<AlgoId, string[]> = {
  a2c: ['seed', 'totalSteps', 'annealLr', 'initLogStd'],
  ppo: ['seed', 'totalSteps', 'optimizer', 'optimizerEps', 'initLogStd'],
  bc: [
    'seed',
    'totalSteps',
    'activation',
    'dropout',
    'split',
    'minDelta',
    'restoreBest',
    'focalGamma',
    'normalizeObs',
  ],
  iql: [
    'seed',
    'totalSteps',
    'activation',
    'actorSchedule',
    'logStdMin',
    'logStdMax',
    'normalizeObs',
    'residual',
    'logInterval',
  ],
};

// The Agent form's presets must be core's presets exactly, so a link and `lab train --preset` agree,
// and every core hyperparameter must be either on the form or deliberately left to core.
describe('UI presets map onto core presets', () => {
  for (const algo of TRAINABLE_ALGOS) {
    for (const preset of Object.keys(PRESETS[algo])) {
      it(`${algo} ${preset}`, async () => {
        const core = await getAlgorithm(algo).defaults(preset);
        const ui = agentConfig(algo, defaultHp(algo, preset));
        const expected = Object.fromEntries(
          Object.entries(core).filter(([k]) => !LEFT_TO_CORE[algo].includes(k)),
        );
        expect(ui).toEqual(expected);
      });
    }
  }
});

describe('trainable algorithms', () => {
  it('are exactly the ones core registers', () => {
    // Residual IQL scales a baseline rule the caller provides by name; the lab has none to offer.
    expect([...TRAINABLE_ALGOS].sort()).toEqual(
      algorithmNames()
        .filter((n) => n !== 'iql-residual')
        .sort(),
    );
  });
});
