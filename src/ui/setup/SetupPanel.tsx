import { flatValues } from '../../store/experiment.ts';
import { useLab } from '../../store/index.ts';
import type { PanelProps } from '../App.tsx';
import { ExperimentFields } from '../common/Field.tsx';
import { sectionFields, useWorkflow } from '../common/workflow.ts';
import { LearnButton } from '../learn/LearnButton.tsx';

/** Features and environment rules: the workflow's `features` and `env` sections of core fields. */
export function SetupPanel(_: PanelProps) {
  const workflow = useWorkflow();
  const experiment = useLab((s) => s.experiment);
  const flat = flatValues(experiment);
  const features = sectionFields(workflow, 'features');
  const windowFields = features.filter((f) => f.kind !== 'bool');
  const indicatorFields = features.filter((f) => f.kind === 'bool');
  const env = sectionFields(workflow, 'env');
  return (
    <div className="stack">
      {features.length > 0 && (
        <section className="panel" aria-labelledby="features-h">
          <h2 id="features-h">
            Features <LearnButton id="indicators" />
          </h2>
          <ExperimentFields fields={windowFields} />
          <h3>Indicators</h3>
          <ExperimentFields fields={indicatorFields} />
          {indicatorFields.every((f) => flat[f.path] !== true) && (
            <p className="field-error" role="alert">
              Select at least one feature group.
            </p>
          )}
        </section>
      )}
      {env.length > 0 && (
        <section className="panel" aria-labelledby="env-h">
          <h2 id="env-h">
            Environment rules <LearnButton id="env-kind" />
          </h2>
          <ExperimentFields fields={env} />
        </section>
      )}
    </div>
  );
}
