import { GLOSSARY } from './glossary.ts';

const GROUPS = ['Algorithms', 'Training', 'Environment', 'Data', 'Metrics'] as const;

export function LearnPanel() {
  return (
    <section aria-labelledby="learn-h" className="panel learn-panel">
      <h2 id="learn-h">Learn</h2>
      <p className="muted">
        Short explanations of every algorithm, metric and env rule. The (i) buttons across the lab open the
        same notes in place.
      </p>
      {GROUPS.map((g) => (
        <section key={g}>
          <h3>{g}</h3>
          <dl>
            {GLOSSARY.filter((e) => e.group === g).map((e) => (
              <div key={e.id} id={`learn-${e.id}`} className="learn-entry">
                <dt>{e.title}</dt>
                <dd>{e.body}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
    </section>
  );
}
