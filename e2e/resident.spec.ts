import { expect, test } from '@playwright/test';

// The resident market (TimeCNN per (asset, day), issue 10) on WebGPU: here SwiftShader, so this
// checks correctness, not speed. The bench page runs core's checkResidentMarket in a worker: a small
// A2C trained side by side on the day path and the per-window path from one seed.
test('on WebGPU the per-(asset, day) path trains exactly like the per-window path', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('src/bench/index.html?backend=webgpu&suite=resident&iterations=2');
  await page.waitForFunction(
    () => (window as { __benchResult?: unknown }).__benchResult !== undefined,
    null,
    {
      timeout: 280_000,
    },
  );
  const r = await page.evaluate(
    () =>
      (
        window as unknown as {
          __benchResult: {
            ok: boolean;
            error?: string;
            result?: { backend: { backend: string }; figures: Record<string, number> };
          };
        }
      ).__benchResult,
  );
  expect(r.error).toBeUndefined();
  expect(r.ok).toBe(true);
  expect(r.result!.backend.backend).toBe('webgpu');
  const f = r.result!.figures;
  expect(f.day_path).toBe(1);
  expect(f.action_mismatches).toBe(0);
  expect(f.max_value_diff).toBeLessThan(1e-4);
  expect(f.max_weight_diff).toBeLessThan(1e-5);
  expect(f.weights_moved).toBeGreaterThan(1e-4);
  expect(f.leaked_tensors).toBe(0);
});
