import { describe, expect, it } from 'vitest';
import { flatValues } from '../experiment.ts';
import { useLab } from '../index.ts';

describe('setAlgo', () => {
  it("swaps an untouched step budget for the algorithm's default, and keeps one the user typed", () => {
    const steps = () => flatValues(useLab.getState().experiment).totalSteps;
    expect(steps()).toBe(20_000);
    useLab.getState().setAlgo('iql');
    expect(steps()).toBe(2_000);
    useLab.getState().setAlgo('bc');
    expect(steps()).toBe(20_000);
    useLab.getState().setValue('totalSteps', 5_000);
    useLab.getState().setAlgo('iql');
    expect(steps()).toBe(5_000);
  });
});
