import { expect, test } from '@playwright/test';
import { expectFinite, Lab } from './lab.ts';

// A small synthetic market keeps this short: WebGPU here runs on SwiftShader (CPU emulation), where
// every batch-1 forward pass with its readback costs ~0.2 s, so evaluation is kept to ~100 steps.
const HASH = [
  'backend=webgpu',
  'data.kind=synthetic',
  'data.config.days=120',
  'data.config.assets=2',
  'features.ichimoku=false',
  'splits.train.start=2000-01-01',
  'splits.train.end=2000-05-15',
  'splits.valid.start=2000-05-16',
  'splits.valid.end=2000-05-31',
  'splits.test.start=2000-06-01',
  'splits.test.end=2000-06-15',
  'env.episodeLength=20',
  'totalSteps=200',
  'eval.every=1000',
].join('&');

test('with --enable-unsafe-webgpu the WebGPU backend trains and gives finite metrics', async ({ page }) => {
  const lab = new Lab(page);
  await lab.open(HASH);
  await expect(page.getByTestId('backend')).toHaveText(/Backend: webgpu/);
  await lab.tab('Train').click();
  await lab.train(240_000);
  const metrics = await lab.agentMetrics();
  expectFinite(metrics);
  await lab.tab('Runs').click();
  await expect(page.locator('table[aria-label="Saved runs"] tbody tr').first()).toContainText('webgpu');
});
