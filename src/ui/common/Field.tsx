import { useId, useState } from 'react';
import { formatFieldValue, parseFieldText, type FieldSpec, type FieldValue } from '../../store/fields.ts';
import { LearnButton } from '../learn/LearnButton.tsx';

export interface FieldProps {
  field: FieldSpec;
  value: FieldValue;
  /** Message of the invalid text currently typed, if any (kept in the store so Train can be blocked). */
  error?: string;
  disabled?: boolean;
  onValid(value: FieldValue): void;
  onInvalid(message: string | null): void;
}

/**
 * One generated form control. Text the user types is kept locally while it is invalid, marked at
 * the field (aria-invalid + message) and reported to the store; the last valid value stays in the
 * experiment.
 */
export function Field({ field, value, error, disabled, onValid, onInvalid }: FieldProps) {
  const id = useId();
  const helpId = `${id}-help`;
  const errId = `${id}-err`;
  const [draft, setDraft] = useState<string | null>(null);
  // The typed text is shown while it is invalid or still means the stored value ("0." while typing
  // 0.5); when the value changes from elsewhere (preset, link) the stored value wins.
  const draftParsed = draft === null ? null : parseFieldText(field, draft);
  const draftCurrent =
    draftParsed !== null && (error !== undefined || (draftParsed.ok && draftParsed.value === value));
  const shown = draftCurrent && draft !== null ? draft : formatFieldValue(value);

  const commitText = (text: string) => {
    setDraft(text);
    const r = parseFieldText(field, text);
    if (r.ok) {
      onInvalid(null);
      onValid(r.value);
    } else {
      onInvalid(r.error);
    }
  };

  // The (i) button sits beside the label, not inside it: no interactive content in a <label>.
  const label = (
    <span className="field-head">
      <label htmlFor={id} className="field-label">
        {field.label}
        {field.kind === 'number' && field.unit ? <span className="unit"> ({field.unit})</span> : null}
      </label>
      {field.learn ? <LearnButton id={field.learn} /> : null}
    </span>
  );
  const describedBy = error ? `${helpId} ${errId}` : helpId;

  let control;
  if (field.kind === 'bool') {
    return (
      <div className="field field-bool">
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
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => commitText(e.target.value)}
        onBlur={() => !error && setDraft(null)}
      />
    );
  }
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      {label}
      {control}
      {field.kind === 'number' ? (
        <small id={helpId} className="help">
          {field.help}{' '}
          <span className="range">
            [{field.min}–{field.max}]
          </span>
        </small>
      ) : (
        <small id={helpId} className="help">
          {field.help}
        </small>
      )}
      {error ? (
        <small id={errId} className="field-error" role="alert">
          {field.label} {error}
        </small>
      ) : null}
    </div>
  );
}

export interface FieldGridProps {
  fields: readonly FieldSpec[];
  values: Record<string, FieldValue>;
  errors: Record<string, string>;
  /** Prefix of the error keys in the store (e.g. 'a2c.'). */
  errorPrefix?: string;
  disabled?: boolean;
  set(key: string, value: FieldValue): void;
  setError(key: string, message: string | null): void;
}

export function FieldGrid({
  fields,
  values,
  errors,
  errorPrefix = '',
  disabled,
  set,
  setError,
}: FieldGridProps) {
  return (
    <div className="field-grid">
      {fields.map((f) => (
        <Field
          key={`${errorPrefix}${f.key}`}
          field={f}
          value={values[f.key] ?? f.default}
          error={errors[`${errorPrefix}${f.key}`]}
          disabled={disabled}
          onValid={(v) => set(f.key, v)}
          onInvalid={(m) => setError(`${errorPrefix}${f.key}`, m)}
        />
      ))}
    </div>
  );
}
