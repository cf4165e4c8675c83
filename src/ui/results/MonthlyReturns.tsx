import type { SplitEvaluation } from '../../../workers/protocol.ts';
import { fmtPct } from '../charts/format.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Green for gains, red for losses; saturation ∝ |return| up to ±10%. */
export function returnColor(r: number): string {
  if (!Number.isFinite(r)) return 'transparent';
  const a = Math.min(1, Math.abs(r) / 0.1);
  return r >= 0 ? `rgba(27, 110, 58, ${0.12 + 0.6 * a})` : `rgba(179, 38, 30, ${0.12 + 0.6 * a})`;
}

export function MonthlyReturns({ split }: { split: SplitEvaluation }) {
  const { years, months, yearly } = split.monthly;
  if (years.length === 0) return null;
  return (
    <div className="table-scroll" style={{ marginBottom: 8 }}>
      <table className="data monthly" aria-label={`Monthly returns, ${split.split} split`}>
        <caption className="muted" style={{ textAlign: 'left' }}>
          {split.split}
        </caption>
        <thead>
          <tr>
            <th scope="col">Year</th>
            {MONTHS.map((m) => (
              <th key={m} scope="col">
                {m}
              </th>
            ))}
            <th scope="col">Year</th>
          </tr>
        </thead>
        <tbody>
          {years.map((y, i) => (
            <tr key={y}>
              <th scope="row">{y}</th>
              {months[i].map((r, m) => (
                <td
                  key={m}
                  style={{ background: returnColor(r) }}
                  title={Number.isFinite(r) ? `${MONTHS[m]} ${y}: ${fmtPct(r, 2)}` : undefined}
                >
                  {Number.isFinite(r) ? fmtPct(r, 1) : ''}
                </td>
              ))}
              <td style={{ background: returnColor(yearly[i]), fontWeight: 600 }}>{fmtPct(yearly[i], 1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
