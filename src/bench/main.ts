/**
 * The bench page (dist/src/bench/index.html): reads the run from the query string, runs it in the
 * bench worker (core's training benchmark) and publishes the JSON in <pre id="result"> and
 * window.__benchResult (window.__benchPartial while it runs), for `lab bench browser` to collect.
 */
import * as Comlink from 'comlink';
import type { BenchApi, BenchRequest, BenchResult } from '../../workers/bench.worker.ts';

interface PageResult {
  ok: boolean;
  error?: string;
  request: BenchRequest;
  page: { crossOriginIsolated: boolean; hardwareConcurrency: number; userAgent: string };
  result?: BenchResult;
  wallMs: number;
}

declare global {
  interface Window {
    __benchResult?: PageResult;
    __benchPartial?: BenchResult;
  }
}

const BACKENDS = ['wasm', 'webgpu', 'cpu'] as const;

function parseRequest(q: URLSearchParams): BenchRequest {
  const backend = q.get('backend') ?? 'wasm';
  if (!(BACKENDS as readonly string[]).includes(backend))
    throw new Error(`backend '${backend}': expected ${BACKENDS.join(', ')}`);
  const suite = q.get('suite') ?? 'train';
  if (suite !== 'train' && suite !== 'forward' && suite !== 'resident')
    throw new Error(`suite '${suite}': expected train, forward or resident`);
  const int = (name: string): number | undefined => {
    const v = q.get(name);
    if (v === null) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} '${v}': expected a whole number`);
    return n;
  };
  const list = (name: string): string[] | undefined => q.get(name)?.split(',').filter(Boolean);
  const algos = list('algos');
  for (const a of algos ?? [])
    if (a !== 'a2c' && a !== 'ppo') throw new Error(`algos: '${a}' is not a2c or ppo`);
  return {
    backend: backend as BenchRequest['backend'],
    suite,
    algos: algos as BenchRequest['algos'],
    iterations: int('iterations'),
    numSteps: int('steps'),
    warmup: q.get('warmup') !== '0',
    forwardBatches: list('batches')?.map(Number),
    forwardReps: int('reps'),
    threads: int('threads'),
    dModel: int('dmodel'),
    updateSplit: q.get('split') !== '0',
  };
}

async function main(): Promise<void> {
  const status = document.getElementById('status')!;
  const out = document.getElementById('result')!;
  const t0 = performance.now();
  const page = {
    crossOriginIsolated: self.crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
    userAgent: navigator.userAgent,
  };
  let request: BenchRequest = { backend: 'wasm' };
  const publish = (r: Omit<PageResult, 'page' | 'wallMs' | 'request'>) => {
    const full: PageResult = { ...r, request, page, wallMs: performance.now() - t0 };
    window.__benchResult = full;
    out.textContent = JSON.stringify(full, null, 2);
    status.textContent = r.ok ? 'done' : `failed: ${r.error}`;
  };
  let worker: Worker | null = null;
  try {
    request = parseRequest(new URLSearchParams(location.search));
    status.textContent = `running ${request.suite} on ${request.backend}…`;
    worker = new Worker(new URL('../../workers/bench.worker.ts', import.meta.url), {
      type: 'module',
      name: 'bench',
    });
    worker.addEventListener('error', (e) =>
      publish({ ok: false, error: `bench worker crashed: ${e.message || 'script error'}` }),
    );
    const api = Comlink.wrap<BenchApi>(worker);
    const onFigures = (partial: BenchResult) => {
      window.__benchPartial = partial;
      out.textContent = JSON.stringify({ partial }, null, 2);
    };
    const result = await api.run(request, Comlink.proxy(onFigures));
    publish({ ok: true, result });
  } catch (e) {
    publish({ ok: false, error: e instanceof Error ? e.message : String(e) });
  } finally {
    worker?.terminate();
  }
}

void main();
