import type { ScoresExtra } from '../../../core/scml/extras.ts';
import { fmtNum, fmtPct } from '../../charts/format.ts';
import { AGENT_COLOR } from '../../charts/palette.ts';
import type { WorkflowSectionProps } from '../sections.tsx';
import { spreadAxis, spreadPositions } from './view.ts';

const W = 160;
const H = 18;

/** Min–max whisker, Q1–Q3 box and the median on the table's common axis. */
function Spread({ pos }: { pos: ReturnType<typeof spreadPositions> }) {
  const x = (v: number) => 2 + v * (W - 4);
  return (
    <svg width={W} height={H} role="img" aria-label="score spread: min, quartiles, median, max">
      <line x1={x(pos.min)} x2={x(pos.max)} y1={H / 2} y2={H / 2} stroke="#9aa3ad" />
      <rect
        x={x(pos.q1)}
        y={3}
        width={Math.max(1, x(pos.q3) - x(pos.q1))}
        height={H - 6}
        fill="#d6e6f2"
        stroke={AGENT_COLOR}
      />
      <line x1={x(pos.median)} x2={x(pos.median)} y1={2} y2={H - 2} stroke={AGENT_COLOR} strokeWidth={2} />
    </svg>
  );
}

/** The tournament table: score per agent type with its spread, bankruptcies and shortfall. */
export function ScoresTable({ evaluation }: WorkflowSectionProps) {
  const x = evaluation.extras?.['supplychain-scores'] as ScoresExtra;
  const [lo, hi] = spreadAxis(x.stats);
  const t = x.training;
  return (
    <div className="stack">
      <p className="muted" data-testid="supplychain-summary">
        {x.mode === 'train-hrl' ? 'Held-out tournament' : 'Tournament'} of {x.worldsDone} of {x.worldsTotal}{' '}
        worlds ({x.configs} configurations × {x.agents.length} rotations, seed {x.seed}):{' '}
        {x.agentDays.toLocaleString('en-US')} factory-days in {fmtNum(x.seconds, 1)} s. Score = final ÷
        initial balance; ranked by mean (the package ranks by the truncated mean: scores above Q3 + 2·IQR
        dropped).
      </p>
      <div className="table-scroll" style={{ maxHeight: 'none' }}>
        <table className="data" aria-label="Tournament scores per agent type">
          <thead>
            <tr>
              <th scope="col">Agent type</th>
              <th scope="col">n</th>
              <th scope="col">Mean</th>
              <th scope="col">Median</th>
              <th scope="col">Truncated mean</th>
              <th scope="col">Std</th>
              <th scope="col">
                Spread ({fmtNum(lo, 2)} … {fmtNum(hi, 2)})
              </th>
              <th scope="col">Bankrupt</th>
              <th scope="col">Shortfall / factory</th>
            </tr>
          </thead>
          <tbody>
            {x.stats.map((s) => (
              <tr key={s.agentType} data-agent-type={s.agentType}>
                <th scope="row" title={x.labels[s.agentType]}>
                  {s.agentType}
                </th>
                <td>{s.n}</td>
                <td data-metric="mean">{fmtNum(s.mean, 3)}</td>
                <td>{fmtNum(s.median, 3)}</td>
                <td>{fmtNum(s.truncatedMean, 3)}</td>
                <td>{fmtNum(s.std, 3)}</td>
                <td
                  title={`min ${fmtNum(s.min, 3)}, Q1 ${fmtNum(s.q1, 3)}, Q3 ${fmtNum(s.q3, 3)}, max ${fmtNum(s.max, 3)}`}
                >
                  <Spread pos={spreadPositions(s, lo, hi)} />
                </td>
                <td>{fmtPct(s.bankruptRate)}</td>
                <td>{fmtNum(s.meanShortfall, 1)} units</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {Object.keys(x.labels).length > 0 && (
        <ul className="muted">
          {Object.entries(x.labels).map(([k, v]) => (
            <li key={k}>
              <code>{k}</code>: {v}
            </li>
          ))}
        </ul>
      )}
      {t && (
        <p className="muted" data-testid="supplychain-training">
          Training ({fmtNum(t.seconds, 1)} s): {t.samples.toLocaleString('en-US')} Penguin days from{' '}
          {t.dataWorlds} logged worlds; BC held-out loss {fmtNum(t.bcValLoss, 4)} vs{' '}
          {fmtNum(t.bcValLossMean, 4)} for the mean goal; PPO {t.ppoSteps.toLocaleString('en-US')} days over{' '}
          {t.ppoEpisodes} worlds, recent shaped return {fmtNum(t.ppoRecentReturn, 3)}.
          {t.micro && (
            <>
              {' '}
              L3{t.micro.useL4 ? ' + L4' : ''}: {t.micro.samples.toLocaleString('en-US')} supervised residuals
              (held-out loss {fmtNum(t.micro.l3ValLoss, 4)} vs {fmtNum(t.micro.l3ValLossZero, 4)} for L1’s own
              offer), then {t.micro.iterations} MAPPO iterations; in the training worlds the agent scored{' '}
              {fmtNum(t.micro.pairedGain, 4)} above Penguin on the same seat (last quarter of the iterations).
            </>
          )}
        </p>
      )}
    </div>
  );
}
