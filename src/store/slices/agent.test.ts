import { describe, expect, it } from 'vitest';
import { useLab } from '../index.ts';

describe('setAlgo', () => {
  it("swaps an untouched step budget for the algorithm's default, and keeps one the user typed", () => {
    const steps = () => useLab.getState().experiment.train.steps;
    expect(steps()).toBe(20_000);
    useLab.getState().setAlgo('iql');
    expect(steps()).toBe(2_000);
    useLab.getState().setAlgo('bc');
    expect(steps()).toBe(20_000);
    useLab.getState().setTrainField('steps', 5_000);
    useLab.getState().setAlgo('iql');
    expect(steps()).toBe(5_000);
  });
});
