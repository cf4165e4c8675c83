import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { Lab, SHOT_DIR } from './lab.ts';

/** A small synthetic market with splits inside its dates, a tiny A2C: each run takes a few seconds. */
const HASH = [
  'workflow=market',
  'data.kind=synthetic',
  'data.config.assets=2',
  'data.config.days=500',
  'splits.train.start=2000-01-01',
  'splits.train.end=2001-03-31',
  'splits.valid.start=2001-04-01',
  'splits.valid.end=2001-08-31',
  'splits.test.start=2001-09-01',
  'splits.test.end=2030-12-31',
  'features.window=10',
  'env.episodeLength=32',
  'algo=a2c',
  'agent.numEnvs=2',
  'agent.numSteps=8',
  'agent.network.hidden=16,16',
].join('&');

test('sweeps: a 2×2 grid with 2 seeds of short runs finishes, fills the table and plots, and matches lab sweep headless', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const lab = new Lab(page);
  await lab.open(HASH);
  await expect(page.getByTestId('dataset-meta')).toContainText('Synthetic');

  await page.getByRole('tab', { name: 'Sweeps', exact: true }).click();
  await page.getByRole('textbox', { name: 'Steps per run' }).fill('256');
  await page.getByRole('textbox', { name: 'Seeds per point' }).fill('2');
  await page.getByRole('textbox', { name: 'Workers' }).fill('2');
  await page.getByRole('button', { name: 'Add parameter' }).click();
  await page.getByRole('combobox', { name: 'Parameter 1 setting' }).selectOption('agent.learningRate');
  await page.getByRole('textbox', { name: 'Parameter 1 values' }).fill('0.001, 0.01');
  await page.getByRole('button', { name: 'Add parameter' }).click();
  await page.getByRole('combobox', { name: 'Parameter 2 setting' }).selectOption('agent.entCoef');
  await page.getByRole('textbox', { name: 'Parameter 2 values' }).fill('0, 0.05');
  await expect(page.getByTestId('sweep-plan')).toContainText('8 runs (4 points × 2 seeds)');

  // The spec lives in the URL beside the experiment.
  await expect.poll(() => new URL(page.url()).searchParams.get('sweep') ?? '').toContain('agent.entCoef');

  await page.getByRole('button', { name: 'Start sweep' }).click();
  await expect(page.getByTestId('sweep-status')).toHaveText('finished', { timeout: 240_000 });
  await expect(page.getByTestId('sweep-count')).toHaveText('8/8 runs finished');
  await expect(page.locator('table[aria-label="Sweep runs"] tbody tr[data-state="done"]')).toHaveCount(8);

  // Table: one row per point, mean ± std of finite numbers.
  const rows = page.locator('table[aria-label="Sweep results by point"] tbody tr');
  await expect(rows).toHaveCount(4);
  await expect(rows.first().locator('td[data-metric="valid/total_return"]')).toHaveText(
    /^-?[\d.]+(e-?\d+)?[kMB]? ± [\d.]+/,
  );
  // Sorting by a column reorders by it.
  await page
    .locator('table[aria-label="Sweep results by point"] thead')
    .getByRole('button', { name: /valid\/total_return/ })
    .click();

  // Plots.
  await expect(
    page.getByRole('figure', { name: /Scatter of valid\/sharpe against Learning rate/ }),
  ).toHaveAttribute('data-points', /^[1-8]$/);
  expect(
    await page
      .getByRole('figure', { name: /Scatter of/ })
      .locator('.recharts-scatter-symbol')
      .count(),
  ).toBeGreaterThan(0);
  expect(
    await page
      .getByRole('figure', { name: /Parallel coordinates/ })
      .locator('polyline')
      .count(),
  ).toBeGreaterThan(0);
  await expect(
    page.getByRole('figure', { name: /Validation equity of the top points/ }).getByRole('img'),
  ).toHaveAttribute('data-drawn-series', /^[1-9]\d*$/);
  await expect(page.locator('table[aria-label="Heatmap of valid/sharpe"] tbody tr')).toHaveCount(2);
  await expect(page.locator('table[aria-label="Heatmap of valid/sharpe"] td[data-value]')).toHaveCount(4);

  // Model selection on validation; test shown for the chosen point, marked.
  const selection = page.getByTestId('sweep-selection');
  await expect(selection).toContainText('Best point by valid/sharpe');
  await expect(selection).toContainText('TEST split, chosen point only');
  await page.screenshot({ path: `${SHOT_DIR}/sweeps.png`, fullPage: true });

  // Export: CSV and JSON; the JSON's spec run headless by `lab sweep` gives the same numbers (same seeds, same backend).
  const csv = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ])
    .then(([d]) => d.path())
    .then((p) => readFileSync(p, 'utf8'));
  expect(csv.trim().split('\n')).toHaveLength(9);
  const jsonPath = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export JSON' }).click(),
  ]).then(([d]) => d.path());
  const exported = JSON.parse(readFileSync(jsonPath, 'utf8')) as {
    spec: unknown;
    runs: { id: string; metrics: Record<string, number | null> }[];
    versions: { backend: string };
  };
  expect(exported.runs).toHaveLength(8);
  expect(exported.versions.backend).toBe('wasm');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-e2e-sweep-'));
  try {
    writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(exported.spec));
    execFileSync(
      'node',
      [
        'src/cli/lab.mjs',
        'sweep',
        path.join(dir, 'spec.json'),
        '--workers',
        '2',
        '--backend',
        'wasm',
        '--quiet',
        '--out',
        path.join(dir, 'out'),
      ],
      { cwd: path.resolve(import.meta.dirname, '..'), stdio: 'pipe' },
    );
    const headless = JSON.parse(
      readFileSync(path.join(dir, 'out', 'results.json'), 'utf8'),
    ) as typeof exported;
    // Equal to rounding: Chromium's and Node's V8 differ in the last bit of Math.exp/log/cos/pow for
    // about one input in ten, so browser and Node agree to ~1e-14, not bit for bit.
    expect(headless.runs.map((r) => r.id)).toEqual(exported.runs.map((r) => r.id));
    headless.runs.forEach((h, i) => {
      const b = exported.runs[i].metrics;
      expect(Object.keys(h.metrics).sort()).toEqual(Object.keys(b).sort());
      for (const [k, v] of Object.entries(h.metrics)) {
        if (v === null || b[k] === null) expect(b[k], `${h.id} ${k}`).toBe(v);
        else
          expect(Math.abs(v - b[k]!), `${h.id} ${k}: node ${v} vs browser ${b[k]}`).toBeLessThanOrEqual(
            1e-9 * Math.max(1, Math.abs(v)),
          );
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // Every finished run is saved like any other run.
  await page.getByRole('tab', { name: 'Runs', exact: true }).click();
  await expect(page.locator('table[aria-label="Saved runs"] tbody tr', { hasText: 'sweep p' })).toHaveCount(
    8,
  );
  expect(errors).toEqual([]);
});

test('sweeps: pause holds the queue, resume continues, cancel stops the rest and keeps what finished', async ({
  page,
}) => {
  const lab = new Lab(page);
  await lab.open(HASH);
  await page.getByRole('tab', { name: 'Sweeps', exact: true }).click();
  await page.getByRole('textbox', { name: 'Steps per run' }).fill('4000');
  await page.getByRole('textbox', { name: 'Seeds per point' }).fill('3');
  await page.getByRole('textbox', { name: 'Workers' }).fill('1');
  await page.getByRole('button', { name: 'Add parameter' }).click();
  await page.getByRole('combobox', { name: 'Parameter 1 setting' }).selectOption('agent.entCoef');
  await page.getByRole('textbox', { name: 'Parameter 1 values' }).fill('0, 0.05');
  await expect(page.getByTestId('sweep-plan')).toContainText('6 runs');
  await page.getByRole('button', { name: 'Start sweep' }).click();
  await expect(page.locator('table[aria-label="Sweep runs"] tbody tr[data-state="running"]')).toHaveCount(1, {
    timeout: 60_000,
  });

  await page.getByRole('button', { name: 'Pause sweep' }).click();
  await expect(page.getByTestId('sweep-status')).toHaveText('paused');
  const progressOf = () => page.getByRole('progressbar', { name: 'Progress of p0-s1' }).getAttribute('value');
  const held = await progressOf();
  await page.waitForTimeout(1500);
  expect(await progressOf(), 'a paused run does not advance').toBe(held);

  await page.getByRole('button', { name: 'Resume sweep' }).click();
  await expect(page.getByTestId('sweep-status')).toHaveText('running');
  await page.getByRole('button', { name: 'Cancel sweep' }).click();
  await expect(page.getByTestId('sweep-status')).toHaveText('cancelled');
  const cancelled = await page
    .locator('table[aria-label="Sweep runs"] tbody tr[data-state="cancelled"]')
    .count();
  const done = await page.locator('table[aria-label="Sweep runs"] tbody tr[data-state="done"]').count();
  expect(cancelled).toBeGreaterThan(0);
  expect(cancelled + done).toBe(6);
  // The builder is usable again.
  await expect(page.getByRole('button', { name: 'Start sweep' })).toBeEnabled();
});
