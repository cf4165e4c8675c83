import { useId, useMemo, useState } from 'react';
import type { GoalsExtra } from '../../../core/scml/extras.ts';
import { fmtNum } from '../../charts/format.ts';
import { TimeSeriesChart, type LineSeries } from '../../charts/TimeSeriesChart.tsx';
import type { WorkflowSectionProps } from '../sections.tsx';
import { agentLabel, daysAxis, goalComponent } from './view.ts';
import { WorldPicker } from './WorldPicker.tsx';

const fmt2 = (v: number) => fmtNum(v, 2);

/** LitaAgent-HRL's daily goal (L2) against what its signed contracts executed that day. */
export function GoalsChart({ evaluation }: WorkflowSectionProps) {
  const x = evaluation.extras?.['supplychain-goals'] as GoalsExtra;
  const [i, setI] = useState(0);
  const [h, setH] = useState(0);
  const id = useId();
  const w = x.played ? x.worlds[Math.min(i, x.worlds.length - 1)] : undefined;
  const hh = w ? Math.min(h, Math.max(0, w.hrl.length - 1)) : 0;
  const charts = useMemo(() => {
    if (!w || w.hrl.length === 0) return null;
    const T = w.nSteps;
    const pair = (j: number, color: string, what: string): LineSeries[] => [
      { key: `g${j}`, label: `goal: ${what}`, values: goalComponent(w.goal, hh, T, j), color, dashed: true },
      { key: `e${j}`, label: `executed: ${what}`, values: goalComponent(w.executed, hh, T, j), color },
    ];
    return {
      x: daysAxis(T),
      quantity: [...pair(0, '#0072B2', 'bought'), ...pair(2, '#D55E00', 'sold')],
      price: [...pair(1, '#0072B2', 'buy price'), ...pair(3, '#D55E00', 'sell price')],
    };
  }, [w, hh]);
  if (!x.played) return <p data-testid="supplychain-goals-none">{x.message}</p>;
  return (
    <div className="stack">
      <div className="table-scroll" style={{ maxHeight: 'none' }}>
        <table className="data" aria-label="HRL goals vs executed, mean per factory-day">
          <thead>
            <tr>
              <th scope="col">HRL variant</th>
              <th scope="col">Factory-days</th>
              <th scope="col">Goal: buy (lines)</th>
              <th scope="col">Executed: buy</th>
              <th scope="col">Goal: sell (lines)</th>
              <th scope="col">Executed: sell</th>
            </tr>
          </thead>
          <tbody>
            {x.summary.map((s) => (
              <tr key={s.agentType}>
                <th scope="row">{s.agentType}</th>
                <td>{s.days}</td>
                <td>{fmtNum(s.goalBuy, 3)}</td>
                <td>{fmtNum(s.doneBuy, 3)}</td>
                <td>{fmtNum(s.goalSell, 3)}</td>
                <td>{fmtNum(s.doneSell, 3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {w && (
        <div className="row">
          <WorldPicker worlds={x.worlds} value={i} onChange={setI} />
          <label htmlFor={id}>
            HRL factory{' '}
            <select
              id={id}
              value={hh}
              onChange={(e) => setH(Number(e.target.value))}
              aria-label="HRL factory"
            >
              {w.hrl.map((a, k) => (
                <option key={a} value={k}>
                  {agentLabel(w, a)}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
      {charts ? (
        <>
          <p className="muted">
            Dashed: the goal L2 set that morning; solid: recovered from the contracts signed that day
            (quantities in production lines, prices as positions in the day’s range, 0 = bottom).
          </p>
          <TimeSeriesChart
            title="Daily goal vs executed: quantities to buy and sell (× lines)"
            x={charts.x}
            series={charts.quantity}
            yFormat={fmt2}
            xLabel="day"
            yLabel="lines"
            height={240}
          />
          <TimeSeriesChart
            title="Daily goal vs executed: price positions in the day’s range"
            x={charts.x}
            series={charts.price}
            yFormat={fmt2}
            xLabel="day"
            yLabel="position"
            gaps="break"
            yDomain={[0, 1]}
            height={200}
          />
        </>
      ) : (
        <p className="muted">No HRL factory in this world.</p>
      )}
    </div>
  );
}
