import { expect, test } from '@playwright/test';
import { expectFinite, Lab, SHOT_DIR } from './lab.ts';

test('new user: default data and A2C, a few thousand steps → equity, drawdown and finite metrics; no long task > 100 ms', async ({
  page,
}) => {
  await Lab.observeLongTasks(page);
  const lab = new Lab(page);
  await lab.open();
  await expect(page.getByTestId('dataset-meta')).toContainText('S&P 500');

  await lab.tab('Train').click();
  await lab.setField('Training steps', '3000');
  await lab.setField('Evaluate every', '1000');
  await lab.train();

  // The run ends on the Results tab.
  await expect(page.getByRole('heading', { name: 'Equity' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Drawdown' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Metrics' })).toBeVisible();
  await expect(
    page
      .getByRole('figure', { name: 'Equity of the agent and the baselines' })
      .locator('.recharts-line')
      .first(),
  ).toBeVisible();
  await expect(
    page
      .getByRole('figure', { name: /Underwater chart/ })
      .locator('.recharts-line')
      .first(),
  ).toBeVisible();
  const metrics = await lab.agentMetrics();
  expect(Object.keys(metrics).sort()).toEqual(['test', 'train', 'valid']);
  expectFinite(metrics);
  await page.screenshot({ path: `${SHOT_DIR}/results.png`, fullPage: true });

  const longTasks = await lab.longTasksDuringTraining();
  const worst = Math.max(0, ...longTasks.map((t) => t.duration));
  console.log(
    `long tasks during training: ${JSON.stringify(longTasks.map((t) => [Math.round(t.start), Math.round(t.duration)]))}`,
  );
  expect(worst, 'no main-thread task > 100 ms while training').toBeLessThanOrEqual(100);

  await lab.tab('Train').click();
  await expect(page.getByRole('figure', { name: 'Losses by training step' })).toBeVisible();
  await page.screenshot({ path: `${SHOT_DIR}/train.png`, fullPage: true });
});
