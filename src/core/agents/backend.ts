/**
 * Picks and initialises the tfjs backend, in Node (vitest, CLI) and in a Web Worker.
 *
 * auto: WebGPU only when a real (non-fallback, non-software) adapter exists — on SwiftShader WebGPU is
 * CPU emulation and slower than wasm — else wasm (SIMD; threads only when cross-origin isolated),
 * else cpu. An explicit preference is honoured when that backend initialises, otherwise the next one
 * down is used and `fallbackReason` says why. tfjs can fall back silently, so the reported backend is
 * always read back from tf.getBackend() after a smoke op. Each initialisation is time-boxed.
 *
 * In Vite pass `wasmPaths` (URLs of the three .wasm files imported with `?url`); in Node the wasm
 * backend finds its binaries in node_modules by itself.
 *
 * Calls are serialised: tfjs's engine treats a second setBackend as making the first one's pending
 * initialisation obsolete, so two overlapping calls (the page's badge and Train) used to leave one of
 * them on cpu — and tfjs on cpu — while the other reported wasm. On a cross-origin-isolated page the
 * threaded wasm build gets a longer time box (it starts a pool of workers) and, should it fail or hang,
 * the single-threaded SIMD build is tried before cpu: never cpu while wasm works.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Registers the 'webgpu' backend factory where navigator.gpu exists (in Node it registers nothing).
import '@tensorflow/tfjs-backend-webgpu';

export type BackendPref = 'auto' | 'webgpu' | 'wasm' | 'cpu';
export type BackendName = 'webgpu' | 'wasm' | 'cpu';

export const BACKEND_PREFS: readonly BackendPref[] = ['auto', 'webgpu', 'wasm', 'cpu'];

export interface InitBackendOptions {
  /** Per-backend initialisation time box, ms. Default 10 000. */
  timeoutMs?: number;
  /** Time box for navigator.gpu.requestAdapter(), ms. Default 3 000. */
  adapterTimeoutMs?: number;
  /**
   * Where the wasm binaries are: a URL prefix ending in '/', or a map from file name
   * ('tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm')
   * to URL. Needed in a Vite bundle; not in Node. Only takes effect before the first wasm init.
   */
  wasmPaths?: string | Record<string, string>;
  /** wasm threads (XNNPACK pool) when threads are available; default: tfjs's choice (≈ cores). */
  numThreads?: number;
}

export interface BackendInfo {
  /** The backend actually in use: tf.getBackend() after a successful smoke op. */
  backend: BackendName;
  requested: BackendPref;
  /** Why the requested (or, for auto, a better) backend was not used; absent when it was. */
  fallbackReason?: string;
  /** Everything worth telling the user: skipped backends and why, adapter, SIMD/threads. */
  notes: string[];
  /** wasm only. */
  simd?: boolean;
  threads?: boolean;
  /** wasm only: XNNPACK thread count in use. */
  threadsCount?: number;
  /** Whether the context is cross-origin isolated (SharedArrayBuffer → threaded wasm possible). */
  crossOriginIsolated: boolean;
  /** WebGPU adapter description when navigator.gpu gave one. */
  adapter?: string;
  /** Wall time of initBackend, ms. */
  initMs: number;
}

export interface WebGpuProbe {
  /** A hardware adapter that is not the fallback adapter. */
  real: boolean;
  /** Any adapter at all (SwiftShader counts). */
  available: boolean;
  description: string;
}

interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface GpuAdapterLike {
  info?: GpuAdapterInfoLike;
  isFallbackAdapter?: boolean;
  requestAdapterInfo?: () => Promise<GpuAdapterInfoLike>;
}
interface GpuLike {
  requestAdapter(opts?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Resolves with p's value, or rejects after `ms` with a message naming `what`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Asks navigator.gpu for an adapter and says whether it is real hardware. Never throws. */
export async function probeWebGpu(timeoutMs = 3000): Promise<WebGpuProbe> {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  const gpu = nav?.gpu;
  if (!gpu) return { real: false, available: false, description: 'navigator.gpu is absent' };
  try {
    const adapter = await withTimeout(
      gpu.requestAdapter({ powerPreference: 'high-performance' }),
      timeoutMs,
      'WebGPU adapter request',
    );
    if (!adapter) return { real: false, available: false, description: 'no WebGPU adapter' };
    let info: GpuAdapterInfoLike = adapter.info ?? {};
    if (!adapter.info && adapter.requestAdapterInfo) {
      info = await withTimeout(adapter.requestAdapterInfo(), timeoutMs, 'WebGPU adapter info').catch(
        () => ({}),
      );
    }
    const description =
      [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') ||
      'unknown adapter';
    const fallback = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false);
    // Chrome's SwiftShader adapter is not always flagged as fallback; its name gives it away.
    const software = /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/i.test(description);
    return {
      real: !fallback && !software,
      available: true,
      description: fallback || software ? `${description} (software/fallback)` : description,
    };
  } catch (e) {
    return { real: false, available: false, description: `WebGPU probe failed: ${errMessage(e)}` };
  }
}

function isCrossOriginIsolated(): boolean {
  return Boolean((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated);
}

let wasmConfigured = false;

/** One-time wasm setup; must run before the wasm backend first initialises. */
function configureWasm(opts: InitBackendOptions, notes: string[]): void {
  if (wasmConfigured) return;
  wasmConfigured = true;
  // Page or (module) worker alike; Node has its own threading story and never sets this.
  const isBrowserLike = !tf.env().getBool('IS_NODE');
  // Threaded wasm needs SharedArrayBuffer, i.e. cross-origin isolation in a browser; without it the
  // threaded binary fails to start, so force the single-threaded SIMD build.
  if (isBrowserLike && !isCrossOriginIsolated()) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (isBrowserLike && isCrossOriginIsolated()) uncapWasmThreads(opts.numThreads, notes);
  if (opts.numThreads !== undefined) setThreadsCount(opts.numThreads);
  if (opts.wasmPaths !== undefined) {
    try {
      setWasmPaths(opts.wasmPaths as string);
    } catch (e) {
      notes.push(`wasm paths not applied: ${errMessage(e)}`);
    }
  }
}

/**
 * tfjs-wasm caps its XNNPACK pool at navigator.hardwareConcurrency / 2 (it assumes two hyperthreads
 * per core) whatever setThreadsCount asks: one thread on a 2-vCPU machine, so cross-origin isolation
 * would gain nothing there. The threaded binary reads the count when it is instantiated, so reporting
 * twice the wanted count (default: every core — training runs in a worker, the page stays idle)
 * before that lets the pool reach it. Measured on 2 vCPUs: A2C update 860 → 613 ms.
 */
function uncapWasmThreads(wanted: number | undefined, notes: string[]): void {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const cores = nav?.hardwareConcurrency;
  if (!nav || !cores) return;
  const threads = Math.max(1, wanted ?? cores);
  if (threads * 2 <= cores) return;
  try {
    Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => threads * 2 });
    notes.push(`wasm: thread pool uncapped to ${threads}`);
  } catch (e) {
    notes.push(`wasm: thread pool left at tfjs's default (${errMessage(e)})`);
  }
}

/** Runs one tiny op and reads it back: proves the backend really works (not just registered). */
async function smokeTest(): Promise<void> {
  const t = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.scalar(1)));
  const v = await t.data();
  t.dispose();
  if (v[0] !== 2 || v[1] !== 3) throw new Error(`smoke test returned [${Array.from(v).join(', ')}]`);
}

/** Tries one backend, time-boxed. Returns null on success, else the reason. */
async function trySetBackend(name: BackendName, timeoutMs: number): Promise<string | null> {
  if (tf.findBackendFactory(name) == null) return `${name} backend is not registered here`;
  try {
    // A later setBackend call makes a timed-out init obsolete inside tfjs, so it cannot win the race later.
    const ok = await withTimeout(tf.setBackend(name), timeoutMs, `${name} initialisation`);
    if (!ok) return `${name} failed to initialise`;
    if (tf.getBackend() !== name) return `tfjs fell back to ${tf.getBackend()} instead of ${name}`;
    // The cpu backend prints a "install tfjs-node" banner on first use in Node; tfjs-node cannot be
    // installed here and the banner only clutters CLI output.
    if (name === 'cpu') (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
    await withTimeout(smokeTest(), timeoutMs, `${name} smoke test`);
    return null;
  } catch (e) {
    return `${name}: ${errMessage(e)}`;
  }
}

/** The tail of the chain of initBackend calls: each starts when the previous one has settled. */
let initQueue: Promise<unknown> = Promise.resolve();

/**
 * Initialise the best available backend for `pref` and report what is really in use.
 * Never throws unless even the cpu backend fails. Overlapping calls run one after the other.
 */
export function initBackend(pref: BackendPref = 'auto', opts: InitBackendOptions = {}): Promise<BackendInfo> {
  const run = initQueue.then(() => initBackendNow(pref, opts));
  initQueue = run.catch(() => undefined);
  return run;
}

/** Whether the wasm backend would start its threaded build (cross-origin-isolated browser context). */
async function wasmThreadsOn(): Promise<boolean> {
  if (tf.env().getBool('IS_NODE')) return false;
  try {
    return Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  } catch {
    return false;
  }
}

/**
 * wasm, threaded when possible: the threaded build gets twice the time box, and when it fails or hangs
 * the single-threaded SIMD build is tried (the flag read by tfjs-wasm's init, a new setBackend makes
 * the hung one obsolete). Returns null on success, else the reason(s).
 */
async function trySetWasm(timeoutMs: number, notes: string[]): Promise<string | null> {
  if (!(await wasmThreadsOn())) return trySetBackend('wasm', timeoutMs);
  const threaded = await trySetBackend('wasm', timeoutMs * 2);
  if (threaded === null) return null;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  notes.push(`threaded wasm failed (${threaded}); using single-threaded wasm`);
  const single = await trySetBackend('wasm', timeoutMs);
  return single === null ? null : `${threaded}; single-threaded ${single}`;
}

async function initBackendNow(pref: BackendPref, opts: InitBackendOptions): Promise<BackendInfo> {
  const t0 = performance.now();
  if (!BACKEND_PREFS.includes(pref))
    throw new Error(`unknown backend '${String(pref)}' (expected ${BACKEND_PREFS.join(', ')})`);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const notes: string[] = [];
  const reasons: string[] = [];
  configureWasm(opts, notes);

  let adapter: string | undefined;
  const order: BackendName[] = [];
  if (pref === 'auto' || pref === 'webgpu') {
    const probe = await probeWebGpu(opts.adapterTimeoutMs ?? 3000);
    if (probe.available) adapter = probe.description;
    if (pref === 'webgpu' ? probe.available : probe.real) order.push('webgpu');
    else reasons.push(`webgpu skipped: ${probe.description}`);
  }
  if (pref !== 'cpu') order.push('wasm');
  order.push('cpu');

  let chosen: BackendName | null = null;
  for (const name of order) {
    const reason =
      name === 'wasm' ? await trySetWasm(timeoutMs, notes) : await trySetBackend(name, timeoutMs);
    if (reason === null) {
      chosen = name;
      break;
    }
    reasons.push(reason);
  }
  if (chosen === null) throw new Error(`no tfjs backend could be initialised: ${reasons.join('; ')}`);
  // What tfjs really runs on, read back (it can switch silently): never report one backend while
  // another is in use.
  if (tf.getBackend() !== chosen)
    throw new Error(`tfjs switched to ${tf.getBackend()} while ${chosen} was being initialised`);

  const info: BackendInfo = {
    backend: chosen,
    requested: pref,
    notes,
    crossOriginIsolated: isCrossOriginIsolated(),
    initMs: 0,
  };
  // For auto, falling past webgpu to wasm is the expected path, not a fallback worth flagging.
  const expected = pref === 'auto' ? order[0] : pref;
  if (chosen !== expected) info.fallbackReason = reasons.join('; ');
  notes.push(...reasons);
  if (adapter) {
    info.adapter = adapter;
    notes.push(`WebGPU adapter: ${adapter}`);
  }
  if (chosen === 'wasm') {
    info.simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    info.threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
    try {
      info.threadsCount = getThreadsCount();
    } catch {
      // only throws before init, which cannot be the case here
    }
    notes.push(
      `wasm: SIMD ${info.simd ? 'on' : 'off'}, threads ${info.threads ? `on (${info.threadsCount ?? '?'})` : 'off'}`,
    );
  }
  info.initMs = performance.now() - t0;
  return info;
}

/** The backend in use right now (tf.getBackend()), for reports. */
export function currentBackend(): string {
  return tf.getBackend();
}
