import { useMemo } from 'react';
import type { SplitName } from '../../../core/data/types.ts';
import type { HierRegimesExtra } from '../../../core/hier/extras.ts';
import { fmtNum, fmtPct } from '../../charts/format.ts';
import type { WorkflowSectionProps } from '../sections.tsx';
import { miMeaning, mutualInformation, rowNormalise, sumCounts } from './hierView.ts';
import { expertColor } from './palette.ts';

/** Cell shade: white at 0, the lab's blue at 1 (a row's whole choice). */
const shade = (p: number) => `rgba(0,114,178,${(0.08 + 0.72 * p).toFixed(3)})`;

/**
 * The router's choice by the market's true regime: a regime × expert table of choice frequencies
 * (each row sums to 100%, counts in the cells and their tooltips) pooled over the splits shown, and
 * the mutual information between regime and expert with what it means.
 */
export function HierRegimes({ evaluation, splits }: WorkflowSectionProps) {
  const x = evaluation.extras?.['hierarchical-regimes'] as HierRegimesExtra | undefined;
  const shown = useMemo(() => splits.map((s) => s.split), [splits]);
  const view = useMemo(() => {
    if (!x) return null;
    const present = shown.filter((s) => x.perSplit[s]);
    const counts = sumCounts(present.map((s) => x.perSplit[s]!.counts));
    return { present, counts, freq: rowNormalise(counts), info: mutualInformation(counts) };
  }, [x, shown]);
  if (!x) return <p className="muted">This run recorded no choice by regime.</p>;
  if (x.regimes.length === 0)
    return (
      <p className="muted">The data has no regimes, so the router’s choice cannot be split by regime.</p>
    );
  if (!view || view.present.length === 0)
    return (
      <p className="muted">
        No choice by regime recorded for {shown.length === 1 ? `the ${shown[0]} split` : 'the splits shown'}.
      </p>
    );
  const { present, counts, freq, info } = view;
  const pooled = present.length > 1;
  // One split: the runner's own number; several: recomputed from the pooled counts.
  const mi = pooled ? info.mi : x.perSplit[present[0]]!.mutualInformation;
  return (
    <div className="stack">
      <div className="table-scroll" style={{ maxHeight: 'none', alignSelf: 'flex-start' }}>
        <table className="data" aria-label="Router's choice by regime (share of each regime's decisions)">
          <caption style={{ fontSize: 12, textAlign: 'left', padding: 4 }}>
            Rows: true regime; columns: the expert chosen; each row sums to 100%
            {pooled ? ` (${present.join(' + ')} pooled)` : ` (${present[0]})`}
          </caption>
          <thead>
            <tr>
              <th scope="col">Regime</th>
              {x.experts.map((e, k) => (
                <th key={e} scope="col" style={{ borderBottom: `3px solid ${expertColor(k)}` }}>
                  {e}
                </th>
              ))}
              <th scope="col">Decisions</th>
            </tr>
          </thead>
          <tbody>
            {x.regimes.map((r, i) => {
              const row = counts[i] ?? [];
              const total = row.reduce((a, b) => a + b, 0);
              return (
                <tr key={r} data-regime={i}>
                  <th scope="row">{r}</th>
                  {x.experts.map((e, k) => {
                    const p = freq[i]?.[k] ?? 0;
                    const n = row[k] ?? 0;
                    return (
                      <td
                        key={e}
                        data-share={p}
                        title={`${r} → ${e}: ${n} of ${total} decisions`}
                        style={{
                          background: total ? shade(p) : undefined,
                          color: p > 0.6 ? '#fff' : undefined,
                        }}
                      >
                        {total ? `${(100 * p).toFixed(0)}%` : '–'}{' '}
                        <span style={{ opacity: 0.75 }}>({n})</span>
                      </td>
                    );
                  })}
                  <td>{total}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p data-testid="regime-mi">
        Mutual information between regime and chosen expert:{' '}
        {present.map((s, k) => (
          <span key={s}>
            {k > 0 ? '; ' : ''}
            {s} <strong>{fmtNum(x.perSplit[s]!.mutualInformation, 3)} nats</strong>
          </span>
        ))}
        {pooled ? `; pooled ${fmtNum(info.mi, 3)} nats` : ''}. {miMeaning(mi, info.hRow, info.hCol)}
      </p>
      {x.pooled ? <RegimeProof p={x.pooled} regimes={x.regimes} experts={x.experts} /> : null}
      <ExpertStyles x={x} present={present} />
    </div>
  );
}

/**
 * What each expert does per regime when it trades alone: its mean weight in the asset, and its
 * momentum (mean weight after an up day − after a down day: +1 follows the trend, −1 fades it). A
 * router can only tell regimes apart by its choice if the experts behave differently in them.
 */
function ExpertStyles({ x, present }: { x: HierRegimesExtra; present: SplitName[] }) {
  const withStyles = present.filter((s) => x.perSplit[s]?.styles);
  if (withStyles.length === 0) return null;
  const signed = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : '−'}${fmtNum(Math.abs(v), 2)}` : '–');
  return (
    <div className="table-scroll" style={{ maxHeight: 'none', alignSelf: 'flex-start' }}>
      <table className="data" aria-label="Each expert's behaviour per regime, trading alone">
        <caption style={{ fontSize: 12, textAlign: 'left', padding: 4 }}>
          Each expert trading alone, per regime: mean weight in the asset · momentum (weight after up days −
          after down days; +1 follows the trend, −1 fades it, 0 ignores yesterday)
        </caption>
        <thead>
          <tr>
            <th scope="col">Split / expert</th>
            {x.regimes.map((g) => (
              <th key={g} scope="col">
                {g}
              </th>
            ))}
          </tr>
        </thead>
        {withStyles.map((s) => (
          <tbody key={s}>
            {x.experts.map((e, k) => {
              const st = x.perSplit[s]!.styles![k];
              return (
                <tr key={e} data-split={s} data-expert={k}>
                  <th scope="row" style={{ borderLeft: `3px solid ${expertColor(k)}` }}>
                    {s} · {e}
                  </th>
                  {x.regimes.map((g, i) => (
                    <td key={g}>
                      {fmtPct(st?.exposure[i] ?? NaN, 0)} · {signed(st?.momentum[i] ?? NaN)}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        ))}
      </table>
    </div>
  );
}

/**
 * Is the choice by regime learned? The runner's evidence over all splits: hit rate on each regime's
 * best expert (run alone) against chance, MI's block-permutation p-value, the same seed's untrained
 * router beside it (an untrained router's argmax already switches with the features).
 */
function RegimeProof({
  p,
  regimes,
  experts,
}: {
  p: NonNullable<HierRegimesExtra['pooled']>;
  regimes: readonly string[];
  experts: readonly string[];
}) {
  const u = p.untrained;
  return (
    <p data-testid="regime-proof">
      All splits pooled, trained router against the same seed’s untrained one: best expert per regime (run
      alone) {regimes.map((g, i) => `${g} → ${experts[p.bestExpert[i]] ?? '–'}`).join(', ')}; chosen{' '}
      <strong>{fmtPct(p.hitRate, 0)}</strong> of the decisions (chance {fmtPct(p.chanceHitRate, 0)}),
      untrained {fmtPct(u.hitRate, 0)} (chance {fmtPct(u.chanceHitRate, 0)}). MI{' '}
      <strong>{fmtNum(p.mutualInformation, 3)} nats</strong> (block-permutation p = {fmtNum(p.pValue, 3)},
      null mean {fmtNum(p.nullMi, 3)}), untrained {fmtNum(u.mutualInformation, 3)} nats (p ={' '}
      {fmtNum(u.pValue, 3)}).
    </p>
  );
}
