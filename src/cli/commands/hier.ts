/** `lab hier …`: the hierarchical workflow's commands (pbt: the MF-PBT population). */
import { UsageError } from '../errors.ts';
import type { CliCommand } from './index.ts';
import { pbtUsage } from './hierPbt.ts';

export const command: CliCommand = {
  summary: 'the hierarchy of diverse experts (seed 002): pbt (an MF-PBT population)',
  usage: pbtUsage,
  async run(argv) {
    if (argv[0] === 'pbt') return (await import('./hierPbt.ts')).runHierPbt(argv.slice(1));
    throw new UsageError(`lab hier: unknown subcommand '${argv[0] ?? ''}' (pbt)`);
  },
};
