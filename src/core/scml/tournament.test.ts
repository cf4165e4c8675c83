import { describe, expect, it } from 'vitest';
import { checkEnv } from '../envs/check.ts';
import { AGENT_TYPES } from './agents/index.ts';
import { generateConfig, levelStarts, nAgentsOf, SCML_RANGES } from './config.ts';
import { OBS_SIZE, ScmlParallelEnv, ScmlSingleAgentEnv } from './env.ts';
import {
  runWorld,
  shardWorldRuns,
  summarizeScores,
  tournamentRuns,
  truncatedMean,
  type Row,
  type TournamentSpec,
} from './tournament.ts';

describe('SCML-lite configuration', () => {
  it('stays inside the tournament ranges and prices grow along the chain', () => {
    for (let seed = 0; seed < 50; seed++) {
      const c = generateConfig(seed);
      expect(c.nSteps).toBeGreaterThanOrEqual(SCML_RANGES.nSteps[0]);
      expect(c.nSteps).toBeLessThanOrEqual(SCML_RANGES.nSteps[1]);
      expect(c.nProcesses).toBeGreaterThanOrEqual(2);
      expect(c.nProcesses).toBeLessThanOrEqual(4);
      for (const n of c.agentsPerLevel) expect(n).toBeGreaterThanOrEqual(4);
      for (let k = 1; k < c.catalogPrices.length; k++)
        expect(c.catalogPrices[k]).toBeGreaterThan(c.catalogPrices[k - 1]);
      const s = levelStarts(c);
      const T = c.nSteps;
      let bad = 0;
      for (let a = 0; a < nAgentsOf(c); a++) {
        if (!(c.initialBalance[a] > 0)) bad++;
        const k = c.level[a];
        for (let t = 0; t < T; t++) {
          if (c.exInQty[a * T + t] > c.nLines || (k !== 0 && c.exInQty[a * T + t] !== 0)) bad++;
          if (k !== c.nProcesses - 1 && c.exOutQty[a * T + t] !== 0) bad++;
        }
      }
      expect(bad).toBe(0);
      expect(s[s.length - 1]).toBe(nAgentsOf(c));
    }
  });
});

describe('SCML-lite tournament', () => {
  const spec: TournamentSpec = {
    agents: ['random', 'greedy'],
    configs: 3,
    seed: 7,
    configOptions: { nSteps: 20 },
  };

  it('plays every configuration once per rotation; shards split the runs and cover them once', () => {
    const runs = tournamentRuns(spec);
    expect(runs.map((r) => [r.config, r.rotation])).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
      [2, 0],
      [2, 1],
    ]);
    expect(runs[0].configSeed).toBe(runs[1].configSeed);
    const shards = [0, 1, 2, 3].map((i) => shardWorldRuns(runs, { index: i, count: 4 }).map((r) => r.index));
    expect(shards.flat().sort((a, b) => a - b)).toEqual(runs.map((r) => r.index));
    expect(shards[1]).toEqual([1, 5]);
  });

  it('a world run is deterministic and its logs have one row per factory-day', () => {
    const run = tournamentRuns(spec)[1];
    const a = runWorld(spec, run);
    const b = runWorld(spec, run);
    expect(b.scores).toEqual(a.scores);
    expect(b.negotiations.length).toBe(a.negotiations.length);
    expect(a.negotiations.length).toBeGreaterThan(0);
    expect(a.daily.length).toBe(a.agentDays);
    expect(a.scores.map((r) => r[4])).toEqual(
      Array.from({ length: a.scores.length }, (_, i) => spec.agents[(i + 1) % 2]),
    );
  });

  it('truncated mean (negmas: drop scores above Q3 + 2·IQR) and the summary table', () => {
    expect(truncatedMean([100, 1, 2, 3, 4, 5, 6, 7, 8, 9])).toBe(5); // Q1 3.25, Q3 7.75: 100 > 16.75 goes
    expect(truncatedMean([-100, 1, 2, 3])).toBe(-23.5); // no bottom fence
    const rows: Row[] = [
      [0, 0, 0, 'a0', 'x', 0, 10, 12, 1.2, 0, 0],
      [0, 0, 0, 'a1', 'x', 0, 10, 8, 0.8, 4, 0],
      [0, 0, 0, 'a2', 'y', 0, 10, -1, -0.1, 2, 1],
    ];
    const s = summarizeScores(rows);
    expect(s.map((e) => e.agentType)).toEqual(['x', 'y']);
    expect(s[0].mean).toBeCloseTo(1.0, 12);
    expect(s[0].median).toBeCloseTo(1.0, 12);
    expect(s[0].meanShortfall).toBe(2);
    expect(s[1].bankruptRate).toBe(1);
  });

  // The expectation, under the note's rules (README: the 120-world table; this margin
  // held on every tournament seed tried, 0.16–0.23 over the runner-up).
  it('over 32 seeded worlds Penguin’s mean score beats SyncRandom’s, Greedy’s and Random’s', () => {
    const s: TournamentSpec = { agents: AGENT_TYPES, configs: 8, seed: 2026 };
    const rows: Row[] = [];
    for (const run of tournamentRuns(s))
      rows.push(...runWorld(s, run, { negotiations: false, daily: false }).scores);
    const by = Object.fromEntries(summarizeScores(rows).map((e) => [e.agentType, e]));
    expect(by.penguin.mean).toBeGreaterThan(by.syncrandom.mean + 0.1);
    expect(by.penguin.mean).toBeGreaterThan(by.greedy.mean + 0.1);
    expect(by.penguin.mean).toBeGreaterThan(by.random.mean + 0.5);
    expect(by.penguin.bankruptRate).toBe(0);
  }, 60_000);
});

describe('SCML-lite learning interfaces', () => {
  it('the single-agent view passes the env checker', () => {
    const env = new ScmlSingleAgentEnv({ config: { nSteps: 6 }, opponents: ['penguin', 'syncrandom'] });
    checkEnv(env, { steps: 64, stochastic: true, infoKeys: ['day', 'score'] });
    expect(env.observationSpace.shape).toEqual([OBS_SIZE]);
  });

  it('the parallel API returns dicts keyed by agent; rewards add up to the score change', () => {
    const env = new ScmlParallelEnv([0, 5], { config: { nSteps: 8 } });
    const { observations } = env.reset({ seed: 11 });
    expect(Object.keys(observations).sort()).toEqual(['a0', 'a5']);
    const total: Record<string, number> = { a0: 0, a5: 0 };
    let guard = 0;
    while (env.agents.length > 0 && guard++ < 10_000) {
      const actions: Record<string, Int32Array> = {};
      // Always accept: every learner takes the standing offer on each of its turns.
      for (const n of env.agents) actions[n] = new Int32Array(env.actionSpace.nvec.length);
      const r = env.step(actions);
      for (const [n, v] of Object.entries(r.rewards)) total[n] += v;
    }
    expect(env.world.done).toBe(true);
    expect(guard).toBeGreaterThan(8); // the learners answered on many half-steps
    for (const n of ['a0', 'a5']) expect(total[n]).toBeCloseTo(env.world.score(Number(n.slice(1))) - 1, 9);
  });
});
