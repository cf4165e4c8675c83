import { expect, test } from '@playwright/test';

test('page loads, the trainer worker answers and shows its tfjs backend', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('./');
  await expect(page.getByRole('heading', { name: 'RL Trading Lab' })).toBeVisible();
  await expect(page.getByTestId('backend')).toHaveText(/Backend: (webgpu|wasm|cpu)\b/);
  expect(errors).toEqual([]);
});
