/**
 * The Sweeps tab, loaded on first open (its builder, plots and core's sweep code stay out of the
 * main bundle until then).
 */
import { lazy, Suspense } from 'react';
import type { PanelProps } from '../App.tsx';

const SweepsView = lazy(() => import('./SweepsView.tsx').then((m) => ({ default: m.SweepsView })));

export function SweepsPanel(props: PanelProps) {
  return (
    <Suspense fallback={<p role="status">Loading sweeps…</p>}>
      <SweepsView {...props} />
    </Suspense>
  );
}
