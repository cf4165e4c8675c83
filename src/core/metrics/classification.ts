/**
 * Classification report of a discrete policy against labelled actions (BC's validation split):
 * confusion matrix, per-class precision and recall, accuracy — sklearn's conventions
 * (confusion_matrix rows = true class, columns = predicted; zero_division = 0).
 */

export interface ClassificationReport {
  /** Number of classes K. */
  classes: number;
  /** [K · K] counts, row-major: confusion[t · K + p] = rows with true class t predicted as p. */
  confusion: Int32Array;
  /** Per class: TP / predicted (0 when the class is never predicted). */
  precision: Float64Array;
  /** Per class: TP / actual (0 when the class never occurs). */
  recall: Float64Array;
  /** Per class: rows whose true class it is. */
  support: Int32Array;
  /** Σ TP / rows (0 without rows). */
  accuracy: number;
}

/** Confusion matrix of `yTrue` vs `yPred` (class indices in [0, K)). */
export function confusionMatrix(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  classes: number,
): Int32Array {
  if (yTrue.length !== yPred.length)
    throw new Error(`confusionMatrix: ${yTrue.length} labels but ${yPred.length} predictions`);
  const m = new Int32Array(classes * classes);
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (!(t >= 0 && t < classes && p >= 0 && p < classes) || !Number.isInteger(t) || !Number.isInteger(p))
      throw new Error(
        `confusionMatrix: row ${i} has label ${t}, prediction ${p}; classes are 0..${classes - 1}`,
      );
    m[t * classes + p]++;
  }
  return m;
}

/** Precision, recall, support and accuracy of a [K · K] confusion matrix. */
export function reportFromConfusion(confusion: Int32Array, classes: number): ClassificationReport {
  if (confusion.length !== classes * classes)
    throw new Error(`reportFromConfusion: ${confusion.length} cells for ${classes} classes`);
  const precision = new Float64Array(classes);
  const recall = new Float64Array(classes);
  const support = new Int32Array(classes);
  let diag = 0;
  let total = 0;
  for (let c = 0; c < classes; c++) {
    const tp = confusion[c * classes + c];
    let actual = 0;
    let predicted = 0;
    for (let o = 0; o < classes; o++) {
      actual += confusion[c * classes + o];
      predicted += confusion[o * classes + c];
    }
    precision[c] = predicted > 0 ? tp / predicted : 0;
    recall[c] = actual > 0 ? tp / actual : 0;
    support[c] = actual;
    diag += tp;
    total += actual;
  }
  return { classes, confusion, precision, recall, support, accuracy: total > 0 ? diag / total : 0 };
}

/** The report of predictions `yPred` against labels `yTrue`. */
export function classificationReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  classes: number,
): ClassificationReport {
  return reportFromConfusion(confusionMatrix(yTrue, yPred, classes), classes);
}
