import { commands } from './commands/index.ts';
import { UsageError } from './errors.ts';
import { workflows } from '../core/workflows/registry.ts';

function help(): string {
  const names = Object.keys(commands).sort();
  return [
    'usage: lab <command> [options]',
    '',
    'commands:',
    ...names.map((n) => `  ${n}`),
    '',
    "workflows (the lab's start view; a config or link names one with workflow=ID):",
    ...workflows().map((w) => `  ${w.id.padEnd(12)} seed ${w.seed}  ${w.title}: ${w.cli}`),
    '',
    'lab <command> --help for details',
  ].join('\n');
}

/** Runs one CLI command; returns the exit code. Bad input → one clear line and exit 2, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(help() + '\n');
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`lab: unknown command '${name}'. Run 'lab help' for the list.\n`);
    return 2;
  }
  try {
    const cmd = await load();
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(cmd.usage + '\n');
      return 0;
    }
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`lab ${name}: ${err.message}\n`);
      return 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`lab ${name}: ${message}\n`);
    if (process.env.LAB_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    return 1;
  }
}
