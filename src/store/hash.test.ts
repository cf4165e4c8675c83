import { describe, expect, it } from 'vitest';
import { defaultExperiment } from './experiment.ts';
import { experimentToHash, hashToExperiment } from './hash.ts';

describe('URL hash', () => {
  it('round-trips a changed experiment exactly', () => {
    const e = defaultExperiment();
    e.algo = 'ppo';
    e.hp.ppo.lr = 0.000123;
    e.hp.ppo.normAdv = false;
    e.data.data = 'synthetic';
    e.synthetic['syn.signal'] = 0.35;
    e.env.feeBps = 12.5;
    e.train.seed = 7;
    e.assets = ['AAPL', 'BRK.B'];
    const back = hashToExperiment(`#${experimentToHash(e)}`);
    expect(back.notices).toEqual([]);
    expect(back.experiment).toEqual(e);
  });

  it('an empty hash gives the defaults with no notice', () => {
    expect(hashToExperiment('')).toEqual({ experiment: defaultExperiment(), notices: [] });
  });

  it('invalid and unknown values fall back to defaults with a notice each', () => {
    const r = hashToExperiment(
      '#a2c.lr=-5&gamma=abc&bogus=1&algo=dqn&window=20.5&feeBps=1e999&env=<script>alert(1)</script>',
    );
    const d = defaultExperiment();
    expect(r.experiment).toEqual(d);
    expect(r.notices).toHaveLength(7);
    expect(r.notices.join(' ')).toContain('bogus');
  });

  it('rejects injected asset names and over-long links', () => {
    const r = hashToExperiment('#assets=AAPL,<img src=x onerror=alert(1)>');
    expect(r.experiment.assets).toEqual(['AAPL']);
    expect(r.notices).toHaveLength(1);
    expect(hashToExperiment('#' + 'x'.repeat(9000)).notices[0]).toMatch(/too long/);
  });

  it('picks the dataset default splits unless the link gives splits', () => {
    expect(hashToExperiment('#data=stocks').experiment.splits['test.start']).toBe('2009-01-01');
    expect(hashToExperiment('#train.end=2006-06-30&data=stocks').experiment.splits['train.end']).toBe(
      '2006-06-30',
    );
  });
});
