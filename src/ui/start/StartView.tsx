import { ALGO_OPTIONS } from '../../core/experiment/vocabulary.ts';
import { workflows } from '../../core/workflows/registry.ts';
import { useLab } from '../../store/index.ts';

/**
 * The workflow start view: every workflow of core's registry with what it does, the seed it
 * implements, the data it needs and its algorithms; one click opens it on embedded data with its
 * start values. Shown on a first visit with no link, and from the header's Workflows button.
 */
export function StartView() {
  const start = useLab((s) => s.startWorkflow);
  const close = useLab((s) => s.setStartOpen);
  const current = useLab((s) => s.experiment.workflow);
  return (
    <section className="panel start-view" aria-labelledby="start-h">
      <h2 id="start-h">Choose a workflow</h2>
      <p className="muted">
        Each workflow is one system of the lab: its data, setup, algorithms and results. Starting one opens
        its default experiment on the embedded data; every setting can then be changed and shared as a link.
      </p>
      <ul className="workflow-list">
        {workflows().map((w) => (
          <li key={w.id} className="workflow-card" data-workflow={w.id}>
            <h3>
              {w.title} <span className="badge">seed {w.seed}</span>
            </h3>
            <p>{w.summary}</p>
            <dl>
              <dt>Data</dt>
              <dd>{w.data.needs}</dd>
              <dt>{w.algorithms.length > 0 ? 'Algorithms' : 'Learner'}</dt>
              <dd>
                {w.algorithms.length > 0
                  ? w.algorithms.map((a) => ALGO_OPTIONS.find((o) => o.value === a)?.label ?? a).join(', ')
                  : (w.learner ?? 'its own (settings in Setup)')}
              </dd>
              <dt>Headless</dt>
              <dd>
                <code>npx {w.cli}</code>
              </dd>
            </dl>
            <button type="button" className="primary" onClick={() => start(w.id)}>
              Start {w.title}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => close(false)}>
        Back to the lab{current ? ` (${current})` : ''}
      </button>
    </section>
  );
}
