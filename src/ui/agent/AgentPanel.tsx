import { ALGO_FIELDS, ALGO_OPTIONS, PRESETS, type AlgoId } from '../../store/algorithms.ts';
import { matchingPreset } from '../../store/experiment.ts';
import { useShallow } from 'zustand/react/shallow';
import { trainBlockers, useLab } from '../../store/index.ts';
import type { PanelProps } from '../App.tsx';
import { FieldGrid } from '../common/Field.tsx';
import { LearnButton } from '../learn/LearnButton.tsx';

export function AgentPanel(_: PanelProps) {
  const algo = useLab((s) => s.experiment.algo);
  const hp = useLab((s) => s.experiment.hp[s.experiment.algo]);
  const errors = useLab((s) => s.agentErrors);
  const setAlgo = useLab((s) => s.setAlgo);
  const setHp = useLab((s) => s.setHp);
  const setError = useLab((s) => s.setAgentError);
  const applyPreset = useLab((s) => s.applyPreset);
  const blockers = useLab(useShallow(trainBlockers));
  const preset = matchingPreset(algo, hp);
  return (
    <section className="panel" aria-labelledby="agent-h">
      <h2 id="agent-h">Agent</h2>
      <div className="row">
        <label>
          <strong>Algorithm</strong>{' '}
          <select value={algo} onChange={(e) => setAlgo(e.target.value as AlgoId)} aria-label="Algorithm">
            {ALGO_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        <LearnButton id={algo} />
        <span className="muted">Preset:</span>
        {Object.keys(PRESETS[algo]).map((p) => (
          <button key={p} type="button" aria-pressed={preset === p} onClick={() => applyPreset(p)}>
            {p === 'qtmrl' ? 'QTMRL' : 'Standard'}
          </button>
        ))}
        {preset === null && <span className="muted">(custom)</span>}
      </div>
      <h3>Hyperparameters</h3>
      <FieldGrid
        fields={ALGO_FIELDS[algo]}
        values={hp}
        errors={errors}
        errorPrefix={`${algo}.`}
        set={setHp}
        setError={setError}
      />
      {blockers.length > 0 && (
        <div className="error-box" role="alert" style={{ marginTop: 12 }}>
          Train is blocked:
          <ul>
            {blockers.map((b) => (
              <li key={b}>{b}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
