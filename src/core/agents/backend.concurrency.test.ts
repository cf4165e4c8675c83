/**
 * Overlapping initBackend calls (the page asks for the badge while Train asks again): tfjs's engine
 * lets a second setBackend make the first one's pending init "outdated", so without serialising
 * the calls the first fell through to cpu while the second reported wasm (or "tfjs fell back to cpu
 * instead of wasm"). Its own file so that the wasm backend is not initialised yet when it runs.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';

describe('initBackend called again before the first call finished', () => {
  it('ends on the backend every call reports, wasm, never cpu', async () => {
    const [a, b] = await Promise.all([initBackend('wasm'), initBackend('auto')]);
    expect(a.backend).toBe('wasm');
    expect(a.fallbackReason).toBeUndefined();
    expect(b.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const [c, d] = await Promise.all([initBackend('cpu'), initBackend('wasm')]);
    expect([c.backend, d.backend]).toEqual(['cpu', 'wasm']);
    expect(tf.getBackend()).toBe('wasm');
  });
});
