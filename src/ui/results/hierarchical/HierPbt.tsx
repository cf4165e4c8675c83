import { useEffect, useMemo, useRef, useState, type PointerEvent } from 'react';
import type { HierPbtExtra } from '../../../core/hier/extras.ts';
import { fmtCompact, fmtNum } from '../../charts/format.ts';
import { CHART_INK, colorAt } from '../../charts/palette.ts';
import { TimeSeriesChart, type LineSeries } from '../../charts/TimeSeriesChart.tsx';
import type { WorkflowSectionProps } from '../sections.tsx';
import { buildLineage, memberSeries, type Lineage, type LineageCell } from './hierView.ts';
import { withAlpha } from './palette.ts';

const LEFT = 92;
const BOTTOM = 18;
const PAGE = 20;
const fmtScore = (v: number) => fmtNum(v, 3);
/** A hyperparameter's dotted path without the workflow's own prefix (the full path in tooltips). */
const hpName = (path: string) => path.replace(/^hierarchical\./, '');
const memberLabel = (m: { id: number; subPopulation: number }) =>
  m.subPopulation >= 0 ? `m${m.id} · sub ${m.subPopulation}` : `m${m.id}`;

/** Cell sizes that keep the grid about 900 × 280 CSS pixels, within readable bounds. */
function cellSize(rounds: number, members: number) {
  return {
    cw: Math.max(4, Math.min(28, Math.floor(900 / Math.max(1, rounds)))),
    ch: Math.max(8, Math.min(22, Math.floor(280 / Math.max(1, members)))),
  };
}

/**
 * Who copied whom: a member × round grid (darker = better rank in that round), an arrow from the
 * parent's cell in the previous round to each member that took its weights, a dot where only the
 * hyperparameters were taken.
 */
function LineageGrid({ l, hyperparameters }: { l: Lineage; hyperparameters: readonly string[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<LineageCell | null>(null);
  const R = l.rounds.length;
  const M = l.members.length;
  const { cw, ch } = cellSize(R, M);
  // Wide enough for the round labels under a grid of one or two rounds.
  const width = Math.max(LEFT + R * cw + 8, LEFT + 150);
  const height = M * ch + BOTTOM;

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const dpr = window.devicePixelRatio || 1;
    el.width = Math.round(width * dpr);
    el.height = Math.round(height * dpr);
    const ctx = el.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    ctx.fillStyle = CHART_INK.text;
    l.members.forEach((m, r) => ctx.fillText(memberLabel(m), LEFT - 6, r * ch + ch / 2));
    for (let r = 0; r < M; r++) {
      for (let c = 0; c < R; c++) {
        const cell = l.cells[r][c];
        if (!cell) continue;
        const rank = Number.isFinite(cell.rank) ? cell.rank : 0.5;
        ctx.fillStyle = withAlpha('#0072B2', 0.12 + 0.78 * (1 - rank));
        ctx.fillRect(LEFT + c * cw + 0.5, r * ch + 0.5, cw - 1, ch - 1);
      }
    }
    ctx.strokeStyle = '#222';
    ctx.fillStyle = '#222';
    ctx.lineWidth = 1;
    for (let r = 0; r < M; r++) {
      for (let c = 0; c < R; c++) {
        const cell = l.cells[r][c];
        if (!cell) continue;
        const cx = LEFT + c * cw;
        const cy = r * ch + ch / 2;
        if (cell.copiedFrom !== null) {
          const pr = l.rowOf.get(cell.copiedFrom);
          if (pr === undefined) continue;
          // From the parent's cell in the previous round (or the left edge in the first round).
          const x0 = c > 0 ? LEFT + (c - 1) * cw + cw / 2 : LEFT;
          const y0 = pr * ch + ch / 2;
          ctx.beginPath();
          ctx.moveTo(x0, y0);
          ctx.lineTo(cx + 1, cy);
          ctx.stroke();
          const a = Math.atan2(cy - y0, cx + 1 - x0);
          ctx.beginPath();
          ctx.moveTo(cx + 1, cy);
          ctx.lineTo(cx + 1 - 5 * Math.cos(a - 0.45), cy - 5 * Math.sin(a - 0.45));
          ctx.lineTo(cx + 1 - 5 * Math.cos(a + 0.45), cy - 5 * Math.sin(a + 0.45));
          ctx.fill();
        } else if (cell.hpsFrom !== null) {
          ctx.beginPath();
          ctx.arc(cx + cw / 2, cy, Math.min(2.5, cw / 3), 0, 2 * Math.PI);
          ctx.fill();
        }
      }
    }
    ctx.textAlign = 'left';
    ctx.fillStyle = CHART_INK.text;
    ctx.fillText(`round ${l.rounds[0]}`, LEFT, M * ch + BOTTOM / 2 + 2);
    ctx.textAlign = 'right';
    if (R > 1) ctx.fillText(`round ${l.rounds[R - 1]}`, LEFT + R * cw, M * ch + BOTTOM / 2 + 2);
  }, [l, R, M, cw, ch, width, height]);

  const onMove = (e: PointerEvent<HTMLCanvasElement>) => {
    const c = Math.floor((e.nativeEvent.offsetX - LEFT) / cw);
    const r = Math.floor(e.nativeEvent.offsetY / ch);
    setHover(c >= 0 && c < R && r >= 0 && r < M ? l.cells[r][c] : null);
  };
  return (
    <figure className="chart" style={{ margin: 0 }}>
      <div style={{ overflowX: 'auto' }}>
        <canvas
          ref={canvas}
          role="img"
          aria-label={`Lineage of ${M} members over ${R} rounds: ${l.copies.length} copies of weights (arrows from the parent's previous round); darker cells ranked higher in their round`}
          style={{ width, height, cursor: 'crosshair' }}
          onPointerMove={onMove}
          onPointerLeave={() => setHover(null)}
        />
      </div>
      <figcaption className="muted" style={{ fontSize: 12 }} data-testid="lineage-hover">
        {hover
          ? `m${hover.member}, round ${hover.round}: score ${fmtScore(hover.score)}` +
            (hover.copiedFrom !== null ? `, took the weights of m${hover.copiedFrom}` : '') +
            (hover.hpsFrom !== null ? `, hyperparameters from m${hover.hpsFrom}` : '') +
            (hover.hps.length
              ? ` → ${hyperparameters.map((h, i) => `${hpName(h)} ${fmtCompact(hover.hps[i])}`).join(', ')}`
              : '')
          : 'Arrow = copied the weights of the member it comes from (previous round); dot = took only its hyperparameters; darker = higher rank in the round.'}
      </figcaption>
    </figure>
  );
}

/** The copies, newest first, one page at a time. */
function CopyTable({ l }: { l: Lineage }) {
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(l.copies.length / PAGE));
  const p = Math.min(page, pages - 1);
  if (l.copies.length === 0) return <p className="muted">No member copied another’s weights.</p>;
  const rows = l.copies
    .slice()
    .reverse()
    .slice(p * PAGE, (p + 1) * PAGE);
  return (
    <div className="stack">
      <div className="table-scroll" style={{ alignSelf: 'flex-start' }}>
        <table className="data" aria-label="Copies of weights between members">
          <thead>
            <tr>
              <th scope="col">Round</th>
              <th scope="col">Member</th>
              <th scope="col">Took weights of</th>
              <th scope="col">Hyperparameters of</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr key={`${c.round}-${c.member}`}>
                <td>{c.round}</td>
                <td>m{c.member}</td>
                <td>m{c.from}</td>
                <td>{c.hpsFrom === null ? 'its own' : `m${c.hpsFrom}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pages > 1 && (
        <div className="row">
          <button type="button" disabled={p === 0} onClick={() => setPage(p - 1)}>
            Newer
          </button>
          <span>
            Page {p + 1} of {pages} ({l.copies.length} copies)
          </span>
          <button type="button" disabled={p >= pages - 1} onClick={() => setPage(p + 1)}>
            Older
          </button>
        </div>
      )}
    </div>
  );
}

/**
 * The MF-PBT population: its members (sub-population, update frequency), each member's score per
 * round, who copied whom, and each hyperparameter over the rounds. A single run has none: one line.
 */
export function HierPbt({ evaluation }: WorkflowSectionProps) {
  const x = evaluation.extras?.['hierarchical-pbt'] as HierPbtExtra | null | undefined;
  const view = useMemo(() => {
    if (!x || x.rounds.length === 0) return null;
    const l = buildLineage(x);
    // Lines coloured by sub-population: members that evolve at one frequency share a colour.
    const lines = (values: Float64Array[]): LineSeries[] =>
      l.members.map((m, r) => ({
        key: `m${m.id}`,
        label: memberLabel(m),
        values: values[r],
        color: colorAt(Math.max(0, m.subPopulation)),
        width: 1.5,
      }));
    return {
      l,
      // Rounds as row labels: a numeric axis would tick at 2.5, 7.5, … rounds.
      roundLabels: l.rounds.map(String),
      score: lines(memberSeries(l, (c) => c.score)),
      hps: x.hyperparameters.map((_, h) => lines(memberSeries(l, (c) => c.hps[h] ?? NaN))),
    };
  }, [x]);
  if (!x) return <p className="muted">This run was a single hierarchy, not a population: no PBT to show.</p>;
  if (!view) return <p className="muted">The population has no finished rounds yet.</p>;
  const { l } = view;
  const last = l.rounds.length - 1;
  return (
    <div className="stack">
      <p className="muted" data-testid="pbt-workers">
        {x.members.length} members{' '}
        {x.workers
          ? `on ${x.workers} member worker${x.workers === 1 ? '' : 's'} (member m in worker m mod ${x.workers}); the best restored from its snapshot for evaluation.`
          : 'trained in the run’s own thread.'}
      </p>
      <div className="table-scroll" style={{ alignSelf: 'flex-start' }}>
        <table className="data" aria-label="Population members">
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Sub-population</th>
              <th scope="col" title="Exploit/explore every this many × t_ready">
                Frequency
              </th>
              <th scope="col">Last score</th>
              <th scope="col">Times it copied</th>
              {x.hyperparameters.map((h) => (
                <th key={h} scope="col" title={h}>
                  {hpName(h)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {l.members.map((m, r) => {
              const cells = l.cells[r];
              let lastCell: LineageCell | null = null;
              for (let c = last; c >= 0 && !lastCell; c--) lastCell = cells[c];
              return (
                <tr key={m.id} data-member={m.id}>
                  <td>
                    <i
                      aria-hidden="true"
                      style={{
                        display: 'inline-block',
                        width: 10,
                        height: 10,
                        marginRight: 6,
                        background: colorAt(Math.max(0, m.subPopulation)),
                      }}
                    />
                    m{m.id}
                  </td>
                  <td>{m.subPopulation >= 0 ? m.subPopulation : '–'}</td>
                  <td>{Number.isFinite(m.frequency) ? `×${m.frequency}` : '–'}</td>
                  <td>{lastCell ? fmtScore(lastCell.score) : '–'}</td>
                  <td>{cells.filter((c) => c?.copiedFrom != null).length}</td>
                  {x.hyperparameters.map((h, i) => (
                    <td key={h}>{lastCell ? fmtCompact(lastCell.hps[i] ?? NaN) : '–'}</td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {l.rounds.length >= 2 && (
        <TimeSeriesChart
          title="Score of each member per round (colour = sub-population)"
          x={view.roundLabels}
          series={view.score}
          yFormat={fmtScore}
          xLabel="round"
          yLabel="score"
          height={240}
        />
      )}
      <LineageGrid l={l} hyperparameters={x.hyperparameters} />
      <CopyTable l={l} />
      {l.rounds.length < 2 ? (
        <p className="muted">
          One round so far: the scores and hyperparameters over rounds need two (the table has this round’s).
        </p>
      ) : (
        x.hyperparameters.length > 0 && (
          <div className="chart-grid">
            {x.hyperparameters.map((h, i) => (
              <TimeSeriesChart
                key={h}
                title={`${hpName(h)} of each member per round`}
                x={view.roundLabels}
                series={view.hps[i]}
                yFormat={fmtCompact}
                xLabel="round"
                yLabel={hpName(h)}
                height={200}
              />
            ))}
          </div>
        )
      )}
    </div>
  );
}
