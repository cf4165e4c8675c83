import { useId } from 'react';
import type { ReplayWorldMeta } from '../../../core/scml/extras.ts';
import { worldLabel } from './view.ts';

/** The replay world shown (the rotations of the replay configuration). */
export function WorldPicker({
  worlds,
  value,
  onChange,
}: {
  worlds: readonly ReplayWorldMeta[];
  value: number;
  onChange(i: number): void;
}) {
  const id = useId();
  return (
    <label htmlFor={id}>
      World{' '}
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(Number(e.target.value))}
        aria-label="Replay world"
      >
        {worlds.map((w, i) => (
          <option key={w.index} value={i}>
            {worldLabel(w)}
          </option>
        ))}
      </select>
    </label>
  );
}

export function NoReplay() {
  return (
    <p className="muted">No world of the replay configuration was played (the run stopped before it).</p>
  );
}
