import { expect, test } from '@playwright/test';
import { expectFinite, Lab, SHOT_DIR } from './lab.ts';

// Runs on the plain host and (@isolated) on the cross-origin-isolated one, where tfjs-wasm is threaded.
test('@isolated new user: default data and A2C → equity, drawdown, finite metrics on wasm; results, splits, runs and compare with no main-thread task > 100 ms', async ({
  page,
}) => {
  await Lab.observeLongTasks(page);
  const lab = new Lab(page);
  await lab.open();
  await expect(page.getByTestId('dataset-meta')).toContainText('S&P 500');
  const isolated = await page.evaluate(() => crossOriginIsolated);
  // The backend in use is wasm on both hosts: threaded where the page is isolated.
  await expect(page.getByTestId('backend')).toHaveText(
    isolated ? /wasm \(SIMD, \d+ threads\)/ : /wasm \(SIMD, 1 thread\)/,
  );

  await lab.tab('Train').click();
  await lab.setField('Training steps', '3000');
  await lab.setField('Evaluate every', '1000');
  await lab.startTaskTrace();
  await lab.train();

  // The run ends on the Results tab, and it ran on wasm (not the cpu fallback). Inside the trace,
  // elements that are still to come are awaited with lab.appear, not expect (see there).
  await expect(await lab.appear(page.getByRole('heading', { name: 'Equity' }))).toBeVisible();
  await expect(page.getByTestId('run-header')).toContainText('backend wasm');
  await expect(page.getByTestId('backend')).toHaveText(isolated ? /wasm \(SIMD, \d+ threads\)/ : /wasm/);
  await expect(await lab.appear(page.getByRole('heading', { name: 'Drawdown' }))).toBeVisible();
  await expect(await lab.appear(page.getByRole('heading', { name: 'Metrics' }))).toBeVisible();
  // The charts are canvases (role img, named by a summary of their lines); `data-drawn-series` counts
  // the lines actually drawn: the agent and at least one baseline.
  const equity = await lab.appear(
    page.getByRole('figure', { name: 'Equity of the agent and the baselines' }).getByRole('img'),
  );
  await expect(equity).toHaveAttribute('data-drawn-series', /^([2-9]|\d\d+)$/);
  await expect(equity).toHaveAttribute('aria-label', /lines from .*; agent from /);
  await expect(
    await lab.appear(page.getByRole('figure', { name: /Underwater chart/ }).getByRole('img')),
  ).toHaveAttribute('data-drawn-series', /^([2-9]|\d\d+)$/);
  const metrics = await lab.agentMetrics();
  expect(Object.keys(metrics).sort()).toEqual(['test', 'train', 'valid']);
  expectFinite(metrics);
  await expect(await lab.appear(page.getByRole('heading', { name: 'Trade log' }))).toBeVisible();
  await page.screenshot({ path: `${SHOT_DIR}/results${isolated ? '-isolated' : ''}.png`, fullPage: true });

  // Switching splits, one at a time.
  for (const split of ['train', 'valid', 'test', 'All splits']) {
    await page.getByRole('radio', { name: split, exact: true }).check();
    await expect(await lab.appear(page.getByRole('heading', { name: 'Trade log' }))).toBeVisible();
  }

  await lab.tab('Train').click();
  await expect(await lab.appear(page.getByRole('figure', { name: 'Losses by training step' }))).toBeVisible();
  await page.screenshot({ path: `${SHOT_DIR}/train${isolated ? '-isolated' : ''}.png`, fullPage: true });

  // A second, short run; then the runs list and the comparison of the two.
  await lab.setField('Training steps', '500');
  await lab.train();
  await lab.tab('Runs').click();
  await lab.appear(page.locator('table[aria-label="Saved runs"] tbody tr').nth(1));
  await expect(page.locator('table[aria-label="Saved runs"] tbody tr')).toHaveCount(2);
  await page
    .getByRole('checkbox', { name: /^Compare / })
    .nth(0)
    .check();
  await page
    .getByRole('checkbox', { name: /^Compare / })
    .nth(1)
    .check();
  await expect(
    await lab.appear(page.getByRole('figure', { name: /Equity of the compared runs/ }).getByRole('img')),
  ).toHaveAttribute('data-drawn-series', '2');
  await page.getByRole('radio', { name: 'valid', exact: true }).check();
  await expect(
    await lab.appear(
      page.getByRole('figure', { name: /Equity of the compared runs on the valid split/ }).getByRole('img'),
    ),
  ).toHaveAttribute('data-drawn-series', '2');

  // Every main-thread task from Train to the comparison stays under 100 ms of CPU time. Its wall
  // time is logged too (the `longtask` entries): on a machine whose cores other processes share it
  // includes their time, so the budget is checked on what the page itself spent.
  // Tasks over 20 ms (wall or CPU) are logged, so the log shows how far below the budget it is.
  const tasks = await lab.stopTaskTrace(20);
  const longTasks = await lab.longTasksSinceTrainStart();
  const host = isolated ? 'isolated' : 'plain';
  console.log(
    `${host}: longtask entries [start, wall ms] ${JSON.stringify(longTasks.map((t) => [Math.round(t.start), Math.round(t.duration)]))}`,
  );
  console.log(
    `${host}: traced tasks [start, wall ms, cpu ms] ${JSON.stringify(tasks.map((t) => [t.start, t.wall, t.cpu]))}`,
  );
  expect(tasks.length, 'the trace saw the flow').toBeGreaterThan(0);
  const worst = Math.max(0, ...tasks.map((t) => t.cpu));
  console.log(`${host}: worst task ${worst} ms of CPU`);
  // Measured (README, Responsiveness): the worst task is now under 100 ms of CPU; it was 73–165 ms
  // while recharts drew the Results and Compare charts as SVG, before they moved to canvas.
  expect(worst, 'no main-thread task over 100 ms (CPU) from Train to compare').toBeLessThan(100);

  // Hovering a chart shows the date under the pointer and the value of each run there.
  const compared = page.getByRole('figure', { name: /Equity of the compared runs on the valid split/ });
  await compared.hover({ position: { x: 300, y: 100 } });
  const tooltip = compared.locator('.live-tooltip');
  await expect(tooltip.locator('div').first()).toHaveText(/^\d{4}-\d{2}-\d{2}$/);
  await expect(tooltip.locator('div')).toHaveCount(3);
  await expect(tooltip).toContainText(/: \d+\.\d\d/);
});
