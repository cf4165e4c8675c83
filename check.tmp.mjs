import { chromium } from '@playwright/test';
const [port, label] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
for (const wf of ['kol', 'ensemble']) {
  const p = await b.newPage({ viewport: { width: 1300, height: 900 } });
  await p.goto(`http://127.0.0.1:${port}/`);
  await p.locator(`[data-workflow="${wf}"] button`).click();
  await p.getByTestId('backend').getByText(/Backend: (wasm|webgpu|cpu)/).waitFor({ timeout: 60000 });
  const backend = await p.getByTestId('backend').textContent();
  const t0 = Date.now();
  await p.getByRole('button', { name: 'Train', exact: true }).click();
  let first = null;
  const samples = [];
  for (;;) {
    const st = await p.getByTestId('train-status').textContent();
    const bar = await p.locator('.train-bar').textContent();
    if (first === null && /\d+ \/ [\d,]+/.test(bar) && !/^.*\b0 \/ /.test(bar)) first = (Date.now() - t0) / 1000;
    if (samples.length < 4 || samples.length % 10 === 0) samples.push(`${((Date.now() - t0) / 1000).toFixed(1)}s ${bar.replace(/\s+/g, ' ').slice(0, 90)}`);
    if (/finished|failed|stopped/.test(st)) { samples.push(`end ${st}`); break; }
    if (Date.now() - t0 > 400000) { samples.push('timeout'); break; }
    await p.waitForTimeout(500);
  }
  const total = (Date.now() - t0) / 1000;
  await p.getByRole('tab', { name: 'Results', exact: true }).click();
  await p.waitForTimeout(3000);
  await p.screenshot({ path: `/tmp/def-${wf}-${label}.png`, fullPage: true });
  console.log(JSON.stringify({ wf, label, backend, firstProgressS: first, totalS: total, samples: samples.slice(0, 8) }));
  await p.close();
}
await b.close();
