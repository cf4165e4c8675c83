import type { ActionsExtra } from '../../../core/ensemble/extras.ts';
import type { WorkflowSectionProps } from '../sections.tsx';

/** The dataset's labels: the ensemble's HOLD/BUY/SELL counts and shares, overall and per split. */
export function ActionsTable({ evaluation }: WorkflowSectionProps) {
  const x = evaluation.extras?.['ensemble-actions'] as ActionsExtra | undefined;
  if (!x) return <p className="muted">No action distribution recorded.</p>;
  const rows: [string, number[]][] = [
    ['all', x.classes.map((c) => x.all.counts[c] ?? 0)],
    ...Object.entries(x.perSplit),
  ];
  return (
    <table className="data" aria-label="Action distribution">
      <thead>
        <tr>
          <th scope="col">Rows</th>
          {x.classes.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
          <th scope="col">Total</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([name, counts]) => {
          const total = counts.reduce((a, b) => a + b, 0);
          return (
            <tr key={name}>
              <th scope="row">{name}</th>
              {counts.map((n, c) => (
                <td key={c}>
                  {n} ({total ? ((100 * n) / total).toFixed(1) : '–'}%)
                  <div
                    aria-hidden="true"
                    style={{ height: 4, width: `${total ? (100 * n) / total : 0}%`, background: '#8aa' }}
                  />
                </td>
              ))}
              <td>{total}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
