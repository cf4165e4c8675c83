import { flatValues } from '../../store/experiment.ts';
import { useLab } from '../../store/index.ts';
import type { PanelProps } from '../App.tsx';
import { ExperimentFields } from '../common/Field.tsx';
import { sectionFields, useWorkflow } from '../common/workflow.ts';
import { LearnButton } from '../learn/LearnButton.tsx';

const SHARED_SECTIONS = ['data', 'splits', 'features', 'env', 'run'];

/** Features and environment rules, then the workflow's own setup sections, from core's fields. */
export function SetupPanel(_: PanelProps) {
  const workflow = useWorkflow();
  const experiment = useLab((s) => s.experiment);
  const flat = flatValues(experiment);
  const features = sectionFields(workflow, 'features');
  const windowFields = features.filter((f) => f.kind !== 'bool');
  const indicatorFields = features.filter((f) => f.kind === 'bool');
  const env = sectionFields(workflow, 'env');
  // A workflow's own sections (kol's posts and book, …); data, splits and run live in Data and Train.
  // A section whose every field is hidden by the values (supplychain's training settings in tournament mode) is left out.
  const own = workflow.setup.filter(
    (x) => !SHARED_SECTIONS.includes(x.id) && x.fields.some((f) => !f.when || f.when(flat)),
  );
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
      {own.map((section) => (
        <section key={section.id} className="panel" aria-labelledby={`setup-${section.id}-h`}>
          <h2 id={`setup-${section.id}-h`}>{section.title}</h2>
          <ExperimentFields fields={section.fields} />
        </section>
      ))}
    </div>
  );
}
