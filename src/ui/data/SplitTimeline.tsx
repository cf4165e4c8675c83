import type { Panel } from '../../../workers/protocol.ts';
import { useLab } from '../../store/index.ts';

const SPLITS = ['train', 'valid', 'test'] as const;

/** Index of the first date ≥ d (dates ascending ISO). */
function lowerBound(dates: readonly string[], d: string): number {
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (dates[mid] < d) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Rows of each split inside the panel, as the feature builder will cut them. */
export function splitRows(dates: readonly string[], splits: Record<string, unknown>) {
  return SPLITS.map((name) => {
    const start = lowerBound(dates, String(splits[`${name}.start`]));
    const end = lowerBound(dates, `${String(splits[`${name}.end`])}\uffff`);
    return { name, start, end: Math.max(start, end) };
  });
}

/**
 * The dataset's calendar as a bar with the three splits on it, and two sliders that move the
 * train/valid and valid/test boundaries (keyboard: arrows move one date, PageUp/PageDown more).
 */
export function SplitTimeline({ panel }: { panel: Panel }) {
  const splits = useLab((s) => s.experiment.splits);
  const setSplits = useLab((s) => s.setSplits);
  const dates = panel.dates;
  const T = dates.length;
  const rows = splitRows(dates, splits);
  const pct = (n: number) => `${(100 * n) / Math.max(T, 1)}%`;

  const segments: { key: string; cls: string; width: number; label: string }[] = [];
  let cursor = 0;
  for (const r of rows) {
    if (r.start > cursor)
      segments.push({ key: `gap-${r.name}`, cls: 'gap', width: r.start - cursor, label: '' });
    const n = r.end - Math.max(r.start, cursor);
    if (n > 0)
      segments.push({ key: r.name, cls: r.name, width: n, label: `${r.name} · ${r.end - r.start} rows` });
    cursor = Math.max(cursor, r.end);
  }

  const moveBoundary = (which: 0 | 1, i: number) => {
    const k = Math.min(Math.max(i, 1), T - 1);
    if (which === 0) setSplits({ 'train.end': dates[k - 1], 'valid.start': dates[k] });
    else setSplits({ 'valid.end': dates[k - 1], 'test.start': dates[k] });
  };

  return (
    <div className="stack">
      <div
        className="timeline"
        role="img"
        aria-label={rows.map((r) => `${r.name}: ${r.end - r.start} rows`).join(', ')}
      >
        {segments.map((s) => (
          <div key={s.key} className={`seg ${s.cls}`} style={{ width: pct(s.width) }} title={s.label}>
            {s.label}
          </div>
        ))}
      </div>
      <div className="row muted" style={{ justifyContent: 'space-between' }}>
        <span>{dates[0]}</span>
        <span>{dates[T - 1]}</span>
      </div>
      <div className="row">
        <label>
          Train | valid boundary{' '}
          <input
            type="range"
            min={1}
            max={T - 1}
            value={Math.min(Math.max(rows[1].start, 1), T - 1)}
            onChange={(e) => moveBoundary(0, Number(e.target.value))}
            aria-valuetext={dates[rows[1].start] ?? ''}
          />
        </label>
        <label>
          Valid | test boundary{' '}
          <input
            type="range"
            min={1}
            max={T - 1}
            value={Math.min(Math.max(rows[2].start, 1), T - 1)}
            onChange={(e) => moveBoundary(1, Number(e.target.value))}
            aria-valuetext={dates[rows[2].start] ?? ''}
          />
        </label>
      </div>
      {rows.some((r) => r.end - r.start === 0) && (
        <p className="field-error" role="alert">
          {rows
            .filter((r) => r.end - r.start === 0)
            .map((r) => r.name)
            .join(', ')}{' '}
          split has no rows in this dataset ({dates[0]} → {dates[T - 1]}).
        </p>
      )}
    </div>
  );
}
