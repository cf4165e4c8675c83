import type { SyntheticConfig } from '../../core/data/synthetic.ts';
import type { Values } from '../../store/fields.ts';

/** Adapter: the Data panel's synthetic knobs (user units) → core's SyntheticConfig. */
export function syntheticConfig(v: Values): Partial<SyntheticConfig> {
  const regimes = v['syn.regimes'] === true;
  return {
    seed: v['syn.seed'] as number,
    assets: v['syn.assets'] as number,
    days: v['syn.days'] as number,
    signalStrength: v['syn.signal'] as number,
    drift: (v['syn.drift'] as number) / 100,
    volatility: (v['syn.vol'] as number) / 100,
    correlation: v['syn.corr'] as number,
    jumpProbability: (v['syn.jumps'] as number) / 252,
    ...(regimes ? {} : { turbulentMultiplier: 1, pCalmToTurbulent: 0 }),
  };
}
