import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { Lab } from './lab.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

test('a good Yahoo CSV loads, a broken one shows where and why, and nothing else is lost', async ({
  page,
}) => {
  const lab = new Lab(page);
  await lab.open();
  const input = page.getByLabel('Load CSV');

  await input.setInputFiles(fixture('ACME.csv'));
  const good = page.locator('li[data-file="ACME.csv"]');
  await expect(good).toContainText('loaded · ACME · 900 rows');
  await expect(page.getByTestId('dataset-meta')).toContainText(
    '1 asset × 900 dates, 2015-01-02 → 2018-06-14',
  );

  await input.setInputFiles(fixture('broken.csv'));
  const bad = page.locator('li[data-file="broken.csv"]');
  await expect(bad).toContainText('not loaded');
  await expect(bad).toContainText('broken.csv, line 1, column 1');
  await expect(bad).toContainText('no date column');

  // The good file and its data are still there.
  await expect(good).toContainText('loaded · ACME · 900 rows');
  await expect(page.getByTestId('dataset-meta')).toContainText('1 asset × 900 dates');
  await expect(page.getByRole('heading', { name: 'ACME', exact: true })).toBeVisible();
  await expect(page.getByRole('radio', { name: 'My CSV files' })).toBeChecked();
});
