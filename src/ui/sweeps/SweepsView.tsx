/**
 * The Sweeps tab: a builder over the current experiment (any setting, list / range / log-range,
 * grid or random, seeds per point, run count and estimated time), the running sweep (pool of
 * workers, per-run progress, pause / cancel) and its results (sortable table of mean ± std per
 * point, scatter, parallel coordinates, equity overlays of the top k, heatmap for 2-D grids,
 * model selection on validation with test shown for the chosen point, CSV / JSON export).
 */
import { useLab } from '../../store/index.ts';
import type { PanelProps } from '../App.tsx';
import { Builder } from './SweepBuilder.tsx';
import { Progress } from './SweepProgress.tsx';
import { Results } from './SweepResults.tsx';

export function SweepsView(_props: PanelProps) {
  const status = useLab((s) => s.sweep.status);
  const results = useLab((s) => s.sweep.results);
  const notice = useLab((s) => s.sweep.notice);
  return (
    <div className="stack">
      {notice && (
        <div className="notice warn" role="status">
          {notice}{' '}
          <button type="button" onClick={() => useLab.getState().setSweep({ notice: null })}>
            Dismiss
          </button>
        </div>
      )}
      <Builder />
      {status !== 'idle' && <Progress />}
      {results.length > 0 && <Results />}
    </div>
  );
}
