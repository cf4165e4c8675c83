import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { Lab } from './lab.ts';

// Seeds 000 (kol) and 004 (ensemble) as workflows of the lab: started from the start view or a
// link, trained in the worker on embedded data with small budgets, their own result sections drawn.

test('the start view offers the kol and ensemble workflows', async ({ page }) => {
  await page.goto('./');
  const start = page.getByRole('region', { name: 'Choose a workflow' });
  await expect(start.locator('[data-workflow="kol"]')).toContainText('seed 000');
  await expect(start.locator('[data-workflow="ensemble"]')).toContainText('seed 004');
});

test('kol: posts → baseline book → residual; equity against the baseline and the per-post decisions', async ({
  page,
}, info) => {
  test.setTimeout(240_000);
  const lab = new Lab(page);
  await lab.open('workflow=kol&kol.steps=120&kol.synthetic.postsPerDay=4');
  await lab.tab('Setup').click();
  await expect(page.getByRole('heading', { name: 'Baseline book' })).toBeVisible();
  await expect(lab.field('Max weight per ticker')).toHaveValue('0.2');
  await lab.tab('Train').click();
  await lab.train();
  await lab.tab('Results').click();
  const metrics = page.getByRole('table', { name: 'Metrics per split' });
  await expect(metrics.locator('tr[data-strategy="kol-baseline"]').first()).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('section[data-section="kol-deviation"]')).toBeVisible({ timeout: 30_000 });
  const decisions = page.locator('section[data-section="kol-decisions"]');
  await expect(decisions).toBeVisible({ timeout: 30_000 });
  await expect(decisions.locator('tbody tr').first()).toBeVisible();
  await page.screenshot({ path: `/tmp/ui-kol-results-${info.project.name}.png`, fullPage: true });
});

test('ensemble: analysts → BC → 4th analyst → PPO; votes, checklist and BC report in Results @isolated', async ({
  page,
}, info) => {
  test.setTimeout(300_000);
  const lab = new Lab(page);
  await lab.open('workflow=ensemble&ensemble.bcEpochs=3&ensemble.ppoSteps=256');
  await lab.tab('Agent').click();
  await expect(page.getByText(/trains its own learner; its settings are in Setup/)).toBeVisible();
  await lab.tab('Train').click();
  await lab.train(240_000);
  await lab.tab('Results').click();
  for (const id of ['ensemble-votes', 'ensemble-checklist', 'ensemble-bc', 'ensemble-actions'])
    await expect(page.locator(`section[data-section="${id}"]`)).toBeVisible({ timeout: 30_000 });
  const metrics = page.getByRole('table', { name: 'Metrics per split' });
  await expect(metrics.locator('tr[data-strategy="ppo-bc"]').first()).toBeVisible();
  await page.screenshot({ path: `/tmp/ui-ensemble-results-${info.project.name}.png`, fullPage: true });
});

test('kol: a signals CSV loaded in the Data panel, reported by line, trained on', async ({ page }, info) => {
  test.setTimeout(240_000);
  // Posts on the synthetic tickers (SYN1…SYN8 from 2000-01-03), one a week per ticker, one bad row.
  const rows = ['date,ticker,sentiment,confidence,text'];
  const day0 = Date.UTC(2000, 0, 4);
  for (let k = 0; k < 240; k++) {
    const date = new Date(day0 + k * 7 * 86_400_000).toISOString().slice(0, 10);
    const s = ((k * 37) % 19) / 9 - 1;
    rows.push(`${date},SYN${(k % 4) + 1},${s.toFixed(2)},0.8,post number ${k} says ${s > 0 ? 'up' : 'down'}`);
  }
  rows.splice(5, 0, '2000-02-01,SYN2,very bullish,0.5,a row whose sentiment is not a number');
  mkdirSync(info.outputDir, { recursive: true });
  const file = path.join(info.outputDir, 'posts.csv');
  writeFileSync(file, rows.join('\n') + '\n');

  const lab = new Lab(page);
  await lab.open('workflow=kol&data.kind=synthetic&data.config.assets=8&kol.steps=60');
  await page.getByRole('radio', { name: 'My signals CSV' }).check();
  const train = page.getByRole('button', { name: 'Train', exact: true });
  await expect(train).toBeDisabled();
  await expect(train).toHaveAttribute('title', /Data · posts: load a signals CSV/);
  await page.getByLabel('Load signals CSV').setInputFiles(file);
  const report = page.getByRole('region', { name: 'Signals import report' });
  await expect(report).toHaveAttribute('data-status', 'ok', { timeout: 30_000 });
  await expect(report).toContainText('240 posts');
  // The bad row is line 6 of the file (header = line 1).
  await expect(report.locator('pre')).toContainText(
    /dropped: 1 row with a sentiment that is not a number.*line 6/,
  );
  await lab.tab('Train').click();
  await lab.train();
  await lab.tab('Results').click();
  const decisions = page.locator('section[data-section="kol-decisions"]');
  await expect(decisions).toContainText('post number', { timeout: 30_000 });
});
