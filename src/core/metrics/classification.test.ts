import { describe, expect, it } from 'vitest';
import { classificationReport, confusionMatrix, reportFromConfusion } from './classification.ts';

describe('classification report', () => {
  // sklearn: confusion_matrix([2,0,2,2,0,1], [0,0,2,2,0,2]) = [[2,0,0],[0,0,1],[1,0,2]]
  const yTrue = Int32Array.from([2, 0, 2, 2, 0, 1]);
  const yPred = Int32Array.from([0, 0, 2, 2, 0, 2]);

  it("matches sklearn's confusion_matrix, precision_score and recall_score (zero_division=0)", () => {
    const r = classificationReport(yTrue, yPred, 3);
    expect(Array.from(r.confusion)).toEqual([2, 0, 0, 0, 0, 1, 1, 0, 2]);
    // precision_score(average=None): [2/3, 0, 2/3]; recall_score: [1, 0, 2/3].
    expect(Array.from(r.precision)).toEqual([2 / 3, 0, 2 / 3]);
    expect(Array.from(r.recall)).toEqual([1, 0, 2 / 3]);
    expect(Array.from(r.support)).toEqual([2, 1, 3]);
    expect(r.accuracy).toBeCloseTo(4 / 6, 15);
  });

  it('gives 0 (not NaN) for classes never predicted or never present, and 0 accuracy without rows', () => {
    const r = classificationReport([0, 0], [0, 0], 3);
    expect(Array.from(r.precision)).toEqual([1, 0, 0]);
    expect(Array.from(r.recall)).toEqual([1, 0, 0]);
    expect(reportFromConfusion(new Int32Array(4), 2).accuracy).toBe(0);
  });

  it('rejects labels outside the classes and mismatched lengths', () => {
    expect(() => confusionMatrix([0, 3], [0, 0], 3)).toThrow(/row 1 has label 3/);
    expect(() => confusionMatrix([0], [0, 1], 3)).toThrow(/1 labels but 2 predictions/);
  });
});
