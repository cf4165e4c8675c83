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
