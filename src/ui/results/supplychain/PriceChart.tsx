import { useId, useMemo, useState } from 'react';
import type { PricesExtra } from '../../../core/scml/extras.ts';
import { fmtCompact } from '../../charts/format.ts';
import { AGENT_COLOR } from '../../charts/palette.ts';
import { TimeSeriesChart } from '../../charts/TimeSeriesChart.tsx';
import type { WorkflowSectionProps } from '../sections.tsx';
import { daysAxis } from './view.ts';
import { NoReplay, WorldPicker } from './WorldPicker.tsx';

/** Agreed unit prices (mean of the day's signed contracts) against the trading price, per product. */
export function PriceChart({ evaluation }: WorkflowSectionProps) {
  const x = evaluation.extras?.['supplychain-prices'] as PricesExtra;
  const [i, setI] = useState(0);
  const w = x.worlds[Math.min(i, x.worlds.length - 1)];
  const nP = w ? w.nProcesses + 1 : 0;
  // Products 1..L−1 are negotiated; 0 and L only trade exogenously (trading price alone).
  const [product, setProduct] = useState(1);
  const k = Math.min(Math.max(0, product), Math.max(0, nP - 1));
  const id = useId();
  const chart = useMemo(() => {
    if (!w) return null;
    const T = w.nSteps;
    let contracts = 0;
    for (let d = 0; d < T; d++) contracts += w.contractQty[k * T + d];
    return {
      x: daysAxis(T),
      contracts,
      series: [
        {
          key: 'tp',
          label: `trading price of product ${k}`,
          values: w.tradingPrice.subarray(k * T, (k + 1) * T),
          color: '#E69F00',
        },
        {
          key: 'agreed',
          label: 'agreed unit price (mean of the day’s contracts)',
          values: w.contractPrice.subarray(k * T, (k + 1) * T),
          color: AGENT_COLOR,
        },
      ],
    };
  }, [w, k]);
  if (!w || !chart) return <NoReplay />;
  return (
    <div className="stack">
      <div className="row">
        <WorldPicker worlds={x.worlds} value={i} onChange={setI} />
        <label htmlFor={id}>
          Product{' '}
          <select id={id} value={k} onChange={(e) => setProduct(Number(e.target.value))} aria-label="Product">
            {Array.from({ length: nP }, (_, p) => (
              <option key={p} value={p}>
                {p} {p === 0 ? '(raw, exogenous)' : p === nP - 1 ? '(final, exogenous)' : '(negotiated)'}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted">
        Catalogue price {w.catalogPrices[k]}; {chart.contracts.toLocaleString('en-US')} units contracted
        between factories. Offers must lie in [⌊0.9·TP⌋, ⌊1.1·TP⌋] of the day before.
      </p>
      <TimeSeriesChart
        title={`Agreed unit price vs trading price of product ${k}, per day`}
        x={chart.x}
        series={chart.series}
        yFormat={fmtCompact}
        xLabel="day"
        yLabel="unit price"
        gaps="break"
        height={260}
      />
    </div>
  );
}
