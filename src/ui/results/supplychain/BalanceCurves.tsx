import { useMemo, useState } from 'react';
import type { BalanceExtra } from '../../../core/scml/extras.ts';
import { fmtCompact, fmtNum } from '../../charts/format.ts';
import { TimeSeriesChart, type LineSeries } from '../../charts/TimeSeriesChart.tsx';
import type { WorkflowSectionProps } from '../sections.tsx';
import { agentLabel, daysAxis, rowOf, scoreCurve, typeColors } from './view.ts';
import { NoReplay, WorldPicker } from './WorldPicker.tsx';

const fmtScore = (v: number) => fmtNum(v, 2);

/** Balance (÷ initial: the running score) and inventory per factory over the days of a replay world. */
export function BalanceCurves({ evaluation }: WorkflowSectionProps) {
  const x = evaluation.extras?.['supplychain-balance'] as BalanceExtra;
  const [i, setI] = useState(0);
  const w = x.worlds[Math.min(i, x.worlds.length - 1)];
  const charts = useMemo(() => {
    if (!w) return null;
    const T = w.nSteps;
    const colors = typeColors(w.agents.map((a) => a.type));
    const score: LineSeries[] = [];
    const inventory: LineSeries[] = [];
    w.agents.forEach((g, a) => {
      const base = { key: g.name, label: agentLabel(w, a), color: colors[g.type], dashed: g.level % 2 === 1 };
      score.push({ ...base, values: scoreCurve(w.balance, a, T, w.initialBalance[a]) });
      inventory.push({ ...base, values: rowOf(w.inventory, a, T) });
    });
    const bankrupt = w.agents
      .map((g, a) => ({ g, d: w.bankruptDay[a] }))
      .filter((b) => b.d >= 0)
      .map((b) => ({ x: b.d, label: `${b.g.name} bankrupt` }));
    return { x: daysAxis(T), score, inventory, bankrupt };
  }, [w]);
  if (!w || !charts) return <NoReplay />;
  return (
    <div className="stack">
      <WorldPicker worlds={x.worlds} value={i} onChange={setI} />
      <p className="muted">
        Colour = agent type; dashed = odd levels. Bankruptcies are marked where they happened.
      </p>
      <TimeSeriesChart
        title="Balance of each factory ÷ its initial balance, per day"
        x={charts.x}
        series={charts.score}
        markers={charts.bankrupt}
        yFormat={fmtScore}
        xLabel="day"
        yLabel="balance ÷ initial"
        baseline={1}
        height={300}
      />
      <TimeSeriesChart
        title="Inventory (input units in stock) of each factory, per day"
        x={charts.x}
        series={charts.inventory}
        yFormat={fmtCompact}
        xLabel="day"
        yLabel="units"
        height={240}
      />
    </div>
  );
}
