import { experimentToHash, hashToExperiment } from './hash.ts';
import { useLab } from './index.ts';

/**
 * Keeps location.hash and the store's experiment in step: the hash is read once at start and on
 * `hashchange` (a pasted link), and rewritten (replaceState, no history spam) after every change.
 * Returns a function that stops syncing.
 */
export function startHashSync(win: Window = window): () => void {
  let lastWritten = '';
  let first = true;
  const load = () => {
    const hash = win.location.hash.replace(/^#/, '');
    if (!first && hash === lastWritten) return;
    first = false;
    const { experiment, notices } = hashToExperiment(hash);
    useLab.getState().loadExperiment(experiment, notices);
    lastWritten = experimentToHash(experiment);
    win.history.replaceState(null, '', `#${lastWritten}`);
  };
  load();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const unsubscribe = useLab.subscribe((s, prev) => {
    if (s.experiment === prev.experiment) return;
    if (timer) clearTimeout(timer);
    // Coalesce typing bursts; the hash is cheap but replaceState is rate-limited by browsers.
    timer = setTimeout(() => {
      timer = null;
      const next = experimentToHash(useLab.getState().experiment);
      if (next === lastWritten) return;
      lastWritten = next;
      win.history.replaceState(null, '', `#${next}`);
    }, 150);
  });
  win.addEventListener('hashchange', load);
  return () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
    win.removeEventListener('hashchange', load);
  };
}

/** The shareable link of the current experiment. */
export function shareLink(win: Window = window): string {
  const url = new URL(win.location.href);
  url.hash = experimentToHash(useLab.getState().experiment);
  return url.toString();
}
