import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { Lab } from './lab.ts';

test('first visit: the start view lists the workflows; one click starts market on embedded data', async ({
  page,
}) => {
  const lab = new Lab(page);
  await page.goto('./');
  const start = page.getByRole('region', { name: 'Choose a workflow' });
  await expect(start).toBeVisible();
  const market = start.locator('[data-workflow="market"]');
  await expect(market).toContainText('seed 003');
  await expect(market).toContainText('A2C');
  await expect(page.getByRole('tab', { name: 'Data', exact: true })).toBeHidden();
  expect(new URL(page.url()).hash).toBe('');
  await page.screenshot({ path: '/tmp/ui-start-view.png', fullPage: true });

  await market.getByRole('button', { name: /^Start Market RL/ }).click();
  await lab.ready();
  await expect(page.getByTestId('dataset-meta')).toContainText('S&P 500');
  await expect(page.getByTestId('workflow-badge')).toHaveText('Workflow: Market RL (QTMRL) · seed 003');
  await expect.poll(() => new URL(page.url()).hash).toContain('workflow=market');
  await page.screenshot({ path: '/tmp/ui-market-started.png', fullPage: true });

  // The header's Workflows button brings the start view back; the badge stays.
  await page.getByRole('button', { name: 'Workflows', exact: true }).click();
  await expect(start).toBeVisible();
  await expect(page.getByTestId('workflow-badge')).toBeVisible();
  await page.getByRole('button', { name: /^Back to the lab/ }).click();
  await expect(lab.tab('Data')).toBeVisible();
});

test('a link naming its workflow round-trips with dotted keys; Download config parses as the experiment', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const lab = new Lab(page);
  await lab.open('workflow=market&algo=ppo&agent.learningRate=0.002&env.feeRate=0.001&totalSteps=3000');
  await expect(page.getByTestId('workflow-badge')).toContainText('Market RL');
  await lab.tab('Agent').click();
  await expect(page.getByLabel('Algorithm')).toHaveValue('ppo');
  await expect(lab.field('Learning rate')).toHaveValue('0.002');
  await lab.tab('Setup').click();
  // Shown in display units: 0.001 → 10 bps.
  await expect(lab.field('Fee')).toHaveValue('10');
  await lab.setField('Fee', '7.5');
  await expect.poll(() => new URL(page.url()).hash).toContain('env.feeRate=0.00075');
  const hash = new URL(page.url()).hash;
  expect(hash).toContain('workflow=market');
  expect(hash).toContain('agent.learningRate=0.002');

  // Reload: the same experiment, no notices.
  await page.reload();
  await lab.ready();
  await expect(page.getByRole('status', { name: 'Link notices' })).toHaveCount(0);
  await lab.tab('Setup').click();
  await expect(lab.field('Fee')).toHaveValue('7.5');
  expect(new URL(page.url()).hash).toBe(hash);

  // Download config: the ExperimentConfig JSON of what is on screen.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download config' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('market-ppo-seed1.config.json');
  const config = JSON.parse(readFileSync(await download.path(), 'utf8')) as Record<string, unknown>;
  expect(config).toMatchObject({
    workflow: 'market',
    algo: 'ppo',
    totalSteps: 3000,
    name: 'market-ppo-seed1',
    data: { kind: 'embedded', name: 'sp500' },
    agent: { learningRate: 0.002 },
    env: { feeRate: 0.00075 },
    splits: { train: { start: '2000-01-01' } },
  });

  await page.getByRole('button', { name: 'Copy CLI command' }).click();
  await expect(page.getByText('Command copied')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
    'npx lab train --config market-ppo-seed1.config.json --out runs/market-ppo-seed1',
  );
});

test('an invalid field blocks Train and names the field', async ({ page }) => {
  const lab = new Lab(page);
  await lab.open();
  await lab.tab('Agent').click();
  await lab.setField('Learning rate', '5');
  await expect(page.getByRole('alert').filter({ hasText: 'Train is blocked' })).toContainText(
    'Agent · Learning rate: must be ≤ 1',
  );
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
});

test('synthetic data: its knobs in display units and a split editor by shares or dates', async ({ page }) => {
  const lab = new Lab(page);
  await lab.open();
  await page.getByRole('radio', { name: 'Synthetic market (seeded)' }).check();
  await expect(page.getByTestId('dataset-meta')).toContainText(/ynthetic/, { timeout: 60_000 });
  // Volatility 0.2 in core units shows as 20 %/yr.
  await expect(lab.field('Volatility')).toHaveValue('20');
  await expect(page.getByRole('radio', { name: 'Shares of the rows' })).toBeChecked();
  await expect(lab.field('Train share')).toHaveValue('60');
  await lab.setField('Train share', '50');
  await expect.poll(() => new URL(page.url()).hash).toContain('splits.fractions.train=0.5');
  await page.screenshot({ path: '/tmp/ui-data-synthetic-shares.png', fullPage: true });
  await page.getByRole('radio', { name: 'Dates', exact: true }).check();
  await expect(page.getByLabel('Train from')).toBeVisible();
  await expect.poll(() => new URL(page.url()).hash).toContain('splits.train.start=');
  expect(new URL(page.url()).hash).not.toContain('splits.fractions');
});
