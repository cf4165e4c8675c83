import { useId, useState } from 'react';
import {
  displayOf,
  formatFieldValue,
  parseFieldText,
  shownUnit,
  type FieldSpec,
  type FieldValue,
} from '../../core/experiment/fields.ts';
import { errorKey, flatValues, algoOf, shownFields } from '../../store/experiment.ts';
import { useLab } from '../../store/index.ts';
import { LearnButton } from '../learn/LearnButton.tsx';

export interface FieldProps {
  field: FieldSpec;
  value: FieldValue | undefined;
  /** Message of the invalid text currently typed, if any (kept in the store so Train can be blocked). */
  error?: string;
  disabled?: boolean;
  onValid(value: FieldValue): void;
  onInvalid(message: string | null): void;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * One control generated from a core field spec. Values are core units; the box shows the field's
 * display units (a fee of 0.0005 reads 5 bps) and an empty box for a `nullMeans` field means off.
 * Text the user types is kept locally while it is invalid, marked at the field (aria-invalid +
 * message) and reported to the store; the last valid value stays in the experiment.
 */
export function Field({ field, value, error, disabled, onValid, onInvalid }: FieldProps) {
  const id = useId();
  const helpId = `${id}-help`;
  const errId = `${id}-err`;
  const [draft, setDraft] = useState<string | null>(null);
  // The typed text is shown while it is invalid or still means the stored value ("0." while typing
  // 0.5); when the value changes from elsewhere (preset, link) the stored value wins.
  const draftParsed = draft === null ? null : parseFieldText(field, draft, true);
  const draftCurrent =
    draftParsed !== null && (error !== undefined || (draftParsed.ok && same(draftParsed.value, value)));
  const shown =
    draftCurrent && draft !== null ? draft : value === undefined ? '' : formatFieldValue(field, value, true);

  const commitText = (text: string) => {
    setDraft(text);
    const r = parseFieldText(field, text, true);
    if (r.ok) {
      onInvalid(null);
      onValid(r.value);
    } else {
      onInvalid(r.error);
    }
  };

  const unit = shownUnit(field);
  // The (i) button sits beside the label, not inside it: no interactive content in a <label>.
  const label = (
    <span className="field-head">
      <label htmlFor={id} className="field-label">
        {field.label}
        {unit ? <span className="unit"> ({unit})</span> : null}
      </label>
      {field.learn ? <LearnButton id={field.learn} /> : null}
    </span>
  );
  const describedBy = error ? `${helpId} ${errId}` : helpId;

  let control;
  if (field.kind === 'bool') {
    return (
      <div className="field field-bool" data-path={field.path}>
        <label htmlFor={id}>
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            disabled={disabled}
            aria-describedby={helpId}
            onChange={(e) => onValid(e.target.checked)}
          />
          {field.label}
        </label>
        {field.learn ? <LearnButton id={field.learn} /> : null}
        <small id={helpId} className="help">
          {field.help}
        </small>
      </div>
    );
  } else if (field.kind === 'enum') {
    control = (
      <select
        id={id}
        value={String(value)}
        disabled={disabled}
        aria-describedby={helpId}
        onChange={(e) => commitText(e.target.value)}
      >
        {field.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else {
    control = (
      <input
        id={id}
        type={field.kind === 'date' ? 'date' : 'text'}
        inputMode={field.kind === 'number' ? 'decimal' : undefined}
        value={shown}
        placeholder={field.kind === 'number' && field.nullMeans ? field.nullMeans : undefined}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => commitText(e.target.value)}
        onBlur={() => !error && setDraft(null)}
      />
    );
  }
  return (
    <div className={`field${error ? ' field-invalid' : ''}`} data-path={field.path}>
      {label}
      {control}
      <small id={helpId} className="help">
        {field.help}
        {field.kind === 'number' || field.kind === 'intList' ? (
          <>
            {' '}
            <span className="range">
              [{field.kind === 'number' ? displayOf(field, field.min) : field.min}–
              {field.kind === 'number' ? displayOf(field, field.max) : field.max}
              {field.kind === 'number' && field.nullMeans ? `; empty = ${field.nullMeans}` : ''}]
            </span>
          </>
        ) : null}
      </small>
      {error ? (
        <small id={errId} className="field-error" role="alert">
          {field.label} {error}
        </small>
      ) : null}
    </div>
  );
}

export interface ExperimentFieldsProps {
  /** Fields in form order; those whose `when` does not hold for the experiment are hidden. */
  fields: readonly FieldSpec[];
  disabled?: boolean;
}

/** A grid of fields bound to the store's experiment by their dotted paths. */
export function ExperimentFields({ fields, disabled }: ExperimentFieldsProps) {
  const experiment = useLab((s) => s.experiment);
  const errors = useLab((s) => s.errors);
  const setValue = useLab((s) => s.setValue);
  const setError = useLab((s) => s.setError);
  const flat = flatValues(experiment);
  const algo = algoOf(experiment);
  return (
    <div className="field-grid">
      {shownFields(fields, flat).map((f) => (
        <Field
          key={errorKey(f.path, algo)}
          field={f}
          value={flat[f.path]}
          error={errors[errorKey(f.path, algo)]}
          disabled={disabled}
          onValid={(v) => setValue(f.path, v)}
          onInvalid={(m) => setError(f.path, m)}
        />
      ))}
    </div>
  );
}
