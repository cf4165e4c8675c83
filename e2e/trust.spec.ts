import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { Lab } from './lab.ts';

/** A small synthetic market with splits inside its dates and a tiny A2C: runs take seconds. */
const BASE = [
  'data.kind=synthetic',
  'data.config.assets=2',
  'data.config.days=500',
  'features.window=10',
  'env.episodeLength=32',
  'algo=a2c',
  'agent.numEnvs=2',
  'agent.numSteps=8',
  'agent.network.hidden=16,16',
];
const SPLITS = {
  'splits.train.start': '2000-01-01',
  'splits.train.end': '2001-03-31',
  'splits.valid.start': '2001-04-01',
  'splits.valid.end': '2001-08-31',
  'splits.test.start': '2001-09-01',
  'splits.test.end': '2030-12-31',
};
function hash(extra: Record<string, string | number> = {}): string {
  const all: Record<string, string | number> = { ...SPLITS, ...extra };
  return [...BASE, ...Object.entries(all).map(([k, v]) => `${k}=${v}`)].join('&');
}

const status = (page: Page) => page.getByTestId('train-status');
const progress = (page: Page) =>
  page
    .getByRole('progressbar', { name: 'Training progress' })
    .evaluate((p) => (p as HTMLProgressElement).value);

test('pause holds a training where it is, resume continues it, stop ends it and keeps the run', async ({
  page,
}) => {
  const lab = new Lab(page);
  await lab.open(hash({ totalSteps: 200_000 }));
  await lab.tab('Train').click();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => progress(page), { timeout: 60_000 }).toBeGreaterThan(0.002);

  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(status(page)).toHaveText('paused');
  await page.waitForTimeout(500); // the last batch sent before the pause lands
  const held = await progress(page);
  await page.waitForTimeout(1500);
  expect(await progress(page), 'a paused training does not advance').toBe(held);
  await expect(page.getByRole('button', { name: 'Resume', exact: true })).toBeEnabled();

  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(status(page)).not.toHaveText('paused');
  await expect.poll(() => progress(page), { timeout: 30_000 }).toBeGreaterThan(held);

  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(status(page)).toHaveText('stopped', { timeout: 60_000 });
  await lab.tab('Runs').click();
  const row = page.locator('table[aria-label="Saved runs"] tbody tr').first();
  await expect(row).toContainText('stopped');
  await expect(row.getByRole('button', { name: 'Model' })).toBeEnabled();
});

test('a crashed trainer worker: the run is reported failed, its last checkpoint kept, a fresh worker trains', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const lab = new Lab(page);
  await lab.open(hash({ totalSteps: 200_000, 'eval.every': 500 }));
  await lab.tab('Train').click();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  // Past two evaluation intervals: a checkpoint has been sent to the page.
  await expect.poll(() => progress(page), { timeout: 60_000 }).toBeGreaterThan(1200 / 200_000);
  const trainer = page.workers().find((w) => w.url().includes('trainer.worker'));
  expect(trainer, 'the trainer worker').toBeDefined();
  // An uncaught error in the worker, as a crash inside tfjs or the env would throw.
  await trainer!.evaluate(() => {
    setTimeout(() => {
      throw new Error('simulated trainer crash');
    }, 0);
  });

  await expect(status(page)).toHaveText('failed');
  const failure = page.getByTestId('train-failure');
  await expect(failure).toContainText('The trainer worker crashed');
  await expect(failure).toContainText('simulated trainer crash');
  await expect(failure).toContainText('The last good checkpoint was kept');
  await lab.tab('Runs').click();
  const row = page.locator('table[aria-label="Saved runs"] tbody tr').first();
  await expect(row).toContainText('failed');
  await expect(row.getByRole('button', { name: 'Model' })).toBeEnabled();

  // A fresh worker answers: the backend is known again and a short run finishes.
  await expect(page.getByTestId('backend')).toHaveText(/Backend: wasm/);
  await lab.tab('Train').click();
  await lab.setField('Training steps', '256');
  await lab.train();
  expect(errors).toEqual([]);
});

test('a trainer worker killed without a word (no error event) is noticed by its silence: failed run, checkpoint kept, a fresh worker', async ({
  page,
}) => {
  // Short liveness limits for the test; the lab's are 20 s of silence plus 25 s to answer.
  await page.addInitScript(() => {
    (globalThis as { __LAB_WORKER_LIVENESS__?: object }).__LAB_WORKER_LIVENESS__ = {
      silenceMs: 1500,
      answerMs: 3000,
    };
  });
  const lab = new Lab(page);
  await lab.open(hash({ totalSteps: 200_000, 'eval.every': 500 }));
  await lab.tab('Train').click();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => progress(page), { timeout: 60_000 }).toBeGreaterThan(1200 / 200_000);
  const trainer = page.workers().find((w) => w.url().includes('trainer.worker'));
  expect(trainer, 'the trainer worker').toBeDefined();
  // The worker ends itself: as an out-of-memory kill, nothing reaches the page.
  await trainer!.evaluate(() => setTimeout(() => (self as unknown as { close(): void }).close(), 0));

  await expect(status(page)).toHaveText('failed', { timeout: 30_000 });
  const failure = page.getByTestId('train-failure');
  await expect(failure).toContainText('stopped answering');
  await expect(failure).toContainText('The last good checkpoint was kept');
  await lab.tab('Runs').click();
  const row = page.locator('table[aria-label="Saved runs"] tbody tr').first();
  await expect(row).toContainText('failed');
  await expect(row.getByRole('button', { name: 'Model' })).toBeEnabled();
  await expect(page.getByTestId('backend')).toHaveText(/Backend: wasm/);
  await lab.tab('Train').click();
  await lab.setField('Training steps', '256');
  await lab.train();
});

test('a downloaded model evaluated on other data uses its saved z-score; a missing split or feature fails clearly', async ({
  page,
}) => {
  const lab = new Lab(page);
  await lab.open(hash({ totalSteps: 2048, 'eval.every': 1024, seed: 3 }));
  await lab.tab('Train').click();
  await lab.train();
  const original = (await lab.agentMetrics()).test;

  await lab.tab('Runs').click();
  const row = page.locator('table[aria-label="Saved runs"] tbody tr').first();
  const modelPath = await Promise.all([
    page.waitForEvent('download'),
    row.getByRole('button', { name: 'Model' }).click(),
  ]).then(([d]) => d.path());
  const model = JSON.parse(readFileSync(modelPath, 'utf8')) as {
    normalization?: { featureNames: string[]; mean: number[]; std: number[] };
  };
  expect(model.normalization?.featureNames.length).toBeGreaterThan(0);

  // Other data: the train split (which a re-fit z-score would come from) now covers other dates;
  // the test split is unchanged, so with the saved z-score its metrics are the original ones.
  await page.goto(`./#${hash({ seed: 3, 'splits.train.start': '2000-09-01' })}`);
  await page.reload();
  await expect(page.getByTestId('dataset-meta')).toBeVisible({ timeout: 60_000 });
  await lab.tab('Runs').click();
  await page.getByLabel('Load model').setInputFiles(modelPath);
  await expect(page.getByRole('status').filter({ hasText: 'evaluated' })).toBeVisible({ timeout: 60_000 });
  await lab.tab('Results').click();
  await expect(page.getByTestId('run-header')).toContainText(
    'inputs scaled with the z-score saved with the model',
  );
  expect((await lab.agentMetrics()).test).toEqual(original);

  // The data lacks the test split the model is evaluated on.
  await page.goto(
    `./#${hash({ seed: 3, 'splits.test.start': '2040-01-01', 'splits.test.end': '2041-12-31' })}`,
  );
  await page.reload();
  await expect(page.getByTestId('dataset-meta')).toBeVisible({ timeout: 60_000 });
  await lab.tab('Runs').click();
  await page.getByLabel('Load model').setInputFiles(modelPath);
  await expect(page.getByRole('alert')).toContainText(
    /lacks the test \(2040-01-01 → 2041-12-31: 0 rows\) split/,
  );

  // A model whose saved features the data's feature set lacks.
  const tampered = modelPath + '-tampered.json';
  model.normalization!.featureNames[0] = 'bogus_feature';
  writeFileSync(tampered, JSON.stringify(model));
  await page.goto(`./#${hash({ seed: 3 })}`);
  await page.reload();
  await expect(page.getByTestId('dataset-meta')).toBeVisible({ timeout: 60_000 });
  await lab.tab('Runs').click();
  await page.getByLabel('Load model').setInputFiles(tampered);
  await expect(page.getByRole('alert')).toContainText("This model's features do not match the current data");
  await expect(page.getByRole('alert')).toContainText('missing here: bogus_feature');
});

test('@isolated a sweep on a cross-origin-isolated host runs on threaded wasm', async ({ page }, info) => {
  test.skip(info.project.name !== 'isolated', 'the plain host runs the full sweep specs');
  const lab = new Lab(page);
  await lab.open(hash());
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const nested: string[] = [];
  page.on('worker', (w) => nested.push(w.url()));
  await page.getByRole('tab', { name: 'Sweeps', exact: true }).click();
  await page.getByRole('textbox', { name: 'Steps per run' }).fill('256');
  await page.getByRole('textbox', { name: 'Seeds per point' }).fill('1');
  await page.getByRole('textbox', { name: 'Workers' }).fill('1');
  await page.getByRole('button', { name: 'Add parameter' }).click();
  await page.getByRole('combobox', { name: 'Parameter 1 setting' }).selectOption('agent.learningRate');
  await page.getByRole('textbox', { name: 'Parameter 1 values' }).fill('0.001, 0.01');
  await page.getByRole('button', { name: 'Start sweep' }).click();
  await expect(page.getByTestId('sweep-status')).toHaveText('finished', { timeout: 120_000 });
  await expect(page.getByTestId('sweep-count')).toHaveText('2/2 runs finished');
  await expect(page.getByText('Backend: wasm', { exact: true })).toBeVisible();
  // The sweep worker started, and it started tfjs-wasm's thread pool (blob workers it spawns).
  expect(nested.filter((u) => u.includes('sweep.worker')).length).toBe(1);
  expect(nested.filter((u) => u.startsWith('blob:')).length).toBeGreaterThan(0);
});
