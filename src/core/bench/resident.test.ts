import { describe, expect, it } from 'vitest';
import { initBackend } from '../agents/backend.ts';
import { checkResidentMarket } from './resident.ts';

// The same check the bench page runs on WebGPU (e2e/resident.spec.ts), here on tfjs's cpu backend.
describe('checkResidentMarket on cpu', () => {
  it('finds the day path equal to the per-window path', async () => {
    expect((await initBackend('cpu')).backend).toBe('cpu');
    const r = await checkResidentMarket(2);
    expect(r.day_path).toBe(1);
    expect(r.action_mismatches).toBe(0);
    expect(r.max_value_diff).toBeLessThan(1e-4);
    expect(r.max_loss_diff).toBeLessThan(1e-4);
    expect(r.max_weight_diff).toBeLessThan(1e-5);
    expect(r.weights_moved).toBeGreaterThan(1e-4);
    expect(r.episodes).toBeGreaterThan(2);
    expect(r.leaked_tensors).toBe(0);
  });
});
