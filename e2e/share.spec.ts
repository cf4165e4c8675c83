import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { expectFinite, Lab, SHOT_DIR } from './lab.ts';

test('share link round trip gives the same config and metrics; reload keeps runs; two runs compare', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const lab = new Lab(page);
  await lab.open();

  await lab.tab('Agent').click();
  await lab.setField('Learning rate', '0.001');
  await lab.setField('Rollout length', '10');
  await lab.setField('Discount γ', '0.97');
  await lab.tab('Train').click();
  await lab.setField('Training steps', '1600');
  await lab.setField('Seed', '7');
  await page.getByRole('button', { name: 'Copy share link' }).click();
  await expect(page.getByText('Link copied')).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toContain('agent.learningRate=0.001');
  expect(link).toContain('workflow=market');

  await lab.train();
  const first = await lab.agentMetrics();
  expectFinite(first);

  // The link in a new page: same configuration…
  const page2 = await context.newPage();
  const lab2 = new Lab(page2);
  await page2.goto(link);
  await expect(page2.getByTestId('dataset-meta')).toBeVisible({ timeout: 60_000 });
  await lab2.tab('Agent').click();
  await expect(lab2.field('Learning rate')).toHaveValue('0.001');
  await expect(lab2.field('Rollout length')).toHaveValue('10');
  await expect(lab2.field('Discount γ')).toHaveValue('0.97');
  await lab2.tab('Train').click();
  await expect(lab2.field('Training steps')).toHaveValue('1600');
  await expect(lab2.field('Seed')).toHaveValue('7');
  // …and, on the same backend, the same metrics.
  await lab2.train();
  expect(await lab2.agentMetrics()).toEqual(first);

  // Reload keeps both runs; compare them.
  await page2.reload();
  await lab2.tab('Runs').click();
  const rows = page2.locator('table[aria-label="Saved runs"] tbody tr');
  await expect(rows).toHaveCount(2);
  await page2
    .getByRole('checkbox', { name: /^Compare / })
    .nth(0)
    .check();
  await page2
    .getByRole('checkbox', { name: /^Compare / })
    .nth(1)
    .check();
  await expect(page2.getByRole('heading', { name: 'Compare runs' })).toBeVisible();
  await expect(
    page2.getByRole('figure', { name: /Equity of the compared runs/ }).getByRole('img'),
  ).toHaveAttribute('data-drawn-series', '2');
  await expect(page2.locator('table[aria-label="Compared metrics"] thead th')).toHaveCount(3);
  await page2.screenshot({ path: `${SHOT_DIR}/compare.png`, fullPage: true });

  // A saved run's config downloads as the experiment that trained it.
  const [download] = await Promise.all([
    page2.waitForEvent('download'),
    page2
      .getByRole('button', { name: /^Download config of / })
      .first()
      .click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.config\.json$/);
  const config = JSON.parse(readFileSync(await download.path(), 'utf8')) as Record<string, unknown>;
  expect(config).toMatchObject({
    workflow: 'market',
    algo: 'a2c',
    totalSteps: 1600,
    seed: 7,
    agent: { learningRate: 0.001, numSteps: 10, gamma: 0.97 },
  });
});

test('a link with unknown or invalid values falls back to defaults with a visible notice', async ({
  page,
}) => {
  const lab = new Lab(page);
  await lab.open('agent.learningRate=-1&bogus=<img src=x onerror=alert(1)>&algo=ppo&a2c.lr=0.1');
  const notices = page.getByRole('status', { name: 'Link notices' });
  await expect(notices).toContainText('agent.learningRate=-1');
  await expect(notices).toContainText('Ignored unknown setting “a2c.lr”');
  await expect(notices).toContainText('Ignored unknown setting “bogus”');
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await lab.tab('Agent').click();
  await expect(page.getByLabel('Algorithm')).toHaveValue('ppo');
});
