import type { ChecklistExtra, ChecklistItemView } from '../../../core/ensemble/extras.ts';
import type { WorkflowSectionProps } from '../sections.tsx';

const LABELS: Record<string, string> = {
  model_validated: 'Model validated (val accuracy)',
  no_overfitting: 'No overfitting (val − train loss)',
  inference_speed: 'Inference (BC, ms per prediction)',
  model_versioned: 'Model versioned (reloads to its metrics)',
  backtested: 'RL analyst improves validation Sharpe (Δ)',
  ppo_inference_speed: 'Inference (PPO, ms per prediction)',
};

const show = (v: ChecklistItemView['value'] | ChecklistItemView['threshold']) =>
  typeof v === 'number'
    ? Math.abs(v) >= 100 || v === 0
      ? String(v)
      : v.toPrecision(3)
    : v === null
      ? '–'
      : String(v);

/** The seed's production checklist, computed: value, threshold, pass; then the RL analyst and PPO. */
export function Checklist({ evaluation }: WorkflowSectionProps) {
  const x = evaluation.extras?.['ensemble-checklist'] as ChecklistExtra | undefined;
  if (!x) return <p className="muted">No checklist recorded.</p>;
  const p = x.ppo;
  const initial = p.initial ? Object.entries(p.initial) : [];
  return (
    <div>
      <table className="data" aria-label="Production checklist">
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Value</th>
            <th scope="col">Threshold</th>
            <th scope="col">Pass</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(x.items).map(([k, i]) => (
            <tr key={k} title={i.note}>
              <th scope="row">{LABELS[k] ?? k}</th>
              <td>{show(i.value)}</td>
              <td>{show(i.threshold)}</td>
              <td style={{ color: i.pass === true ? '#2e7d32' : i.pass === false ? '#c62828' : undefined }}>
                {i.pass === 'pending' ? 'pending' : i.pass ? 'pass' : 'FAIL'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p style={{ fontSize: 13 }}>
        Overall: {x.pass ? 'every decided item passes' : 'some items fail'}
        {x.pending.length ? ` (pending: ${x.pending.join(', ')})` : ''}. RL analyst:{' '}
        {x.rl.status === 'used'
          ? `used${(x.rl.seeds ?? 1) > 1 ? ` (seed ensemble of ${x.rl.seeds} BC policies)` : ''}; agrees with the ensemble on ${((x.rl.agreement_with_ensemble ?? NaN) * 100).toFixed(1)}% of days, changes ${x.rl.decisions_changed} decisions`
          : `not used (${x.rl.reason}); the ensemble runs without it`}
        .
      </p>
      <p style={{ fontSize: 13 }}>
        PPO: {p.status}
        {p.reason ? ` (${p.reason})` : ''}
        {p.total_steps ? `, ${p.total_steps} steps per agent on ${p.asset}` : ''}
        {p.train_ms
          ? `, ${(p.train_ms.ppo_bc / 1000).toFixed(1)} s from BC, ${(p.train_ms.ppo_scratch / 1000).toFixed(1)} s from scratch`
          : ''}
        {initial.length > 0 &&
          `. Before any update, PPO from BC's log return equals BC's: ${initial
            .map(([s, v]) => `${s} ${v.ppo_bc_log_return.toFixed(4)} vs ${v.bc_log_return.toFixed(4)}`)
            .join(', ')}`}
        .
      </p>
    </div>
  );
}
