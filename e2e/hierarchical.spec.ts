import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { Lab } from './lab.ts';

// Seed 002 as the lab's `hierarchical` workflow: picked from the start view, trained in the worker
// on the two-regime synthetic market with a tiny budget, its six result sections drawn in Results.
// HIER_SHOTS=<dir> keeps the screenshots there (default: the test's output folder).

/** The page's member workers (nested in the trainer worker; Playwright lists those too). */
const memberWorkers = (page: Page) => page.workers().filter((w) => /hierMember\.worker/.test(w.url())).length;
/** Member workers the trainer starts for 4 members: cores − 1, at least 1 (1 on a 2-core machine). */
const poolSize = async (page: Page) =>
  Math.max(1, Math.min(4, (await page.evaluate(() => navigator.hardwareConcurrency || 2)) - 1));

/** Opens the lab as a first visit, starts the hierarchical workflow from the start view, opens Setup. */
async function startFromStartView(page: Page): Promise<Lab> {
  const lab = new Lab(page);
  await page.goto('./');
  await page
    .getByRole('region', { name: 'Choose a workflow' })
    .locator('[data-workflow="hierarchical"]')
    .getByRole('button', { name: /^Start / })
    .click();
  await lab.ready();
  await lab.tab('Setup').click();
  return lab;
}

const SECTIONS = [
  'hierarchical-usage',
  'hierarchical-experts',
  'hierarchical-regimes',
  'hierarchical-diversity',
  'hierarchical-pbt',
  'hierarchical-periods',
];

test('the start view offers the hierarchical workflow (seed 002)', async ({ page }) => {
  await page.goto('./');
  const start = page.getByRole('region', { name: 'Choose a workflow' });
  await expect(start.locator('[data-workflow="hierarchical"]')).toContainText('seed 002');
});

test('hierarchical: experts under a router on two regimes; usage, experts, regimes, diversity, PBT, periods', async ({
  page,
}, info) => {
  test.setTimeout(300_000);
  // From the start view, as a first visit: the workflow's start values (the two-regime market).
  const lab = await startFromStartView(page);
  await lab.setField('Training days', '240');
  await page.getByLabel('Encoder').selectOption('timesnet');
  // The proof's credit: each expert learns from its cluster of market states (k-means in the worker).
  await page.getByLabel("Experts' own days").selectOption('cluster');
  await lab.tab('Train').click();
  await lab.startTaskTrace();
  await lab.train(240_000);
  await lab.tab('Results').click();
  for (const id of SECTIONS) await lab.appear(page.locator(`section[data-section="${id}"]`), 60_000);
  const tasks = await lab.stopTaskTrace(50);
  console.log(
    `hierarchical: tasks over 50 ms [start, wall, cpu] ${JSON.stringify(tasks.map((t) => [t.start, t.wall, t.cpu]))}`,
  );

  const usage = page.locator('section[data-section="hierarchical-usage"]');
  await expect(usage.getByRole('img')).toHaveAttribute('aria-label', /tinted by the expert the router chose/);
  await expect(usage).toContainText(/regime \S+ \(\d+%\)/);
  const experts = page.locator('section[data-section="hierarchical-experts"]');
  await expect(experts.getByRole('table', { name: 'Per-expert results' })).toBeVisible();
  await expect(experts.locator('canvas[data-drawn-series]').first()).not.toHaveAttribute(
    'data-drawn-series',
    '0',
  );
  const regimes = page.locator('section[data-section="hierarchical-regimes"]');
  await expect(regimes.getByTestId('regime-mi')).toContainText(/nats/);
  await expect(page.getByTestId('diversity-summary')).toContainText(/Last MAPD \d/);
  // One hierarchy, not a population.
  await expect(page.locator('section[data-section="hierarchical-pbt"]')).toContainText('single hierarchy');
  await expect(page.locator('section[data-section="hierarchical-periods"]')).toContainText(/window T = \d+/);

  const dir = process.env.HIER_SHOTS ?? info.outputDir;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: `${dir}/hier-results-${info.project.name}.png`, fullPage: true });
  for (const id of SECTIONS)
    await page
      .locator(`section[data-section="${id}"]`)
      .screenshot({ path: `${dir}/${id.replace('hierarchical-', 'hier-')}-${info.project.name}.png` });
  // The train split alone (the start market's dates all fall in it), and the day under the pointer.
  await page.getByRole('radio', { name: 'train' }).check();
  await expect(regimes.getByRole('table', { name: /choice by regime/ })).toContainText('(train)');
  // What each expert does per regime trading alone: exposure · momentum for each expert.
  await expect(regimes.getByRole('table', { name: /behaviour per regime/ })).toContainText(
    /train · expert-2\s*\d+% · [+−–]/,
  );
  await usage.getByRole('img').hover({ position: { x: 200, y: 40 } });
  await expect(usage.getByTestId('usage-hover')).toHaveText(
    /^\d{4}-\d{2}-\d{2}: expert-\d, regime \S+, price \d/,
  );
  // Training and Results (staged one section a task) block the page for under 100 ms of CPU at a time
  // (measured: one task over 50 ms, 65 ms wall / 15 ms CPU).
  expect(Math.max(0, ...tasks.map((t) => t.cpu)), 'worst task, ms of CPU').toBeLessThan(100);
});

test('hierarchical population (PBT members 4): the members train on the trainer’s member workers @isolated', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const lab = await startFromStartView(page);
  // Rounds of 2 decisions × 5 days × 8 episodes = 80 steps; 160 days: two rounds of 4 members.
  await lab.setField('PBT members', '4');
  await lab.setField('Population step every', '2');
  await lab.setField('Training days', '160');
  await lab.tab('Train').click();
  await lab.train(240_000);
  await lab.tab('Results').click();
  const pbt = await lab.appear(page.locator('section[data-section="hierarchical-pbt"]'), 60_000);
  await expect(pbt.getByRole('table', { name: 'Population members' })).toBeVisible();
  await expect(pbt.locator('tr[data-member]')).toHaveCount(4);
  // Trained off the trainer's thread, on its pool; the pool is gone with the run.
  const k = await poolSize(page);
  await expect(pbt.getByTestId('pbt-workers')).toContainText(
    `4 members on ${k} member worker${k === 1 ? '' : 's'} (member m in worker m mod ${k})`,
  );
  await expect.poll(() => memberWorkers(page)).toBe(0);
  // The best member, restored in the trainer, evaluated as a single run is.
  await lab.appear(page.locator('section[data-section="hierarchical-usage"]'), 60_000);
});

test('hierarchical population: Stop ends it promptly and its member workers go', async ({ page }) => {
  test.setTimeout(300_000);
  const lab = await startFromStartView(page);
  // 100 rounds of 80 steps: far more than the test waits for.
  await lab.setField('PBT members', '4');
  await lab.setField('Population step every', '2');
  await lab.setField('Training days', '8000');
  await lab.tab('Train').click();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const progress = () =>
    page
      .getByRole('progressbar', { name: 'Training progress' })
      .evaluate((p) => (p as HTMLProgressElement).value);
  // The first round's metrics arrived: the member workers are mid-way through round 2.
  await expect.poll(progress, { timeout: 120_000 }).toBeGreaterThan(0);
  expect(memberWorkers(page)).toBe(await poolSize(page));
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  // Measured 4.5 s on a loaded 2-core machine: the round in flight stops, the best is restored and evaluated.
  await expect(page.getByTestId('train-status')).toHaveText('stopped', { timeout: 30_000 });
  console.log(`hierarchical population: Stop → stopped (best member evaluated) in ${Date.now() - t0} ms`);
  await expect.poll(() => memberWorkers(page)).toBe(0);
  await lab.tab('Results').click();
  const pbt = await lab.appear(page.locator('section[data-section="hierarchical-pbt"]'), 60_000);
  await expect(pbt.getByTestId('pbt-workers')).toContainText(/^4 members on \d+ member workers? /);
});
