/**
 * The sweep builder: any setting of the experiment (the catalogue comes from core's field specs),
 * list / range / log-range values, grid or random, seeds per point, the run count and a rough time
 * estimate (core/sweeps/view.ts), presets, Start.
 */
import { useEffect, useMemo, useState } from 'react';
import { getSweepPreset, SWEEP_PRESETS } from '../../core/sweeps/presets.ts';
import { countRuns } from '../../core/sweeps/spec.ts';
import { roughSecondsPerRun, sweepEta } from '../../core/sweeps/view.ts';
import { configOfExperiment, flatValues } from '../../store/experiment.ts';
import { useLab } from '../../store/index.ts';
import { emptyParam, specToDraft, type ParamDraft, type ValuesKind } from '../../store/sweepDraft.ts';
import { fmtDuration } from '../charts/format.ts';
import { useRuntime } from '../runtime/context.tsx';
import { currentSpec, startSweep } from './controller.ts';
import { sweepKeysFor } from './keys.ts';

export const RUNNING = ['validating', 'running', 'paused'];

export function Builder() {
  const rt = useRuntime();
  const experiment = useLab((s) => s.experiment);
  const draft = useLab((s) => s.sweep.draft);
  const draftError = useLab((s) => s.sweep.draftError);
  const workers = useLab((s) => s.sweep.workers);
  const status = useLab((s) => s.sweep.status);
  const setDraft = useLab((s) => s.setSweepDraft);
  const busy = RUNNING.includes(status);
  const options = sweepKeysFor(experiment);
  const [preset, setPreset] = useState(SWEEP_PRESETS[0].id);

  const { spec, error } = useMemo(() => currentSpec(), [draft, experiment]); // eslint-disable-line react-hooks/exhaustive-deps
  const runs = spec ? countRuns(spec) : null;
  const encoder = flatValues(experiment)['agent.network.encoder'];
  const perRun = roughSecondsPerRun(draft.totalSteps, encoder);
  const eta = runs ? sweepEta(runs, perRun, workers) : null;

  const updateParam = (i: number, patch: Partial<ParamDraft>) =>
    setDraft((d) => ({ ...d, params: d.params.map((p, j) => (j === i ? { ...p, ...patch } : p)) }));
  const addParam = () => {
    const used = new Set(draft.params.map((p) => p.key));
    const next = options.find((o) => !used.has(o.key));
    setDraft((d) => ({ ...d, params: [...d.params, emptyParam(next?.key ?? '', next?.suggest ?? [])] }));
  };
  const loadPreset = () => {
    const base = configOfExperiment(experiment);
    useLab.getState().setSweep({
      draft: specToDraft(getSweepPreset(preset).spec(base), draft.totalSteps),
      draftError: null,
    });
  };

  return (
    <section className="panel" aria-labelledby="sweeps-h">
      <h2 id="sweeps-h">Sweeps</h2>
      <p className="muted">
        Run the current experiment many times over a grid or a random sample of settings, several seeds per
        point. The best point is chosen on the validation split; the test split is only shown for that choice.
      </p>
      <div className="row">
        <label>
          Preset{' '}
          <select value={preset} onChange={(e) => setPreset(e.target.value)} disabled={busy}>
            {SWEEP_PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.title}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={loadPreset} disabled={busy}>
          Load preset
        </button>
        <span className="muted">{SWEEP_PRESETS.find((p) => p.id === preset)?.description}</span>
      </div>
      <div className="field-grid">
        <label className="field">
          <span className="field-label">Sweep name</span>
          <input
            type="text"
            aria-label="Sweep name"
            value={draft.name}
            disabled={busy}
            onChange={(e) => setDraft({ name: e.target.value })}
          />
        </label>
        <label className="field">
          <span className="field-label">Mode</span>
          <select
            aria-label="Mode"
            value={draft.mode}
            disabled={busy}
            onChange={(e) => setDraft({ mode: e.target.value as 'grid' | 'random' })}
          >
            <option value="grid">Grid (every combination)</option>
            <option value="random">Random sample</option>
          </select>
        </label>
        {draft.mode === 'random' && (
          <>
            <NumberInput
              label="Samples"
              value={draft.samples}
              min={1}
              disabled={busy}
              onChange={(v) => setDraft({ samples: v })}
            />
            <NumberInput
              label="Sample seed"
              value={draft.sampleSeed}
              min={0}
              disabled={busy}
              onChange={(v) => setDraft({ sampleSeed: v })}
            />
          </>
        )}
        <NumberInput
          label="Seeds per point"
          value={draft.seedsPerPoint}
          min={1}
          disabled={busy}
          onChange={(v) => setDraft({ seedsPerPoint: v })}
        />
        <NumberInput
          label="First seed"
          value={draft.firstSeed}
          min={0}
          disabled={busy}
          onChange={(v) => setDraft({ firstSeed: v })}
        />
        <NumberInput
          label="Steps per run"
          value={draft.totalSteps}
          min={1}
          disabled={busy}
          onChange={(v) => setDraft({ totalSteps: v })}
        />
        <NumberInput
          label="Workers"
          value={workers}
          min={1}
          disabled={busy}
          onChange={(v) => useLab.getState().setSweep({ workers: v })}
        />
      </div>

      <h3>Parameters</h3>
      {draft.params.length === 0 && <p className="muted">No parameters yet: add one, or load a preset.</p>}
      {draft.params.map((p, i) => (
        <ParamRow
          key={i}
          index={i}
          param={p}
          options={options}
          disabled={busy}
          onChange={(patch) => updateParam(i, patch)}
          onRemove={() => setDraft((d) => ({ ...d, params: d.params.filter((_, j) => j !== i) }))}
        />
      ))}
      <div className="row">
        <button type="button" onClick={addParam} disabled={busy}>
          Add parameter
        </button>
      </div>

      <p role="status" data-testid="sweep-plan">
        {runs !== null
          ? `${runs} run${runs === 1 ? '' : 's'} (${runs / draft.seedsPerPoint} point${runs / draft.seedsPerPoint === 1 ? '' : 's'} × ${draft.seedsPerPoint} seed${draft.seedsPerPoint === 1 ? '' : 's'}), ≈ ${fmtDuration(eta)} on ${Math.min(workers, runs)} worker${Math.min(workers, runs) === 1 ? '' : 's'} (rough estimate; refined as runs finish)`
          : (error ?? '')}
      </p>
      {draftError && (
        <p className="error-box" role="alert">
          {draftError}
        </p>
      )}
      <div className="row">
        <button type="button" onClick={() => void startSweep(rt)} disabled={busy || runs === null}>
          Start sweep
        </button>
      </div>
    </section>
  );
}

function NumberInput(props: {
  label: string;
  value: number;
  min: number;
  disabled: boolean;
  onChange(v: number): void;
}) {
  const [text, setText] = useState(String(props.value));
  useEffect(() => setText(String(props.value)), [props.value]);
  const bad = !/^\d+$/.test(text.trim()) || Number(text) < props.min;
  return (
    <label className={`field${bad ? ' field-invalid' : ''}`}>
      <span className="field-label">{props.label}</span>
      <input
        type="text"
        inputMode="numeric"
        aria-label={props.label}
        aria-invalid={bad}
        value={text}
        disabled={props.disabled}
        onChange={(e) => {
          setText(e.target.value);
          const v = Number(e.target.value);
          if (/^\d+$/.test(e.target.value.trim()) && v >= props.min) props.onChange(v);
        }}
      />
      {bad && <span className="field-error">a whole number ≥ {props.min}</span>}
    </label>
  );
}

function ParamRow(props: {
  index: number;
  param: ParamDraft;
  options: ReturnType<typeof sweepKeysFor>;
  disabled: boolean;
  onChange(p: Partial<ParamDraft>): void;
  onRemove(): void;
}) {
  const { index, param: p, options, disabled, onChange } = props;
  const known = options.some((o) => o.key === p.key);
  const n = index + 1;
  return (
    <fieldset
      className="row"
      aria-label={`Parameter ${n}`}
      style={{ border: '1px solid #e3e6ea', padding: 8, marginBottom: 6 }}
    >
      <label>
        Setting{' '}
        <select
          aria-label={`Parameter ${n} setting`}
          value={known ? p.key : '__other'}
          disabled={disabled}
          onChange={(e) => {
            const o = options.find((x) => x.key === e.target.value);
            onChange(o ? { key: o.key, kind: 'list', list: o.suggest.map(String).join(', ') } : { key: '' });
          }}
        >
          {options.map((o) => (
            <option key={o.key} value={o.key}>
              {o.group} · {o.label}
            </option>
          ))}
          <option value="__other">Other (type a key)…</option>
        </select>
      </label>
      {!known && (
        <input
          type="text"
          aria-label={`Parameter ${n} key`}
          placeholder="e.g. agent.vfCoef"
          value={p.key}
          disabled={disabled}
          onChange={(e) => onChange({ key: e.target.value })}
        />
      )}
      <label>
        Values{' '}
        <select
          aria-label={`Parameter ${n} values kind`}
          value={p.kind}
          disabled={disabled}
          onChange={(e) => onChange({ kind: e.target.value as ValuesKind })}
        >
          <option value="list">list</option>
          <option value="range">range</option>
          <option value="log-range">log range</option>
        </select>
      </label>
      {p.kind === 'list' ? (
        <input
          type="text"
          aria-label={`Parameter ${n} values`}
          placeholder="0.001, 0.01"
          value={p.list}
          disabled={disabled}
          onChange={(e) => onChange({ list: e.target.value })}
          style={{ minWidth: 200 }}
        />
      ) : (
        <>
          <input
            type="text"
            aria-label={`Parameter ${n} min`}
            placeholder="min"
            value={p.min}
            disabled={disabled}
            onChange={(e) => onChange({ min: e.target.value })}
            size={8}
          />
          <input
            type="text"
            aria-label={`Parameter ${n} max`}
            placeholder="max"
            value={p.max}
            disabled={disabled}
            onChange={(e) => onChange({ max: e.target.value })}
            size={8}
          />
          <input
            type="text"
            aria-label={`Parameter ${n} steps`}
            placeholder="steps"
            value={p.steps}
            disabled={disabled}
            onChange={(e) => onChange({ steps: e.target.value })}
            size={4}
          />
          {p.kind === 'range' && (
            <label>
              <input
                type="checkbox"
                checked={p.integer}
                disabled={disabled}
                onChange={(e) => onChange({ integer: e.target.checked })}
              />{' '}
              integers
            </label>
          )}
        </>
      )}
      {p.tied && <span className="muted">tied: {p.tied.replace(/\n/g, '; ')}</span>}
      <button type="button" aria-label={`Remove parameter ${n}`} onClick={props.onRemove} disabled={disabled}>
        Remove
      </button>
    </fieldset>
  );
}
