import { describe, expect, it } from 'vitest';
import { runPool } from './pool.ts';

describe('runPool (Node worker threads)', () => {
  it('runs every job once, keeps order, reports errors and survives a dead worker', async () => {
    const progress: number[] = [];
    const errors: string[] = [];
    const results = await runPool<number, number>([1, 2, -1, Number.NaN, 5, 6], {
      workers: 2,
      entry: new URL('./echo.worker.fixture.ts', import.meta.url),
      onProgress: (job) => progress.push(job),
      onError: (_job, message) => errors.push(message),
    });
    expect(results[0]).toBe(2);
    expect(results[1]).toBe(4);
    expect(results[2]).toEqual({ error: 'negative job -1' });
    expect(results[3]).toEqual({ error: 'worker exited with code 3' });
    expect(results[4]).toBe(10);
    expect(results[5]).toBe(12);
    expect(progress.sort()).toEqual([1, 2, 5, 6]);
    expect(errors).toHaveLength(2);
  });
});
