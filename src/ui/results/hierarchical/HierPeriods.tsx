import type { HierPeriodsExtra } from '../../../core/hier/extras.ts';
import { fmtNum } from '../../charts/format.ts';
import { AGENT_COLOR, CHART_INK } from '../../charts/palette.ts';
import type { WorkflowSectionProps } from '../sections.tsx';

const W = 420;
const BAR_H = 22;
const LABEL_W = 110;

/** TimesNet's top-k periods (strongest first) as bars of their mean FFT amplitude, and the window. */
export function HierPeriods({ evaluation }: WorkflowSectionProps) {
  const x = evaluation.extras?.['hierarchical-periods'] as HierPeriodsExtra | undefined;
  if (!x) return <p className="muted">This run recorded no TimesNet periods.</p>;
  const k = Math.min(x.periods.length, x.amplitudes.length);
  if (k === 0) return <p className="muted">TimesNet detected no periods in its {x.window}-day window.</p>;
  const max = Math.max(...x.amplitudes.slice(0, k).filter(Number.isFinite), 1e-12);
  const h = k * BAR_H + 8;
  const repeats = new Set(x.periods.slice(0, k)).size < k;
  return (
    <div className="stack">
      <p>
        Input window T = <strong>{x.window}</strong> days; TimesNet folds it into 2-D by each of its {k}{' '}
        strongest periods (period = T // frequency, the DC term removed).
      </p>
      <svg
        viewBox={`0 0 ${W} ${h}`}
        width={W}
        height={h}
        role="img"
        aria-label={`Detected periods: ${x.periods
          .slice(0, k)
          .map((p, i) => `${p} days (amplitude ${fmtNum(x.amplitudes[i], 3)})`)
          .join(', ')}`}
      >
        {x.periods.slice(0, k).map((p, i) => {
          const a = x.amplitudes[i];
          const w = Number.isFinite(a) ? Math.max(1, (a / max) * (W - LABEL_W - 70)) : 0;
          const y = 4 + i * BAR_H;
          return (
            <g key={i}>
              <text
                x={LABEL_W - 6}
                y={y + BAR_H / 2}
                fontSize={12}
                textAnchor="end"
                dominantBaseline="middle"
              >
                {p} days
              </text>
              <rect
                x={LABEL_W}
                y={y + 3}
                width={w}
                height={BAR_H - 6}
                fill={AGENT_COLOR}
                opacity={1 - i * 0.12}
              />
              <text
                x={LABEL_W + w + 4}
                y={y + BAR_H / 2}
                fontSize={11}
                fill={CHART_INK.text}
                dominantBaseline="middle"
              >
                {fmtNum(a, 3)}
              </text>
            </g>
          );
        })}
      </svg>
      <p className="muted" style={{ fontSize: 12 }}>
        Bars: mean FFT amplitude of each period’s frequency over the batch and channels.
        {repeats ? ' A period listed twice: two neighbouring frequencies f give the same T // f.' : ''}
      </p>
    </div>
  );
}
