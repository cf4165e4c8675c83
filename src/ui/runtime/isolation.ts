/**
 * Threaded wasm needs cross-origin isolation. A host can send the COOP/COEP headers (see README);
 * where it cannot, the user may opt into a small service worker (public/coi-sw.js) that adds them.
 * Without either the lab runs single-threaded SIMD wasm: slower, never broken.
 */
const SW_URL = './coi-sw.js';

export function isIsolated(): boolean {
  return Boolean(globalThis.crossOriginIsolated);
}

export function serviceWorkerAvailable(): boolean {
  return 'serviceWorker' in navigator && window.isSecureContext;
}

export async function isolationWorkerActive(): Promise<boolean> {
  if (!serviceWorkerAvailable()) return false;
  const regs = await navigator.serviceWorker.getRegistrations();
  return regs.some((r) => r.active?.scriptURL.endsWith('/coi-sw.js'));
}

/** Registers the isolation worker and reloads once it controls the page. */
export async function enableThreads(): Promise<void> {
  if (!serviceWorkerAvailable())
    throw new Error('service workers are not available here (they need https or localhost)');
  await navigator.serviceWorker.register(SW_URL, { scope: './' });
  await navigator.serviceWorker.ready;
  window.location.reload();
}

export async function disableThreads(): Promise<void> {
  if (!serviceWorkerAvailable()) return;
  for (const r of await navigator.serviceWorker.getRegistrations())
    if (r.active?.scriptURL.endsWith('/coi-sw.js')) await r.unregister();
  window.location.reload();
}
