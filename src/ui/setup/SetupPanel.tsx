import { ENV_FIELDS, FEATURE_FIELDS } from '../../store/config.ts';
import { useLab } from '../../store/index.ts';
import type { PanelProps } from '../App.tsx';
import { FieldGrid } from '../common/Field.tsx';
import { LearnButton } from '../learn/LearnButton.tsx';

const TRADING_ONLY = new Set(['initialCash', 'buyPct', 'sellPct', 'fractional', 'limitPct']);
const PORTFOLIO_ONLY = new Set(['maxWeight', 'holdDecay']);

export function SetupPanel(_: PanelProps) {
  const features = useLab((s) => s.experiment.features);
  const env = useLab((s) => s.experiment.env);
  const errors = useLab((s) => s.setupErrors);
  const setFeature = useLab((s) => s.setFeatureField);
  const setEnv = useLab((s) => s.setEnvField);
  const setError = useLab((s) => s.setSetupError);
  const kind = env.env as string;
  const envFields = ENV_FIELDS.filter((f) =>
    kind === 'trading' ? !PORTFOLIO_ONLY.has(f.key) : !TRADING_ONLY.has(f.key),
  );
  const windowField = FEATURE_FIELDS.filter((f) => f.key === 'window');
  const indicatorFields = FEATURE_FIELDS.filter((f) => f.key.startsWith('ind.'));
  return (
    <div className="stack">
      <section className="panel" aria-labelledby="features-h">
        <h2 id="features-h">
          Features <LearnButton id="indicators" />
        </h2>
        <FieldGrid
          fields={windowField}
          values={features}
          errors={errors}
          set={setFeature}
          setError={setError}
        />
        <h3>Indicators</h3>
        <FieldGrid
          fields={indicatorFields}
          values={features}
          errors={errors}
          set={setFeature}
          setError={setError}
        />
        {indicatorFields.every((f) => features[f.key] !== true) && (
          <p className="field-error" role="alert">
            Select at least one feature group.
          </p>
        )}
      </section>
      <section className="panel" aria-labelledby="env-h">
        <h2 id="env-h">
          Environment rules <LearnButton id="env-kind" />
        </h2>
        <FieldGrid fields={envFields} values={env} errors={errors} set={setEnv} setError={setError} />
      </section>
    </div>
  );
}
