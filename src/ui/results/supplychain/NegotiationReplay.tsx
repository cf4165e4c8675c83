import { useId, useMemo, useState } from 'react';
import type { NegotiationExtra } from '../../../core/scml/extras.ts';
import type { WorkflowSectionProps } from '../sections.tsx';
import { agentLabel, daySegments, negotiationDays, offersOf, segmentLabel } from './view.ts';
import { NoReplay, WorldPicker } from './WorldPicker.tsx';

/**
 * One negotiation thread of a replay world, offer by offer: pick the day, optionally a factory, then
 * the thread (its seller and buyer); the offers come from the segment index the runner built, so a
 * pick reads a few dozen rows, never the world's whole log.
 */
export function NegotiationReplay({ evaluation }: WorkflowSectionProps) {
  const x = evaluation.extras?.['supplychain-negotiation'] as NegotiationExtra;
  const [i, setI] = useState(0);
  const w = x.worlds[Math.min(i, x.worlds.length - 1)];
  const range = w ? negotiationDays(w) : null;
  const [dayWanted, setDay] = useState<number | null>(null);
  const day = range ? Math.min(range.last, Math.max(range.first, dayWanted ?? range.first)) : 0;
  const [party, setParty] = useState(-1);
  const [segWanted, setSeg] = useState(-1);
  const ids = { day: useId(), party: useId(), thread: useId() };
  const segments = useMemo(() => {
    if (!w) return [];
    const { first, last } = daySegments(w, day);
    const out: number[] = [];
    for (let s = first; s < last; s++)
      if (party < 0 || w.segSeller[s] === party || w.segBuyer[s] === party) out.push(s);
    return out;
  }, [w, day, party]);
  if (!w || !range) return <NoReplay />;
  const seg = segments.includes(segWanted) ? segWanted : (segments[0] ?? -1);
  const offers = seg >= 0 ? offersOf(w, seg) : [];
  return (
    <div className="stack">
      <WorldPicker worlds={x.worlds} value={i} onChange={setI} />
      <div className="row">
        <label htmlFor={ids.day}>
          Day{' '}
          <input
            id={ids.day}
            type="number"
            min={range.first}
            max={range.last}
            value={day}
            onChange={(e) => setDay(Number(e.target.value))}
            aria-label="Negotiation day"
            style={{ width: '5em' }}
          />
        </label>
        <button
          type="button"
          onClick={() => setDay(Math.max(range.first, day - 1))}
          disabled={day <= range.first}
        >
          Previous day
        </button>
        <button
          type="button"
          onClick={() => setDay(Math.min(range.last, day + 1))}
          disabled={day >= range.last}
        >
          Next day
        </button>
        <label htmlFor={ids.party}>
          Factory{' '}
          <select
            id={ids.party}
            value={party}
            onChange={(e) => setParty(Number(e.target.value))}
            aria-label="Factory"
          >
            <option value={-1}>any</option>
            {w.agents.map((_, a) => (
              <option key={a} value={a}>
                {agentLabel(w, a)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label htmlFor={ids.thread}>
        Thread{' '}
        <select
          id={ids.thread}
          value={seg}
          onChange={(e) => setSeg(Number(e.target.value))}
          aria-label="Negotiation thread"
          style={{ maxWidth: '100%' }}
        >
          {segments.map((s) => (
            <option key={s} value={s}>
              {segmentLabel(w, s)}
            </option>
          ))}
        </select>
      </label>
      {seg < 0 ? (
        <p className="muted">No thread of this factory ran on day {day}.</p>
      ) : (
        <div className="table-scroll">
          <table className="data" aria-label="Offers of the thread, round by round">
            <thead>
              <tr>
                <th scope="col">Round</th>
                <th scope="col">Proposer</th>
                <th scope="col">Responder</th>
                <th scope="col">Quantity</th>
                <th scope="col">Delivery day</th>
                <th scope="col">Unit price</th>
                <th scope="col">Response</th>
              </tr>
            </thead>
            <tbody>
              {offers.map((o, k) => (
                <tr key={k} data-response={o.response}>
                  <td>{o.round}</td>
                  <td>
                    {o.proposer} <span className="muted">({o.sellerOffers ? 'seller' : 'buyer'})</span>
                  </td>
                  <td>{o.responder}</td>
                  <td>{o.quantity}</td>
                  <td>{o.delivery}</td>
                  <td>{o.price}</td>
                  <td>{o.response}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted">
        Each row is an offer and the answer it got: reject carries a counter-offer (the next row), accept
        signs the contract, end or timeout closes the thread. A thread whose opening offer was refused by
        ending shows one row.
      </p>
    </div>
  );
}
