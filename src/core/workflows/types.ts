/**
 * The shape of a workflow's declaration (see registry.ts), apart from the registry so a workflow
 * declared beside its own code (kol/workflow.ts) imports no registry, and the import graph stays a tree.
 */
import type { FieldSpec, Values } from '../experiment/fields.ts';
import type { AlgoId } from '../experiment/vocabulary.ts';

export interface WorkflowSection {
  id: string;
  title: string;
  /** The fields of this section, in form order (each field's own `when` still applies). */
  fields: readonly FieldSpec[];
}

export interface WorkflowDef {
  /** Stable id: share links carry `workflow=<id>`, the CLI names it. */
  id: string;
  title: string;
  /** The design document it implements (shared/seeds). */
  seed: string;
  /** One paragraph for the start view. */
  summary: string;
  /**
   * What data it needs, in words, and which data sources it accepts; none (`kinds: []`) for a
   * workflow that makes its own (supplychain): the lab then asks for no dataset and the runner gets
   * an empty panel.
   */
  data: { needs: string; kinds: readonly ('embedded' | 'synthetic' | 'panel')[] };
  /**
   * The workflow's own settings, each path under its id (`kol.maxWeight`): a config carries them as
   * the object under that id (`{ workflow: 'kol', kol: { maxWeight: 0.1 } }`), share links, sweeps
   * and `lab train --set` by path. Market has none (its settings are the shared vocabulary).
   */
  fields?: readonly FieldSpec[];
  /** Panels of the lab: Setup (data, splits, features, env) and the run fields. */
  setup: readonly WorkflowSection[];
  /**
   * The setting that says where its posts come from (kol's posts, the ensemble's news); its value
   * 'file' means the signals CSV loaded in the lab's Data panel, handed to the run with each Train.
   */
  postsSource?: string;
  /** The setting that seeds its runs when not the shared `seed` (supplychain's tournament seed): run names show it. */
  seedPath?: string;
  /** What its runner's progress counts, plural ('worlds' for a tournament); default 'steps'. */
  progressUnit?: string;
  /** What trains, in words, when its learner is set by its own fields (algorithms: []). */
  learner?: string;
  /** Algorithms it trains (the Agent panel's choice); empty when its learner is set by its own fields. */
  algorithms: readonly AlgoId[];
  /** What its Results view shows, in order: shared sections (RESULT_SECTIONS) and its own. */
  results: readonly string[];
  /** Start values over the default experiment (one click on the start view). */
  start: Values;
  /** The `lab` subcommand that runs it headless. */
  cli: string;
}
