import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend, probeWebGpu, withTimeout } from './backend.ts';

describe('initBackend (Node)', () => {
  it('auto picks wasm with SIMD in Node (no navigator.gpu) and reports what tf.getBackend() says', async () => {
    const info = await initBackend('auto');
    expect(info.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.requested).toBe('auto');
    expect(info.fallbackReason).toBeUndefined();
    expect(info.simd).toBe(true);
    expect(info.notes.join(' ')).toMatch(/webgpu skipped/);
  });

  it('honours cpu and wasm overrides', async () => {
    expect((await initBackend('cpu')).backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect((await initBackend('wasm')).backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('falls back from an unavailable webgpu to wasm and says why', async () => {
    const info = await initBackend('webgpu');
    expect(info.backend).toBe('wasm');
    expect(info.fallbackReason).toMatch(/navigator.gpu is absent/);
  });

  it('rejects an unknown preference with a clear error', async () => {
    await expect(initBackend('gpu' as never)).rejects.toThrow(/unknown backend 'gpu'/);
  });

  it('treats a fallback (SwiftShader) adapter as not real', async () => {
    const g = globalThis as { navigator?: unknown };
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', {
      configurable: true,
      value: {
        gpu: {
          requestAdapter: async () => ({
            info: { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: false },
          }),
        },
      },
    });
    try {
      const probe = await probeWebGpu(1000);
      expect(probe.available).toBe(true);
      expect(probe.real).toBe(false);
      Object.defineProperty(globalThis, 'navigator', {
        configurable: true,
        value: { gpu: { requestAdapter: () => new Promise(() => {}) } },
      });
      const hung = await probeWebGpu(50);
      expect(hung.available).toBe(false);
      expect(hung.description).toMatch(/timed out after 50 ms/);
    } finally {
      if (saved) Object.defineProperty(globalThis, 'navigator', saved);
      else delete g.navigator;
    }
  });

  it('withTimeout rejects a promise that never settles', async () => {
    await expect(withTimeout(new Promise(() => {}), 20, 'thing')).rejects.toThrow(
      /thing timed out after 20 ms/,
    );
  });
});
