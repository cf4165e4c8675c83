import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { needsPriceData } from '../core/workflows/registry.ts';
import { useLab } from '../store/index.ts';
import { shareLink, startHashSync } from '../store/urlSync.ts';
import { cliCommand, copyText, downloadConfig } from './common/configExport.ts';
import { useWorkflow } from './common/workflow.ts';
import { StartView } from './start/StartView.tsx';
import { AgentPanel } from './agent/AgentPanel.tsx';
import { DataPanel } from './data/DataPanel.tsx';
import { datasetKey, loadSelectedDataset } from './data/loader.ts';
import { LearnPanel } from './learn/LearnPanel.tsx';
import { ResultsPanel } from './results/ResultsPanel.tsx';
import { RunsPanel } from './runs/RunsPanel.tsx';
import { loadRunHistory } from './runs/history.ts';
import { RuntimeContext } from './runtime/context.tsx';
import { LabRuntime } from './runtime/runtime.ts';
import { SetupPanel } from './setup/SetupPanel.tsx';
import { SweepsPanel } from './sweeps/SweepsPanel.tsx';
import { initBackend } from './train/controller.ts';
import { TrainBar } from './train/TrainBar.tsx';
import { TrainPanel } from './train/TrainPanel.tsx';

const TABS = [
  { id: 'data', label: 'Data', Panel: DataPanel },
  { id: 'setup', label: 'Setup', Panel: SetupPanel },
  { id: 'agent', label: 'Agent', Panel: AgentPanel },
  { id: 'train', label: 'Train', Panel: TrainPanel },
  { id: 'results', label: 'Results', Panel: ResultsPanel },
  { id: 'runs', label: 'Runs', Panel: RunsPanel },
  { id: 'sweeps', label: 'Sweeps', Panel: SweepsPanel },
  { id: 'learn', label: 'Learn', Panel: LearnPanel },
] as const;
export type TabId = (typeof TABS)[number]['id'];

export function App() {
  const runtime = useRef<LabRuntime | null>(null);
  runtime.current ??= new LabRuntime();
  const [tab, setTab] = useState<TabId>(() =>
    new URLSearchParams(window.location.search).has('sweep') ? 'sweeps' : 'data',
  );

  useEffect(() => {
    const rt = runtime.current!;
    const stopHash = startHashSync();
    void loadRunHistory();
    void initBackend(rt);
    // (Re)load the dataset whenever the experiment names another one; synthetic knobs are debounced.
    let key = '';
    let timer: ReturnType<typeof setTimeout> | null = null;
    const check = () => {
      // A workflow that makes its own data (supplychain) loads none; the last dataset stays for the next.
      if (!needsPriceData(useLab.getState().experiment.workflow)) return;
      const next = datasetKey();
      if (next === key) return;
      key = next;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void loadSelectedDataset(rt), next.startsWith('synthetic') ? 400 : 0);
    };
    check();
    // The backend badge follows the Backend field (a link may ask for webgpu).
    let backendPref = useLab.getState().experiment.values.backend;
    const checkBackend = () => {
      const s = useLab.getState();
      const next = s.experiment.values.backend;
      if (next === backendPref || s.status === 'running' || s.status === 'paused' || s.status === 'starting')
        return;
      backendPref = next;
      void initBackend(rt);
    };
    const stopData = useLab.subscribe(() => {
      check();
      checkBackend();
    });
    return () => {
      stopHash();
      stopData();
      if (timer) clearTimeout(timer);
      rt.dispose();
    };
  }, []);

  const startOpen = useLab((s) => s.startOpen);

  // Show results when a run finishes while the user watches the Train tab.
  const status = useLab((s) => s.status);
  const prevStatus = useRef(status);
  useEffect(() => {
    if (prevStatus.current !== 'done' && status === 'done') setTab((t) => (t === 'train' ? 'results' : t));
    prevStatus.current = status;
  }, [status]);

  const onTabKey = (e: KeyboardEvent<HTMLElement>) => {
    const i = TABS.findIndex((t) => t.id === tab);
    const next =
      e.key === 'ArrowRight'
        ? i + 1
        : e.key === 'ArrowLeft'
          ? i - 1
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? TABS.length - 1
              : null;
    if (next === null) return;
    e.preventDefault();
    const t = TABS[(next + TABS.length) % TABS.length];
    setTab(t.id);
    document.getElementById(`tab-${t.id}`)?.focus();
  };

  return (
    <RuntimeContext.Provider value={runtime.current}>
      <header className="app-header">
        <h1>RL Trading Lab</h1>
        <WorkflowBadge />
        <TrainBar onShowTrain={() => setTab('train')} />
      </header>
      <Notices />
      {startOpen && <StartView />}
      <div className="tabs-row" style={startOpen ? { display: 'none' } : undefined}>
        <nav className="tabs" role="tablist" aria-label="Lab sections" onKeyDown={onTabKey}>
          {TABS.map((t) => (
            <button
              key={t.id}
              id={`tab-${t.id}`}
              role="tab"
              type="button"
              aria-selected={tab === t.id}
              aria-controls={`tabpanel-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              onClick={() => setTab(t.id)}
            >
              {t.label}
            </button>
          ))}
        </nav>
        <ShareButton />
        <ConfigButtons />
      </div>
      <main style={startOpen ? { display: 'none' } : undefined}>
        {TABS.map(({ id, Panel }) => (
          <div
            key={id}
            role="tabpanel"
            id={`tabpanel-${id}`}
            aria-labelledby={`tab-${id}`}
            hidden={tab !== id}
          >
            {tab === id && <Panel onNavigate={setTab} />}
          </div>
        ))}
      </main>
    </RuntimeContext.Provider>
  );
}

function Notices() {
  const notices = useLab((s) => s.notices);
  const dismiss = useLab((s) => s.dismissNotices);
  if (notices.length === 0) return null;
  return (
    <div className="notice warn" role="status" aria-label="Link notices">
      <ul>
        {notices.map((n, i) => (
          <li key={i}>{n}</li>
        ))}
      </ul>
      <button type="button" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}

function ShareButton() {
  const [copied, setCopied] = useState<string | null>(null);
  const onClick = async () => {
    const link = shareLink();
    try {
      await navigator.clipboard.writeText(link);
      setCopied('Link copied');
    } catch {
      // Clipboard permission denied (or insecure context): show the link to copy by hand.
      window.prompt('Copy this link', link);
      setCopied(null);
    }
    setTimeout(() => setCopied(null), 2000);
  };
  return (
    <span className="row">
      <button
        type="button"
        onClick={() => void onClick()}
        title="Copy a link that reproduces this experiment"
      >
        Copy share link
      </button>
      <span role="status" className="muted">
        {copied}
      </span>
    </span>
  );
}

/** The active workflow, always in view; its button opens the start view. */
function WorkflowBadge() {
  const w = useWorkflow();
  const open = useLab((s) => s.setStartOpen);
  return (
    <span className="row workflow-badge">
      <span className="badge" data-testid="workflow-badge" title={w.summary}>
        Workflow: {w.title} · seed {w.seed}
      </span>
      <button type="button" onClick={() => open(true)} title="List the lab's workflows">
        Workflows
      </button>
    </span>
  );
}

/** Download config (the ExperimentConfig JSON) and Copy CLI command for the experiment on screen. */
function ConfigButtons() {
  const [copied, setCopied] = useState<string | null>(null);
  const onCopy = async () => {
    const ok = await copyText(cliCommand(useLab.getState().experiment), 'command');
    setCopied(ok ? 'Command copied' : null);
    setTimeout(() => setCopied(null), 2000);
  };
  return (
    <span className="row">
      <button
        type="button"
        onClick={() => downloadConfig(useLab.getState().experiment)}
        title="The experiment as an ExperimentConfig JSON file: npx lab train --config FILE reproduces it"
      >
        Download config
      </button>
      <button
        type="button"
        onClick={() => void onCopy()}
        title="npx lab train --config <the downloaded file> --out runs/<name>"
      >
        Copy CLI command
      </button>
      <span role="status" className="muted">
        {copied}
      </span>
    </span>
  );
}

export interface PanelProps {
  onNavigate(tab: TabId): void;
}
