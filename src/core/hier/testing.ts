/** Fixtures shared by the hierarchical workflow's tests. */
import { generateSynthetic } from '../data/synthetic.ts';

/** A 4-member population of tiny hierarchies on a 500-day two-regime market: two rounds of 80 steps. */
export const tinyPopulation = () => {
  const data = { assets: 1, days: 500, regimes: 2, seed: 2 };
  const { panel } = generateSynthetic(data);
  const config = {
    workflow: 'hierarchical',
    seed: 3,
    data: { kind: 'synthetic', config: data },
    features: { window: 5 },
    env: { episodeLength: 40 },
    hierarchical: {
      pbtMembers: 4,
      numEnvs: 2,
      routerEvery: 4,
      expertEvery: 2,
      populationEvery: 8,
      hidden: 8,
      batchSize: 16,
      totalSteps: 160,
    },
  };
  return { panel, config };
};
