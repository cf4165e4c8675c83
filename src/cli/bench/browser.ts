/**
 * `lab bench browser`: the training benchmark (src/core/bench/train.ts, the code `lab bench train`
 * runs in Node) in headless Chromium, per backend. Serves the production build (dist/, needs
 * `npm run build` first) with Vite's preview server on a free 127.0.0.1 port, opens the bench page
 * (dist/src/bench/index.html: one Web Worker, one backend per page load) and collects its JSON:
 * - `browser/wasm/…`: wasm as a plain static host serves it (no cross-origin isolation → SIMD, one thread);
 * - `browser/wasm_threads/…`: the same build served with COOP/COEP (what `LAB_COI=1 npm run preview`
 *   or the app's coi service worker gives): threaded wasm with one XNNPACK thread per core (the bench
 *   worker lifts tfjs's hardwareConcurrency / 2 cap, which leaves a 2-vCPU machine one thread); and
 *   `wasm_dmodel32` / `wasm_threads_dmodel32`: the same with a TimeCNN half as wide (A2C only);
 * - `browser/webgpu…/…`: an explicit WebGPU request. With no GPU, Chromium's only adapter is
 *   SwiftShader (CPU emulation; `auto` skips it): labelled `webgpu_swiftshader`, with a tiny workload
 *   (short rollouts, one timed iteration), because every readback there costs tenths of a second.
 * Per backend: `a2c_steps_per_s`, `ppo_steps_per_s`, `a2c_time_to_1e6_min`, the per-update breakdown
 * `<algo>_<part>_ms` (env, forward, readback, sample, bootstrap, update, and the update's own forward
 * vs backward + Adam), `forward_batch<N>_ms` (one batched forward pass + readback), the backend really
 * in use, adapter, cross-origin isolation and wasm threads. Each page is time-boxed; one that runs out
 * reports what it had finished (`timed_out: true`). Chromium: /usr/bin/chromium or CHROMIUM_PATH;
 * LAB_BENCH_BROWSER_RUNS=wasm,webgpu runs a subset; LAB_BENCH_BROWSER_TIMEOUT_S overrides the time boxes.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import type { BenchFigures } from './index.ts';
import type { BenchResult } from '../../../workers/bench.worker.ts';
import { QTMRL_TARGET_MINUTES, TRAIN_PARTS } from '../../core/bench/train.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BENCH_PAGE = 'src/bench/index.html';
/** Sources the bench page is built from: a newer one means dist/ is stale. */
const PAGE_SOURCES = [
  'src/bench/main.ts',
  'src/bench/index.html',
  'workers/bench.worker.ts',
  'src/core/bench/train.ts',
];
const COI_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** The page's window.__benchResult (src/bench/main.ts). */
interface PageResult {
  ok: boolean;
  error?: string;
  page: { crossOriginIsolated: boolean; hardwareConcurrency: number; userAgent: string };
  result?: BenchResult;
  wallMs: number;
}

interface PageRun {
  /** Figure prefix: browser/<label>/… (webgpu becomes webgpu_swiftshader on a software adapter). */
  label: string;
  coi: boolean;
  query: Record<string, string>;
  timeoutMs: number;
  /** What was run, when it is not the QTMRL workload as is. */
  workload?: string;
}

const CPUS = Math.max(1, os.cpus().length);

const RUNS: PageRun[] = [
  { label: 'wasm', coi: false, query: { backend: 'wasm', iterations: '3' }, timeoutMs: 75_000 },
  {
    label: 'wasm_dmodel32',
    coi: false,
    query: { backend: 'wasm', iterations: '2', dmodel: '32', algos: 'a2c' },
    timeoutMs: 30_000,
    workload: 'TimeCNN with dModel 32 (default 64), A2C only',
  },
  // tfjs-wasm's own default is one XNNPACK thread on this 2-core box: ask for one per core.
  {
    label: 'wasm_threads',
    coi: true,
    query: { backend: 'wasm', iterations: '3', threads: String(CPUS) },
    timeoutMs: 60_000,
  },
  {
    label: 'wasm_threads_dmodel32',
    coi: true,
    query: { backend: 'wasm', iterations: '2', threads: String(CPUS), dmodel: '32', algos: 'a2c' },
    timeoutMs: 30_000,
    workload: 'TimeCNN with dModel 32 (default 64), A2C only',
  },
  {
    // SwiftShader measured once with PPO too: 0.4 env steps/s (68 s per 32-step update), so A2C only.
    label: 'webgpu',
    coi: false,
    query: {
      backend: 'webgpu',
      iterations: '1',
      steps: '4',
      algos: 'a2c',
      split: '0',
      batches: '1,16',
      reps: '2',
    },
    timeoutMs: 75_000,
    workload:
      'tiny: A2C only, rollouts of 8 envs × 4 steps (QTMRL: × 50), one warm-up and one timed iteration, 2 timed forward calls per batch size',
  },
];

/** LAB_BENCH_BROWSER_RUNS=wasm,webgpu runs only those (labels as above). */
function selectedRuns(): PageRun[] {
  const only = process.env.LAB_BENCH_BROWSER_RUNS?.split(',').filter(Boolean);
  const runs = only?.length ? RUNS.filter((r) => only.includes(r.label)) : RUNS;
  // LAB_BENCH_BROWSER_TIMEOUT_S overrides every page's time box (slower machines, exploration).
  const timeoutS = Number(process.env.LAB_BENCH_BROWSER_TIMEOUT_S);
  return timeoutS > 0 ? runs.map((r) => ({ ...r, timeoutMs: timeoutS * 1000 })) : runs;
}

const round = (x: number): number =>
  Math.abs(x) >= 100 ? Math.round(x * 10) / 10 : Math.round(x * 1000) / 1000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Vite's preview server (what `npm run preview` runs) in this process, on 127.0.0.1 only. */
async function startPreview(coi: boolean): Promise<{ url: string; close: () => Promise<void> }> {
  const { preview } = await import('vite');
  const port = await freePort();
  const server = await preview({
    root: repoRoot,
    // Not vite.config.ts: its preview headers follow LAB_COI, and each run here sets its own.
    configFile: false,
    logLevel: 'silent',
    preview: { host: '127.0.0.1', port, strictPort: true, open: false, headers: coi ? COI_HEADERS : {} },
  });
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}

/** Why the build cannot be used, or a staleness warning; null when fine. */
function checkDist(): { missing?: string; stale?: string } {
  const page = path.join(repoRoot, 'dist', BENCH_PAGE);
  if (!fs.existsSync(page)) return { missing: `dist/${BENCH_PAGE} not found: run \`npm run build\` first` };
  const built = fs.statSync(page).mtimeMs;
  const newer = PAGE_SOURCES.filter((s) => {
    const p = path.join(repoRoot, s);
    return fs.existsSync(p) && fs.statSync(p).mtimeMs > built;
  });
  return newer.length
    ? { stale: `dist/ is older than ${newer.join(', ')}: run \`npm run build\` for current figures` }
    : {};
}

function isSoftwareAdapter(adapter: string | undefined): boolean {
  return /swiftshader|software|fallback|llvmpipe/i.test(adapter ?? '');
}

/** Flat figures of one page's result (or of what it had finished) under `prefix`. */
export function flatten(prefix: string, r: PageResult | null, partial: BenchResult | null): BenchFigures {
  const out: BenchFigures = {};
  const res = r?.result ?? partial;
  if (r) out[`${prefix}cross_origin_isolated`] = r.page.crossOriginIsolated;
  if (r && !r.ok) out[`${prefix}error`] = r.error ?? 'failed';
  if (!res) return out;
  const b = res.backend;
  out[`${prefix}backend`] = b.backend;
  if (b.fallbackReason) out[`${prefix}fallback_reason`] = b.fallbackReason;
  if (b.adapter) out[`${prefix}adapter`] = b.adapter;
  out[`${prefix}cross_origin_isolated`] = b.crossOriginIsolated;
  if (b.backend === 'wasm') {
    out[`${prefix}wasm_simd`] = Boolean(b.simd);
    out[`${prefix}wasm_threads`] = b.threads ? (b.threadsCount ?? 1) : 0;
    if (res.figures.wasm_batch_matmul_simd !== undefined)
      out[`${prefix}wasm_batch_matmul_simd`] = res.figures.wasm_batch_matmul_simd === 1;
    const err = res.figures.wasm_batch_matmul_max_err;
    if (err !== undefined && Number.isFinite(err)) out[`${prefix}wasm_batch_matmul_max_err`] = err;
  }
  out[`${prefix}init_ms`] = round(b.initMs);
  const f = res.figures;
  for (const algo of ['a2c', 'ppo']) {
    if (f[`${algo}_sps`] === undefined) continue;
    out[`${prefix}${algo}_steps_per_s`] = round(f[`${algo}_sps`]);
    out[`${prefix}${algo}_time_to_1e6_min`] = round(f[`${algo}_minutes_to_1e6`]);
    out[`${prefix}${algo}_batch`] = f[`${algo}_batch`];
    for (const part of [...TRAIN_PARTS, 'update_forward', 'update_backward_optimizer']) {
      const v = f[`${algo}_${part}_ms`];
      if (v !== undefined) out[`${prefix}${algo}_${part}_ms`] = round(v);
    }
    out[`${prefix}${algo}_leaked_tensors`] = f[`${algo}_leaked_tensors`];
  }
  for (const [k, v] of Object.entries(f)) {
    const m = /^forward_b(\d+)(_min)?_ms$/.exec(k);
    if (m) out[`${prefix}forward_batch${m[1]}${m[2] ?? ''}_ms`] = round(v);
  }
  return out;
}

async function runPage(
  browser: Browser,
  baseUrl: string,
  run: PageRun,
): Promise<{
  result: PageResult | null;
  partial: BenchResult | null;
  timedOut: boolean;
  errors: string[];
  wasmFiles: string[];
  wallS: number;
}> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const wasmFiles: string[] = [];
  page.on('request', (req) => {
    const m = /([\w-]+?)(?:-[\w-]{8})?\.wasm(?:$|\?)/.exec(req.url());
    if (m) wasmFiles.push(m[1]);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  const t0 = performance.now();
  let result: PageResult | null = null;
  let timedOut = false;
  try {
    await page.goto(`${baseUrl}${BENCH_PAGE}?${new URLSearchParams(run.query).toString()}`, {
      timeout: 20_000,
    });
    const handle = await page.waitForFunction(
      () => (window as { __benchResult?: unknown }).__benchResult,
      null,
      { timeout: run.timeoutMs, polling: 250 },
    );
    result = (await handle.jsonValue()) as PageResult;
  } catch (e) {
    timedOut = e instanceof Error && e.name === 'TimeoutError';
    if (!timedOut) errors.push(e instanceof Error ? e.message : String(e));
  }
  const partial = result
    ? null
    : ((await page
        .evaluate(() => (window as { __benchPartial?: unknown }).__benchPartial ?? null)
        .catch(() => null)) as BenchResult | null);
  // Closing the page ends its worker, even one still inside a long iteration.
  await context.close();
  return { result, partial, timedOut, errors, wasmFiles, wallS: (performance.now() - t0) / 1000 };
}

export async function benchBrowser(): Promise<BenchFigures> {
  const out: BenchFigures = { 'browser/target_minutes_to_1e6': QTMRL_TARGET_MINUTES };
  const dist = checkDist();
  if (dist.missing) return { ...out, 'browser/skipped': dist.missing };
  if (dist.stale) out['browser/warning'] = dist.stale;
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath))
    return { ...out, 'browser/skipped': `no Chromium at ${executablePath} (set CHROMIUM_PATH)` };

  // The box is shared: the load average says how far the figures are from an idle machine.
  out['browser/loadavg_1m_start'] = round(os.loadavg()[0]);
  const browser = await chromium.launch({
    executablePath,
    args: ['--enable-unsafe-webgpu', '--no-sandbox'],
    headless: true,
    timeout: 60_000,
  });
  out['browser/chromium'] = browser.version();
  const servers = new Map<boolean, { url: string; close: () => Promise<void> }>();
  try {
    for (const run of selectedRuns()) {
      let server = servers.get(run.coi);
      if (!server) {
        // One server at a time: close the other kind first.
        for (const [k, s] of servers) {
          await s.close();
          servers.delete(k);
        }
        server = await startPreview(run.coi);
        servers.set(run.coi, server);
      }
      process.stderr.write(`bench: browser ${run.label}…\n`);
      const r = await runPage(browser, server.url, run);
      const info = r.result?.result?.backend ?? r.partial?.backend;
      const label =
        run.label === 'webgpu' && info?.backend === 'webgpu' && isSoftwareAdapter(info.adapter)
          ? 'webgpu_swiftshader'
          : run.label;
      const prefix = `browser/${label}/`;
      Object.assign(out, flatten(prefix, r.result, r.partial));
      if (run.workload) out[`${prefix}workload`] = run.workload;
      out[`${prefix}timed_out`] = r.timedOut;
      if (r.timedOut)
        out[`${prefix}note`] = `stopped after ${run.timeoutMs / 1000} s; figures are those finished by then`;
      if (r.wasmFiles.length) out[`${prefix}wasm_binary`] = [...new Set(r.wasmFiles)].join(', ');
      if (info?.notes.length) out[`${prefix}backend_notes`] = info.notes.join('; ');
      if (r.errors.length) out[`${prefix}page_errors`] = r.errors.slice(0, 3).join(' | ');
      out[`${prefix}wall_s`] = round(r.wallS);
    }
  } finally {
    for (const s of servers.values()) await s.close().catch(() => undefined);
    await browser.close();
  }
  out['browser/loadavg_1m_end'] = round(os.loadavg()[0]);
  // The headline: the fastest browser backend for the QTMRL A2C run with the default network, and
  // with the smaller one (a different network, so reported apart).
  const best = (labels: string[]): [string, number] | null => {
    let b: [string, number] | null = null;
    for (const label of labels) {
      const v = out[`browser/${label}/a2c_time_to_1e6_min`];
      if (typeof v === 'number' && (!b || v < b[1])) b = [label, v];
    }
    return b;
  };
  const def = best(['wasm', 'wasm_threads', 'webgpu']);
  if (def) {
    out['browser/best_a2c_time_to_1e6_min'] = def[1];
    out['browser/best_backend'] = def[0];
    out['browser/meets_target'] = def[1] < QTMRL_TARGET_MINUTES;
  }
  const small = best(['wasm_dmodel32', 'wasm_threads_dmodel32']);
  if (small) {
    out['browser/best_dmodel32_a2c_time_to_1e6_min'] = small[1];
    out['browser/best_dmodel32_backend'] = small[0];
  }
  return out;
}
