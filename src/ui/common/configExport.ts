/**
 * Download config and Copy CLI command, for the experiment on screen and for saved runs. The file
 * is the experiment's ExperimentConfig input (core's configOf, the same object Train sends), so
 * `npx lab train --config <file>` reproduces the run headless; the command names that file.
 */
import { algoOf, configOfExperiment, type Experiment } from '../../store/experiment.ts';
import { download, safeFileName } from '../runs/exporters.ts';

/** A readable default name for an experiment (its workflow, algorithm and seed). */
export function experimentName(e: Experiment): string {
  return e.name ?? `${e.workflow}-${algoOf(e)}-seed${String(e.values.seed)}`;
}

/** `<name>.config.json`, safe as a file name. */
export function configFileName(name: string): string {
  return `${safeFileName(name)}.config.json`;
}

/** The text of the config file: the ExperimentConfig input, named. */
export function configJson(e: Experiment, name = experimentName(e)): string {
  return `${JSON.stringify({ ...configOfExperiment(e), name }, null, 2)}\n`;
}

/** The command that trains the downloaded config headless (CSV data: the files must be given again). */
export function cliCommand(e: Experiment, name = experimentName(e)): string {
  const files = e.values['data.kind'] === 'panel' ? ' --data <your CSV files>' : '';
  return `npx lab train --config ${configFileName(name)}${files} --out runs/${safeFileName(name)}`;
}

export function downloadConfig(e: Experiment, name = experimentName(e)): void {
  download(configFileName(name), configJson(e, name));
}

/** Copies text; where the clipboard is refused, shows it to copy by hand. Returns whether it was copied. */
export async function copyText(text: string, what: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    window.prompt(`Copy this ${what}`, text);
    return false;
  }
}
