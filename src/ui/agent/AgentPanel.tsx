import { useShallow } from 'zustand/react/shallow';
import { AGENT_FIELDS, AGENT_PRESETS, ALGO_OPTIONS, type AlgoId } from '../../core/experiment/vocabulary.ts';
import { algoOf, presetOf } from '../../store/experiment.ts';
import { trainBlockers, useLab } from '../../store/index.ts';
import type { PanelProps } from '../App.tsx';
import { ExperimentFields } from '../common/Field.tsx';
import { useWorkflow } from '../common/workflow.ts';
import { LearnButton } from '../learn/LearnButton.tsx';

const PRESET_LABELS: Record<string, string> = { standard: 'Standard', qtmrl: 'QTMRL', sb3: 'SB3' };

/** The algorithm (among the workflow's) and its hyperparameters, generated from core's agent fields. */
export function AgentPanel(_: PanelProps) {
  const workflow = useWorkflow();
  const experiment = useLab((s) => s.experiment);
  const algo = algoOf(experiment);
  const setAlgo = useLab((s) => s.setAlgo);
  const applyPreset = useLab((s) => s.applyPreset);
  const blockers = useLab(useShallow(trainBlockers));
  const preset = presetOf(experiment);
  const options = ALGO_OPTIONS.filter((o) => workflow.algorithms.includes(o.value));
  if (options.length === 0)
    return (
      <section className="panel" aria-labelledby="agent-h">
        <h2 id="agent-h">Agent</h2>
        <p className="muted">
          The {workflow.title} workflow trains its own learner; its settings are in Setup.
        </p>
      </section>
    );
  return (
    <section className="panel" aria-labelledby="agent-h">
      <h2 id="agent-h">Agent</h2>
      <div className="row">
        <label>
          <strong>Algorithm</strong>{' '}
          <select value={algo} onChange={(e) => setAlgo(e.target.value as AlgoId)} aria-label="Algorithm">
            {options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        <LearnButton id={algo} />
        <span className="muted">Preset:</span>
        {Object.keys(AGENT_PRESETS[algo]).map((p) => (
          <button key={p} type="button" aria-pressed={preset === p} onClick={() => applyPreset(p)}>
            {PRESET_LABELS[p] ?? p}
          </button>
        ))}
        {preset === null && <span className="muted">(custom)</span>}
      </div>
      <h3>Hyperparameters</h3>
      <ExperimentFields fields={AGENT_FIELDS[algo]} />
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
