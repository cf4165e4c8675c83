import type { BcEpochView, BcExtra } from '../../../core/ensemble/extras.ts';
import type { WorkflowSectionProps } from '../sections.tsx';

const W = 320;
const H = 140;
const PAD = 28;
/** SVG polylines keep at most this many points. */
const MAX_POINTS = 250;

function Curves({
  epochs,
  best,
  keys,
  title,
}: {
  epochs: BcEpochView[];
  best: number;
  keys: { key: keyof BcEpochView; label: string; color: string }[];
  title: string;
}) {
  const step = Math.max(1, Math.ceil(epochs.length / MAX_POINTS));
  const pts = epochs.filter((_, i) => i % step === 0 || i === epochs.length - 1);
  const vals = pts.flatMap((e) => keys.map((k) => e[k.key])).filter(Number.isFinite);
  const lo = Math.min(...vals);
  const hi = Math.max(...vals);
  const n = Math.max(1, epochs.length - 1);
  const x = (epoch: number) => PAD + ((epoch - 1) / n) * (W - PAD - 6);
  const y = (v: number) => H - 18 - ((v - lo) / Math.max(hi - lo, 1e-12)) * (H - 30);
  return (
    <figure style={{ margin: 0 }}>
      <figcaption style={{ fontSize: 12 }}>
        {title}:{' '}
        {keys.map((k) => (
          <span key={k.key} style={{ color: k.color, marginRight: 8 }}>
            {k.label}
          </span>
        ))}
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={`${title} per epoch`}>
        <line x1={x(best)} x2={x(best)} y1={8} y2={H - 18} stroke="#999" strokeDasharray="3 3" />
        {keys.map((k) => (
          <polyline
            key={k.key}
            fill="none"
            stroke={k.color}
            strokeWidth={1.5}
            points={pts.map((e) => `${x(e.epoch).toFixed(1)},${y(e[k.key]).toFixed(1)}`).join(' ')}
          />
        ))}
        <text x={2} y={12} fontSize={9}>
          {hi.toPrecision(3)}
        </text>
        <text x={2} y={H - 18} fontSize={9}>
          {lo.toPrecision(3)}
        </text>
        <text x={PAD} y={H - 4} fontSize={9}>
          epoch 1
        </text>
        <text x={W - 60} y={H - 4} fontSize={9}>
          epoch {epochs.length}
        </text>
      </svg>
    </figure>
  );
}

/** BC's training report: curves per epoch (best epoch dashed), confusion matrix and per-class report. */
export function BcReport({ evaluation }: WorkflowSectionProps) {
  const x = evaluation.extras?.['ensemble-bc'] as BcExtra | undefined;
  if (!x || x.epochs.length === 0) return <p className="muted">No BC report recorded.</p>;
  const v = x.validation;
  return (
    <div>
      <p style={{ fontSize: 13 }}>
        Best epoch {x.bestEpoch} of {x.epochs.length}
        {x.earlyStopped ? ' (early stop)' : ''}: validation accuracy {x.best.val_accuracy.toFixed(3)}, train{' '}
        {x.best.train_accuracy.toFixed(3)}; loss gap (val − train) {x.best.loss_gap.toFixed(3)}.{' '}
        {x.dataset.train_rows} train rows, {x.dataset.val_rows} validation rows,{' '}
        {x.dataset.held_out_test_rows} test rows held out.
      </p>
      <div className="row" style={{ flexWrap: 'wrap', gap: 16 }}>
        <Curves
          epochs={x.epochs}
          best={x.bestEpoch}
          title="Loss"
          keys={[
            { key: 'train_loss', label: 'train', color: '#1f77b4' },
            { key: 'val_loss', label: 'validation', color: '#d62728' },
          ]}
        />
        <Curves
          epochs={x.epochs}
          best={x.bestEpoch}
          title="Accuracy"
          keys={[
            { key: 'train_accuracy', label: 'train', color: '#1f77b4' },
            { key: 'val_accuracy', label: 'validation', color: '#d62728' },
          ]}
        />
      </div>
      <div className="row" style={{ flexWrap: 'wrap', gap: 24, alignItems: 'flex-start' }}>
        <table className="data" aria-label="Confusion matrix (validation)">
          <caption style={{ fontSize: 12 }}>Confusion (validation; rows = true, columns = predicted)</caption>
          <thead>
            <tr>
              <th scope="col" />
              {x.classes.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {v.confusion.map((row, t) => (
              <tr key={t}>
                <th scope="row">{x.classes[t]}</th>
                {row.map((n, p) => (
                  <td key={p} style={{ fontWeight: p === t ? 600 : undefined }}>
                    {n}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <table className="data" aria-label="Per-class precision and recall (validation)">
          <thead>
            <tr>
              <th scope="col">Class</th>
              <th scope="col">Precision</th>
              <th scope="col">Recall</th>
              <th scope="col">Support</th>
            </tr>
          </thead>
          <tbody>
            {x.classes.map((c) => (
              <tr key={c}>
                <th scope="row">{c}</th>
                <td>{Number.isFinite(v.precision[c]) ? v.precision[c].toFixed(3) : '–'}</td>
                <td>{Number.isFinite(v.recall[c]) ? v.recall[c].toFixed(3) : '–'}</td>
                <td>{v.support[c]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
