import type { HealthExtra } from '../../../core/scml/extras.ts';
import { fmtNum, fmtPct } from '../../charts/format.ts';
import type { WorkflowSectionProps } from '../sections.tsx';

function Bar({ value, max, color }: { value: number; max: number; color: string }) {
  const w = max > 0 ? Math.round((100 * value) / max) : 0;
  return (
    <span aria-hidden="true" style={{ display: 'inline-block', width: 80, height: 8, background: '#eef0f3' }}>
      <span style={{ display: 'block', width: `${w}%`, height: 8, background: color }} />
    </span>
  );
}

/** Shortfall and bankruptcy counts per agent type, over every world played. */
export function HealthTable({ evaluation }: WorkflowSectionProps) {
  const x = evaluation.extras?.['supplychain-health'] as HealthExtra;
  const maxShort = Math.max(0, ...x.rows.map((r) => r.meanShortfall));
  return (
    <div className="table-scroll" style={{ maxHeight: 'none' }}>
      <table className="data" aria-label="Shortfall and bankruptcy per agent type">
        <thead>
          <tr>
            <th scope="col">Agent type</th>
            <th scope="col">Factories</th>
            <th scope="col">Bankruptcies</th>
            <th scope="col">Bankrupt %</th>
            <th scope="col">With shortfall</th>
            <th scope="col">Shortfall units (total)</th>
            <th scope="col">Shortfall / factory</th>
          </tr>
        </thead>
        <tbody>
          {x.rows.map((r) => (
            <tr key={r.agentType}>
              <th scope="row">{r.agentType}</th>
              <td>{r.factories}</td>
              <td>{r.bankruptcies}</td>
              <td>
                <Bar value={r.bankruptRate} max={1} color="#D55E00" /> {fmtPct(r.bankruptRate)}
              </td>
              <td>{r.withShortfall}</td>
              <td>{r.shortfall.toLocaleString('en-US')}</td>
              <td>
                <Bar value={r.meanShortfall} max={maxShort} color="#E69F00" /> {fmtNum(r.meanShortfall, 1)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
