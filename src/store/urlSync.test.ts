import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultExperiment, flatValues } from './experiment.ts';
import { useLab } from './index.ts';
import { initialSweep } from './slices/sweep.ts';
import { emptyParam } from './sweepDraft.ts';
import { shareLink, startHashSync } from './urlSync.ts';

/** Enough of a window for the sync: location, history.replaceState, hashchange. */
function fakeWindow(href: string) {
  const url = new URL(href);
  const listeners = new Map<string, () => void>();
  const win = {
    location: {
      get hash() {
        return url.hash;
      },
      get search() {
        return url.search;
      },
      get href() {
        return url.href;
      },
    },
    history: {
      replaceState: (_s: unknown, _t: string, next: string) => {
        url.href = new URL(next, url.href).href;
      },
    },
    addEventListener: (type: string, f: () => void) => listeners.set(type, f),
    removeEventListener: (type: string) => listeners.delete(type),
    /** A pasted link: the address changes and hashchange fires. */
    paste(hash: string) {
      url.hash = hash;
      listeners.get('hashchange')?.();
    },
  };
  return win;
}
type FakeWindow = ReturnType<typeof fakeWindow>;
const asWindow = (w: FakeWindow) => w as unknown as Window;

let stop: (() => void) | null = null;
beforeEach(() => {
  vi.useFakeTimers();
  useLab.setState({
    experiment: defaultExperiment(),
    errors: {},
    notices: [],
    startOpen: false,
    sweep: initialSweep(),
  });
});
afterEach(() => {
  stop?.();
  stop = null;
  vi.useRealTimers();
});

describe('URL sync (core link codec, dotted keys)', () => {
  it('a first visit with no hash opens the start view and writes nothing until a workflow starts', () => {
    const win = fakeWindow('http://lab.test/');
    stop = startHashSync(asWindow(win));
    expect(useLab.getState().startOpen).toBe(true);
    vi.advanceTimersByTime(500);
    expect(win.location.hash).toBe('');
    useLab.getState().startWorkflow('market');
    vi.advanceTimersByTime(200);
    expect(win.location.hash).toContain('workflow=market');
    expect(useLab.getState().startOpen).toBe(false);
  });

  it('reads a link, rewrites it canonically, follows edits and pasted links', () => {
    const win = fakeWindow('http://lab.test/#workflow=market&algo=ppo&agent.learningRate=0.001&steps=5');
    stop = startHashSync(asWindow(win));
    const s = useLab.getState();
    expect(s.startOpen).toBe(false);
    expect(flatValues(s.experiment)['agent.learningRate']).toBe(0.001);
    expect(s.notices).toEqual(['Ignored unknown setting “steps” in the link.']);
    expect(win.location.hash).toContain('agent.learningRate=0.001');
    expect(win.location.hash).not.toContain('steps=5');

    useLab.getState().setValue('env.feeRate', 0.002);
    vi.advanceTimersByTime(200);
    expect(win.location.hash).toContain('env.feeRate=0.002');
    expect(shareLink(asWindow(win))).toBe(win.location.href);

    win.paste('#workflow=market&totalSteps=1234');
    expect(flatValues(useLab.getState().experiment).totalSteps).toBe(1234);
    expect(flatValues(useLab.getState().experiment).algo).toBe('a2c');
    expect(useLab.getState().notices).toEqual([]);
  });

  it('the sweep builder travels as ?sweep= beside the hash, both ways', () => {
    const win = fakeWindow('http://lab.test/#workflow=market');
    stop = startHashSync(asWindow(win));
    expect(useLab.getState().sweep.draft.totalSteps).toBe(20_000);
    useLab.getState().setSweepDraft((d) => ({
      ...d,
      params: [emptyParam('agent.entCoef', [0, 0.05])],
    }));
    vi.advanceTimersByTime(300);
    const value = new URLSearchParams(win.location.search).get('sweep');
    expect(value).toContain('agent.entCoef');
    expect(win.location.hash).toContain('workflow=market');
    stop();

    useLab.setState({ sweep: initialSweep() });
    const win2 = fakeWindow(win.location.href);
    stop = startHashSync(asWindow(win2));
    expect(useLab.getState().sweep.draft.params.map((p) => p.key)).toEqual(['agent.entCoef']);
  });
});
