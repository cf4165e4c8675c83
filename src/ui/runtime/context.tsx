import { createContext, useContext, useSyncExternalStore } from 'react';
import type { Panel } from '../../../workers/protocol.ts';
import type { LabRuntime } from './runtime.ts';

export const RuntimeContext = createContext<LabRuntime | null>(null);

export function useRuntime(): LabRuntime {
  const rt = useContext(RuntimeContext);
  if (!rt) throw new Error('useRuntime outside <RuntimeContext.Provider>');
  return rt;
}

/** The loaded panel (re-renders when a new dataset is loaded). */
export function usePanel(): Panel | null {
  const rt = useRuntime();
  return useSyncExternalStore(
    (l) => rt.subscribePanel(l),
    () => rt.panel,
  );
}
