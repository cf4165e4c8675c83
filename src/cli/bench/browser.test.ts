import { describe, expect, it } from 'vitest';
import { flatten } from './browser.ts';

const backend = {
  backend: 'wasm' as const,
  requested: 'wasm' as const,
  notes: [],
  simd: true,
  threads: true,
  threadsCount: 2,
  crossOriginIsolated: true,
  initMs: 12.3456,
};
const page = { crossOriginIsolated: true, hardwareConcurrency: 2, userAgent: 'HeadlessChrome' };

describe('browser bench figures', () => {
  it('flattens a page result into the documented browser/<backend>/… keys', () => {
    const f = flatten(
      'browser/wasm_threads/',
      {
        ok: true,
        page,
        wallMs: 1000,
        result: {
          backend,
          totalMs: 900,
          figures: {
            a2c_sps: 400,
            a2c_minutes_to_1e6: 41.6667,
            a2c_batch: 400,
            a2c_update_ms: 800,
            a2c_env_ms: 5,
            a2c_leaked_tensors: 0,
            ppo_sps: 100,
            ppo_minutes_to_1e6: 166.7,
            forward_b16_ms: 6.5,
            forward_b16_min_ms: 4,
            wasm_batch_matmul_simd: 1,
            wasm_batch_matmul_max_err: 2e-6,
          },
        },
      },
      null,
    );
    expect(f).toMatchObject({
      'browser/wasm_threads/backend': 'wasm',
      'browser/wasm_threads/cross_origin_isolated': true,
      'browser/wasm_threads/wasm_threads': 2,
      'browser/wasm_threads/a2c_steps_per_s': 400,
      'browser/wasm_threads/a2c_time_to_1e6_min': 41.667,
      'browser/wasm_threads/a2c_update_ms': 800,
      'browser/wasm_threads/ppo_steps_per_s': 100,
      'browser/wasm_threads/forward_batch16_ms': 6.5,
      'browser/wasm_threads/forward_batch16_min_ms': 4,
      'browser/wasm_threads/init_ms': 12.346,
      'browser/wasm_threads/wasm_batch_matmul_simd': true,
      'browser/wasm_threads/wasm_batch_matmul_max_err': 2e-6,
    });
    expect(f['browser/wasm_threads/error']).toBeUndefined();
  });

  it('reports a failed page with its error, and a timed-out one from its partial figures', () => {
    expect(
      flatten('browser/wasm/', { ok: false, error: 'bench worker crashed', page, wallMs: 5 }, null),
    ).toEqual({
      'browser/wasm/cross_origin_isolated': true,
      'browser/wasm/error': 'bench worker crashed',
    });
    const partial = flatten('browser/webgpu/', null, {
      backend: { ...backend, backend: 'webgpu', adapter: 'google swiftshader' },
      totalMs: 1,
      figures: { forward_b1_ms: 150 },
    });
    expect(partial['browser/webgpu/adapter']).toBe('google swiftshader');
    expect(partial['browser/webgpu/forward_batch1_ms']).toBe(150);
    expect(partial['browser/webgpu/a2c_steps_per_s']).toBeUndefined();
  });
});
