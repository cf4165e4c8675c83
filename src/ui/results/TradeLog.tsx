import { useMemo, useState } from 'react';
import { tradeAt, tradeCount, type SplitEvaluation, type Trade } from '../../../workers/protocol.ts';
import { fmtCompact } from '../charts/format.ts';

const PAGE = 100;

export function TradeLog({ splits }: { splits: SplitEvaluation[] }) {
  // Only the visible page is turned into objects.
  const offsets = useMemo(() => {
    const out: number[] = [0];
    for (const s of splits) out.push(out[out.length - 1] + tradeCount(s.trades));
    return out;
  }, [splits]);
  const total = offsets[offsets.length - 1];
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(total / PAGE));
  const p = Math.min(page, pages - 1);
  const rows: (Trade & { split: string })[] = [];
  for (let g = p * PAGE; g < Math.min(total, (p + 1) * PAGE); g++) {
    let k = 0;
    while (offsets[k + 1] <= g) k++;
    rows.push({ ...tradeAt(splits[k], g - offsets[k]), split: splits[k].split });
  }
  const trades = { length: total };
  if (trades.length === 0) return <p className="muted">The agent made no trades in this period.</p>;
  return (
    <div className="stack">
      <div className="table-scroll">
        <table className="data" aria-label="Trade log">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Split</th>
              <th scope="col">Asset</th>
              <th scope="col">Side</th>
              <th scope="col">Quantity</th>
              <th scope="col">Price</th>
              <th scope="col">Fee</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((t, i) => (
              <tr key={`${p}-${i}`}>
                <td>{t.date}</td>
                <td>{t.split}</td>
                <td>{t.asset}</td>
                <td>{t.side}</td>
                <td>{fmtCompact(t.quantity)}</td>
                <td>{fmtCompact(t.price)}</td>
                <td>{fmtCompact(t.fee)}</td>
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
          Page {p + 1} of {pages} · {trades.length.toLocaleString('en-US')} trades
        </span>
        <button type="button" disabled={p >= pages - 1} onClick={() => setPage(p + 1)}>
          Next
        </button>
      </div>
    </div>
  );
}
