import { mkdirSync, writeFileSync } from 'node:fs';
import { expect, type Locator, type Page } from '@playwright/test';

/** Page object for the lab (tldraw-style): tests say what a user does, not which selector does it. */
export class Lab {
  constructor(readonly page: Page) {}

  /**
   * Opens the lab with an experiment hash (share-link keys: dotted config paths; none = the market
   * workflow's default experiment, past the start view) and waits for the dataset and backend.
   */
  async open(hash = 'workflow=market'): Promise<void> {
    await this.page.goto(`./#${hash}`);
    await expect(this.page.getByTestId('dataset-meta')).toBeVisible({ timeout: 60_000 });
    await expect(this.page.getByTestId('backend')).toHaveText(/Backend: (webgpu|wasm|cpu)\b/, {
      timeout: 60_000,
    });
  }

  /** Waits for the dataset and the backend after the page has opened the lab (start view, link). */
  async ready(): Promise<void> {
    await expect(this.page.getByTestId('dataset-meta')).toBeVisible({ timeout: 60_000 });
    await expect(this.page.getByTestId('backend')).toHaveText(/Backend: (webgpu|wasm|cpu)\b/, {
      timeout: 60_000,
    });
  }

  tab(name: 'Data' | 'Setup' | 'Agent' | 'Train' | 'Results' | 'Runs' | 'Learn') {
    return this.page.getByRole('tab', { name, exact: true });
  }

  /** The text box of a generated form field, by its visible label (units in brackets allowed). */
  field(label: string) {
    const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return this.page.getByRole('textbox', { name: new RegExp(`^${escaped}( \\(|$)`) });
  }

  async setField(label: string, value: string): Promise<void> {
    await this.field(label).fill(value);
  }

  /** Clicks Train and waits until the run has finished (or failed, which fails the test with its message). */
  async train(timeout = 180_000): Promise<void> {
    await this.page.getByRole('button', { name: 'Train', exact: true }).click();
    const status = this.page.getByTestId('train-status');
    await expect(status).toHaveText(/finished|stopped|failed/, { timeout });
    if ((await status.textContent()) === 'failed') {
      throw new Error(`training failed: ${await this.page.getByTestId('train-failure').textContent()}`);
    }
  }

  /**
   * Waits until `locator` is visible, without expect. While an expect is still failing, Playwright
   * renders an aria snapshot of the page (the whole body when the element is not there yet) on the
   * page's main thread after every poll: 30–75 ms of CPU per poll on Results, which a task trace
   * would count against the app. Inside a trace, wait with this first, then assert with expect.
   */
  async appear(locator: Locator, timeout = 30_000): Promise<Locator> {
    await locator.waitFor({ state: 'visible', timeout });
    return locator;
  }

  /** Agent metrics of the Results table: split → metric → text. */
  async agentMetrics(): Promise<Record<string, Record<string, string>>> {
    const rows = this.page.locator('table[aria-label="Metrics per split"] tr[data-strategy="agent"]');
    await expect(await this.appear(rows.first())).toBeVisible();
    const out: Record<string, Record<string, string>> = {};
    for (const row of await rows.all()) {
      const split = (await row.getAttribute('data-split'))!;
      out[split] = {};
      for (const cell of await row.locator('td[data-metric]').all())
        out[split][(await cell.getAttribute('data-metric'))!] = (await cell.textContent())!.trim();
    }
    return out;
  }

  /** Collects main-thread long tasks (> 50 ms) from page start; read them with longTasks(). */
  static async observeLongTasks(page: Page): Promise<void> {
    await page.addInitScript(() => {
      const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    });
  }

  /**
   * Long tasks from the app's first `lab:train-start` mark until now: the training, the moment it
   * ends and Results mount, and whatever the test did afterwards (splits, runs list, compare).
   */
  async longTasksSinceTrainStart(): Promise<{ start: number; duration: number }[]> {
    return this.page.evaluate(() => {
      const start = performance.getEntriesByName('lab:train-start').at(0)?.startTime ?? 0;
      const all = (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks;
      return all.filter((t) => t.start >= start).map((t) => ({ ...t, start: t.start - start }));
    });
  }

  /**
   * Starts a Chromium trace of the page's main-thread tasks; stopTaskTrace() returns them. Unlike the
   * `longtask` observer (wall time) it also gives each task's CPU time, which does not grow when
   * other processes share the machine's cores.
   */
  async startTaskTrace(): Promise<void> {
    await this.page
      .context()
      .browser()!
      .startTracing(this.page, {
        categories: [
          'disabled-by-default-devtools.timeline',
          'blink.user_timing',
          // E2E_TRACE_DIR: also what each task did (script, layout, paint, GC), to find a slow one.
          ...(process.env.E2E_TRACE_DIR
            ? [
                'devtools.timeline',
                'v8',
                'disabled-by-default-v8.gc',
                'disabled-by-default-v8.cpu_profiler',
                ...(process.env.E2E_TRACE_CATEGORIES?.split(',') ?? []),
              ]
            : []),
        ],
      });
  }

  /** Main-thread tasks over `minMs` (wall or CPU) from the first `lab:train-start` mark: ms since it. */
  async stopTaskTrace(minMs = 50): Promise<{ start: number; wall: number; cpu: number }[]> {
    const buf = await this.page.context().browser()!.stopTracing();
    if (process.env.E2E_TRACE_DIR) {
      mkdirSync(process.env.E2E_TRACE_DIR, { recursive: true });
      writeFileSync(`${process.env.E2E_TRACE_DIR}/trace-${Date.now()}.json`, buf);
    }
    type Ev = { name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number };
    const events = (JSON.parse(buf.toString()) as { traceEvents: Ev[] }).traceEvents;
    const mark = events.filter((e) => e.name === 'lab:train-start').sort((a, b) => a.ts - b.ts)[0];
    if (!mark) throw new Error('no lab:train-start mark in the trace');
    return events
      .filter((e) => e.name === 'RunTask' && e.ph === 'X' && e.pid === mark.pid && e.tid === mark.tid)
      .filter((e) => e.ts >= mark.ts && ((e.dur ?? 0) > minMs * 1000 || (e.tdur ?? 0) > minMs * 1000))
      .map((e) => ({
        start: Math.round((e.ts - mark.ts) / 1000),
        wall: Math.round((e.dur ?? 0) / 1000),
        cpu: Math.round((e.tdur ?? 0) / 1000),
      }));
  }

  /** The backend the page reports: the badge text and, for wasm, whether threads are on. */
  async backendBadge(): Promise<string> {
    return (await this.page.getByTestId('backend').textContent()) ?? '';
  }

  /** Long tasks between the app's `lab:train-start` and `lab:train-end` marks. */
  async longTasksDuringTraining(): Promise<{ start: number; duration: number }[]> {
    return this.page.evaluate(() => {
      const start = performance.getEntriesByName('lab:train-start').at(-1)?.startTime ?? 0;
      const end = performance.getEntriesByName('lab:train-end').at(-1)?.startTime ?? Infinity;
      const all = (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks;
      return all
        .filter((t) => t.start >= start && t.start <= end)
        .map((t) => ({ ...t, start: t.start - start, end: end - start }));
    });
  }
}

export const SHOT_DIR = process.env.UPDATE_SCREENSHOTS ? 'public/screenshots' : 'test-results/screenshots';

const RATIOS = new Set(['sharpe', 'sortino', 'calmar']);

/**
 * Every displayed metric must be a finite number ('—' marks a non-finite one). The one exception is
 * mathematical: a policy that never takes risk on a split (volatility 0) has no Sharpe/Sortino/Calmar.
 */
export function expectFinite(metrics: Record<string, Record<string, string>>): void {
  expect(Object.keys(metrics).length).toBeGreaterThan(0);
  for (const [split, row] of Object.entries(metrics)) {
    const riskless = row.annual_volatility === '0.00%';
    for (const [k, v] of Object.entries(row)) {
      if (riskless && RATIOS.has(k) && ['—', '∞', '−∞'].includes(v)) continue;
      expect(v, `${split} ${k}`).toMatch(/^-?\d[\d,]*(\.\d+)?%?$/);
    }
  }
}
