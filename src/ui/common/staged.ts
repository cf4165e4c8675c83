import { startTransition, useEffect, useState } from 'react';

/**
 * Mounts heavy sections one task at a time (Results: equity first), so opening a panel — or a change
 * of `key`, e.g. Results' split — never blocks the page in one long task; returns how many sections may
 * render now. Each step is a transition, so React may also slice its render into short tasks.
 */
export function useStagedSections(total: number, key: unknown): number {
  const [stage, setStage] = useState({ key, n: 1 });
  const n = stage.key === key ? stage.n : 1;
  useEffect(() => {
    if (n >= total) return;
    const id = setTimeout(() => startTransition(() => setStage({ key, n: n + 1 })), 0);
    return () => clearTimeout(id);
  }, [n, total, key]);
  return n;
}
