/**
 * Command registry. Each command lives in its own file and exports `command: CliCommand`;
 * modules load lazily so `lab metrics` never pays for tfjs.
 */
export interface CliCommand {
  /** One line shown by `lab help`. */
  summary: string;
  /** Full usage text shown by `lab <command> --help`. */
  usage: string;
  /** Returns the process exit code. Throw UsageError for bad input (→ exit 2, one line). */
  run(argv: string[]): Promise<number>;
}

export const commands: Record<string, () => Promise<CliCommand>> = {};
commands.metrics = async () => (await import('./metrics.ts')).command;
commands.bench = async () => (await import('./bench.ts')).command;
commands.import = async () => (await import('./import.ts')).command;
commands.backtest = async () => (await import('./backtest.ts')).command;
commands.kol = async () => (await import('./kol.ts')).command;
commands.replay = async () => (await import('./replay.ts')).command;
commands.features = async () => (await import('./features.ts')).command;
commands.sweep = async () => (await import('./sweep.ts')).command;
commands.merge = async () => (await import('./merge.ts')).command;
commands.train = async () => (await import('./train.ts')).command;
commands.evaluate = async () => (await import('./evaluate.ts')).command;
commands.config = async () => (await import('./config.ts')).command;
commands.ensemble = async () => (await import('./ensemble.ts')).command;
commands.scml = async () => (await import('./scml.ts')).command;
commands.forecast = async () => (await import('./forecast.ts')).command;
commands.hier = async () => (await import('./hier.ts')).command;
