import { useState } from 'react';
import type { KolDecisionExtra } from '../../../core/kol/runner.ts';
import { fmtNum } from '../../charts/format.ts';
import type { WorkflowSectionProps } from '../sections.tsx';

const PAGE = 50;

/** The per-post decisions of the splits shown (the seed's signal_decisions_<split>.csv), one page at a time. */
export function KolDecisions({ evaluation, splits }: WorkflowSectionProps) {
  const bySplit = (evaluation.extras?.['kol-decisions'] ?? {}) as Record<string, KolDecisionExtra[]>;
  const lists = splits.map((s) => ({ split: s.split, rows: bySplit[s.split] ?? [] }));
  const total = lists.reduce((n, l) => n + l.rows.length, 0);
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(total / PAGE));
  const p = Math.min(page, pages - 1);
  // Only the visible page is read out of the lists.
  const rows: (KolDecisionExtra & { split: string })[] = [];
  let offset = 0;
  for (const l of lists) {
    const from = Math.max(0, p * PAGE - offset);
    const to = Math.min(l.rows.length, (p + 1) * PAGE - offset);
    for (let i = from; i < to; i++) rows.push({ ...l.rows[i], split: l.split });
    offset += l.rows.length;
  }
  if (total === 0) return <p className="muted">No posts in this period.</p>;
  return (
    <div className="stack">
      <div className="table-scroll">
        <table className="data" aria-label="Per-post decisions">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Split</th>
              <th scope="col">Ticker</th>
              <th scope="col">Post</th>
              <th scope="col">Sentiment</th>
              <th scope="col">Confidence</th>
              <th scope="col">Baseline</th>
              <th scope="col">Trained</th>
              <th scope="col">Before → after</th>
              <th scope="col">Equity baseline / trained</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={`${p}-${i}`}>
                <td>{r.date}</td>
                <td>{r.split}</td>
                <td>{r.ticker}</td>
                <td title={r.text || r.postId}>
                  {r.text ? (r.text.length > 80 ? `${r.text.slice(0, 79)}…` : r.text) : r.postId}
                  {r.author ? <span className="muted"> — {r.author}</span> : null}
                </td>
                <td>{fmtNum(r.sentiment, 2)}</td>
                <td>{fmtNum(r.confidence, 2)}</td>
                <td>{fmtNum(r.baseline, 4)}</td>
                <td>{fmtNum(r.trained, 4)}</td>
                <td>
                  {fmtNum(r.before, 4)} → {fmtNum(r.after, 4)}
                </td>
                <td>
                  {fmtNum(r.equityBaseline, 4)} / {fmtNum(r.equityTrained, 4)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="row">
        <button type="button" disabled={p === 0} onClick={() => setPage(p - 1)}>
          Previous
        </button>
        <span>
          Page {p + 1} of {pages} ({total} posts)
        </span>
        <button type="button" disabled={p >= pages - 1} onClick={() => setPage(p + 1)}>
          Next
        </button>
      </div>
    </div>
  );
}
