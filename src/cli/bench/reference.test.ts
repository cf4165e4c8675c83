import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/agents/backend.ts';
import { makeActorCritic } from '../../core/agents/nets/actorCritic.ts';
import { findTorchPython, runReference } from './reference.ts';

const py = findTorchPython();

// The PyTorch reference must be the lab's network: same parameter count for the same shape.
describe.skipIf(!py)('PyTorch reference (bench/reference/qtmrl_a2c.py)', () => {
  beforeAll(async () => {
    expect((await initBackend('cpu')).backend).toBe('cpu');
  });

  for (const cross of ['attention', 'none'] as const) {
    it(
      `has the lab's parameter count and reports its rates (cross-asset ${cross})`,
      { timeout: 120_000 },
      () => {
        const [N, F, W] = [3, 5, 8];
        const r = runReference(py!.python, [
          '--assets',
          `${N}`,
          '--features',
          `${F}`,
          '--window',
          `${W}`,
          '--days',
          '700',
          '--iterations',
          '1',
          '--cross',
          cross,
        ]);
        const lab = makeActorCritic({
          obsSpace: { shape: [W * N * F + N + 1] },
          actionSpace: { kind: 'multi-discrete', nvec: new Array<number>(N).fill(3) },
          encoder: 'timecnn',
          crossAsset: cross,
          layout: { window: W, nAssets: N, nFeatures: F, perAssetExtras: 1, globalExtras: 1 },
          seed: 1,
        });
        try {
          expect(r.params).toBe(lab.paramCount);
        } finally {
          lab.dispose();
        }
        expect(r.cross).toBe(cross);
        expect(r.threads).toBe(1);
        expect(Number(r.sps)).toBeGreaterThan(0);
        expect(Number(r.cpu_sps)).toBeGreaterThan(0);
      },
    );
  }
});
