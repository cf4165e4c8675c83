import { expect, test, type Page } from '@playwright/test';
import { Lab, expectFinite } from './lab.ts';

/** Records every text of the progress line with its time, so a brief phase (collection) is not missed. */
async function recordProgress(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __progress: { t: number; text: string }[] };
    w.__progress = [];
    const watch = () => {
      const el = document.querySelector('[data-testid="train-progress"]');
      if (!el) return void setTimeout(watch, 50);
      const note = () => w.__progress.push({ t: performance.now(), text: el.textContent ?? '' });
      new MutationObserver(note).observe(el, { childList: true, subtree: true, characterData: true });
    };
    watch();
  });
}

async function progressSince(page: Page, t0: number): Promise<{ t: number; text: string }[]> {
  return page.evaluate(
    (since) =>
      (window as unknown as { __progress: { t: number; text: string }[] }).__progress
        .filter((p) => p.t >= since)
        .map((p) => ({ t: p.t - since, text: p.text })),
    t0,
  );
}

test('BC and IQL on their lab defaults: collection progress from the first second, the run finishes, their own curves draw', async ({
  page,
}) => {
  test.setTimeout(900_000);
  await recordProgress(page);
  const lab = new Lab(page);
  await lab.open();
  for (const [algo, charts] of [
    ['bc', ['Losses', 'Validation accuracy']],
    ['iql', ['Losses', 'Q and V']],
  ] as const) {
    await lab.tab('Agent').click();
    await page.getByLabel('Algorithm').selectOption(algo);
    await lab.tab('Train').click();
    const t0 = await page.evaluate(() => performance.now());
    const started = Date.now();
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    const status = page.getByTestId('train-status');
    await expect(status).not.toHaveText(/finished|idle/, { timeout: 10_000 });
    await expect(status).toHaveText(/finished|failed/, { timeout: 600_000 });
    if ((await status.textContent()) === 'failed')
      throw new Error(`${algo} failed: ${await page.getByTestId('train-failure').textContent()}`);
    const seconds = (Date.now() - started) / 1000;
    const progress = await progressSince(page, t0);
    const collecting = progress.filter((p) =>
      /collecting dataset · [\d,]+ \/ 20,000 transitions/.test(p.text),
    );
    const training = progress.filter((p) => / steps · /.test(p.text));
    console.log(
      `[e2e] ${algo}: ${seconds.toFixed(1)} s; first collection progress at ${collecting[0]?.t.toFixed(0)} ms, ` +
        `${collecting.length} collection and ${training.length} training updates of the bar; last: ${progress.at(-1)?.text}`,
    );
    // The dataset is collected in view: progress within seconds of pressing Train.
    expect(collecting.length, 'collection progress shown').toBeGreaterThan(0);
    // About 0.3 s on an idle 2-core box; the bound leaves room for a loaded one.
    expect(collecting[0].t).toBeLessThan(5_000);
    expect(training.length, 'training progress shown').toBeGreaterThan(0);
    // The bar reached the end of the budget (BC may stop early: its final step is below the budget).
    expect(progress.at(-1)!.text).toMatch(/^[\d,]+ \/ [\d,]+ steps/);
    expectFinite(await lab.agentMetrics());
    // The algorithm's own live curves are drawn on the Train tab.
    await lab.tab('Train').click();
    for (const chart of charts) {
      const figure = page.getByRole('figure', { name: `${chart} by training step` });
      await expect(figure, `${algo}: ${chart}`).toBeVisible();
    }
  }
});
