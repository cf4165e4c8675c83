import { useMemo, useState } from 'react';
import { tradeAt, tradeCount, type SplitEvaluation, type Trade } from '../../../workers/protocol.ts';
import { fmtCompact } from '../charts/format.ts';
import { visibleRows } from './virtualRows.ts';

/** Row height (px) the virtual table lays out with; the rows are styled to exactly this. */
const ROW_H = 24;
const VIEW_H = 320;
const OVERSCAN = 6;

/**
 * Every trade in one scrolling table that keeps only the rows in view (and a few around them) in
 * the DOM: a run can make tens of thousands of trades, and a 100-row page was half of Results' DOM
 * (800 nodes) while 13 rows show. Only the rendered rows are turned into objects.
 */
export function TradeLog({ splits }: { splits: SplitEvaluation[] }) {
  const offsets = useMemo(() => {
    const out: number[] = [0];
    for (const s of splits) out.push(out[out.length - 1] + tradeCount(s.trades));
    return out;
  }, [splits]);
  const total = offsets[offsets.length - 1];
  const [scrollTop, setScrollTop] = useState(0);
  if (total === 0) return <p className="muted">The agent made no trades in this period.</p>;
  const { first, last } = visibleRows(scrollTop, VIEW_H, ROW_H, total, OVERSCAN);
  const rows: (Trade & { split: string; g: number })[] = [];
  let k = 0;
  for (let g = first; g < last; g++) {
    while (offsets[k + 1] <= g) k++;
    rows.push({ ...tradeAt(splits[k], g - offsets[k]), split: splits[k].split, g });
  }
  return (
    <div className="stack">
      <p className="muted" style={{ margin: 0 }}>
        {total.toLocaleString('en-US')} trades
      </p>
      <div
        className="table-scroll"
        style={{ height: Math.min(VIEW_H, (total + 1) * ROW_H + 2) }}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      >
        <table
          className="data trade-log"
          aria-label="Trade log"
          aria-rowcount={total + 1}
          style={{ width: '100%', tableLayout: 'fixed' }}
        >
          <thead>
            <tr style={{ height: ROW_H }}>
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
            {first > 0 && <tr aria-hidden="true" style={{ height: first * ROW_H }} />}
            {rows.map((t) => (
              <tr key={t.g} aria-rowindex={t.g + 2} style={{ height: ROW_H }}>
                <td>{t.date}</td>
                <td>{t.split}</td>
                <td>{t.asset}</td>
                <td>{t.side}</td>
                <td>{fmtCompact(t.quantity)}</td>
                <td>{fmtCompact(t.price)}</td>
                <td>{fmtCompact(t.fee)}</td>
              </tr>
            ))}
            {last < total && <tr aria-hidden="true" style={{ height: (total - last) * ROW_H }} />}
          </tbody>
        </table>
      </div>
    </div>
  );
}
