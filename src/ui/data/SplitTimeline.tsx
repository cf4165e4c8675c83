import type { Panel } from '../../../workers/protocol.ts';
import { firstIndexOnOrAfter } from '../../core/data/dates.ts';
import type { Values } from '../../core/experiment/fields.ts';
import { flatValues, splitMode } from '../../store/experiment.ts';
import { useLab } from '../../store/index.ts';

const SPLITS = ['train', 'valid', 'test'] as const;

/**
 * Rows of each split inside the panel, as core cuts them: date splits by their dates, fractions
 * by shares of the rows (core's splitSpecOf: every split keeps at least one date).
 */
export function splitRows(dates: readonly string[], values: Values) {
  if (splitMode(values) === 'fractions') {
    const T = dates.length;
    const train = Number(values['splits.fractions.train']);
    const valid = Number(values['splits.fractions.valid']);
    const a = Math.min(T - 2, Math.max(1, Math.round(T * train)));
    const b = Math.min(T - 1, Math.max(a + 1, Math.round(T * (train + valid))));
    return [
      { name: 'train' as const, start: 0, end: a },
      { name: 'valid' as const, start: a, end: b },
      { name: 'test' as const, start: b, end: T },
    ];
  }
  return SPLITS.map((name) => {
    const start = firstIndexOnOrAfter(dates, String(values[`splits.${name}.start`]));
    const end = firstIndexOnOrAfter(dates, `${String(values[`splits.${name}.end`])}\uffff`);
    return { name, start, end: Math.max(start, end) };
  });
}

/**
 * The dataset's calendar as a bar with the three splits on it, and two sliders that move the
 * train/valid and valid/test boundaries (keyboard: arrows move one date, PageUp/PageDown more).
 */
export function SplitTimeline({ panel }: { panel: Panel }) {
  const experiment = useLab((s) => s.experiment);
  const values = flatValues(experiment);
  const setSplits = useLab((s) => s.setSplits);
  const dates = panel.dates;
  const T = dates.length;
  const rows = splitRows(dates, values);
  const fractions = splitMode(values) === 'fractions';
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
    if (fractions) {
      // Shares rounded to 0.1%: the link stays short and core cuts the same rows.
      const share = (n: number) => Math.min(0.98, Math.max(0.01, Math.round((1000 * n) / T) / 1000));
      if (which === 0)
        setSplits({
          'splits.fractions.train': share(k),
          'splits.fractions.valid': share(Math.max(rows[2].start - k, 1)),
        });
      else setSplits({ 'splits.fractions.valid': share(Math.max(k - rows[1].start, 1)) });
    } else if (which === 0) setSplits({ 'splits.train.end': dates[k - 1], 'splits.valid.start': dates[k] });
    else setSplits({ 'splits.valid.end': dates[k - 1], 'splits.test.start': dates[k] });
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
