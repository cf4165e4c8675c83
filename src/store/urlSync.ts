import { experimentOfHash, hashOfExperiment } from './experiment.ts';
import { useLab } from './index.ts';
import { draftToUrlValue, URL_PARAM, urlValueToDraft } from './sweepDraft.ts';

/**
 * Keeps location.hash and the store's experiment in step through core's link codec (keys are the
 * config's dotted paths): the hash is read once at start and on `hashchange` (a pasted link), and
 * rewritten (replaceState, no history spam) after every change. A first visit with no hash opens
 * the workflow start view and leaves the address alone until a workflow is chosen. The sweep
 * builder's form travels beside it as `?sweep=…` (read once at start, rewritten on every edit).
 * Returns a function that stops syncing.
 */
export function startHashSync(win: Window = window): () => void {
  let lastWritten = '';
  let first = true;
  const write = (next: string) => {
    lastWritten = next;
    win.history.replaceState(null, '', `#${next}`);
  };
  const load = () => {
    const hash = win.location.hash.replace(/^#/, '');
    if (!first && hash === lastWritten) return;
    const wasFirst = first;
    first = false;
    if (wasFirst && hash === '') {
      useLab.getState().setStartOpen(true);
      return;
    }
    const { experiment, notices } = experimentOfHash(hash);
    useLab.getState().loadExperiment(experiment, notices);
    useLab.getState().setStartOpen(false);
    write(hashOfExperiment(experiment));
  };
  load();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const unsubscribe = useLab.subscribe((s, prev) => {
    if (s.experiment === prev.experiment && s.startOpen === prev.startOpen) return;
    if (s.startOpen && win.location.hash === '') return;
    if (timer) clearTimeout(timer);
    // Coalesce typing bursts; the hash is cheap but replaceState is rate-limited by browsers.
    timer = setTimeout(() => {
      timer = null;
      const next = hashOfExperiment(useLab.getState().experiment);
      if (next !== lastWritten) write(next);
    }, 150);
  });
  win.addEventListener('hashchange', load);
  const stopSweep = startSweepSync(win);
  return () => {
    stopSweep();
    unsubscribe();
    if (timer) clearTimeout(timer);
    win.removeEventListener('hashchange', load);
  };
}

/** `?sweep=` ⇄ the sweep builder's form (the base of every run is the experiment in the hash). */
function startSweepSync(win: Window): () => void {
  const steps = useLab.getState().experiment.values.totalSteps as number;
  const value = new URLSearchParams(win.location.search).get(URL_PARAM);
  if (value !== null) {
    const { draft, notice } = urlValueToDraft(value, steps);
    if (draft) useLab.getState().setSweep({ draft });
    if (notice) useLab.getState().setSweep({ notice });
  } else if (useLab.getState().sweep.draft.params.length === 0) {
    useLab.getState().setSweepDraft({ totalSteps: steps });
  }
  let timer: ReturnType<typeof setTimeout> | null = null;
  const stop = useLab.subscribe((s, prev) => {
    if (s.sweep.draft === prev.sweep.draft) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      const url = new URL(win.location.href);
      const d = useLab.getState().sweep.draft;
      if (d.params.length > 0) url.searchParams.set(URL_PARAM, draftToUrlValue(d));
      else url.searchParams.delete(URL_PARAM);
      win.history.replaceState(null, '', url.toString());
    }, 200);
  });
  return () => {
    stop();
    if (timer) clearTimeout(timer);
  };
}

/** The shareable link of the current experiment. */
export function shareLink(win: Window = window): string {
  const url = new URL(win.location.href);
  url.hash = hashOfExperiment(useLab.getState().experiment);
  return url.toString();
}
