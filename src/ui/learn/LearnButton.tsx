import { useEffect, useId, useRef, useState } from 'react';
import { learnEntry } from './glossary.ts';

/** The (i) button beside a field or chart: opens a short explanation; Escape or a click away closes it. */
export function LearnButton({ id }: { id: string }) {
  const entry = learnEntry(id);
  const [open, setOpen] = useState(false);
  const popId = useId();
  const ref = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    const onDown = (e: MouseEvent) =>
      ref.current && !ref.current.contains(e.target as Node) && setOpen(false);
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onDown);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onDown);
    };
  }, [open]);
  if (!entry) return null;
  return (
    <span className="learn" ref={ref}>
      <button
        type="button"
        className="learn-btn"
        aria-label={`Explain: ${entry.title}`}
        aria-expanded={open}
        aria-controls={popId}
        onClick={() => setOpen((o) => !o)}
      >
        i
      </button>
      {open && (
        <span className="learn-pop" role="note" id={popId}>
          <strong>{entry.title}</strong>
          <span>{entry.body}</span>
        </span>
      )}
    </span>
  );
}
