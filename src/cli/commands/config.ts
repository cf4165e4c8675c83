/**
 * `lab config`: the experiment as a file, a share link and back.
 *
 *   lab config print [lab train's flags]   the resolved ExperimentConfig those flags run (JSON)
 *   lab config from-link URL_OR_HASH       the resolved ExperimentConfig a share link encodes (notices on stderr)
 *   lab config to-link FILE                the share-link hash of a config file
 *
 * `lab train --config FILE` runs any of them; the lab's links and downloads read the same.
 */
import { isSanityEnv } from '../../core/envs/sanity.ts';
import { parseLink, linkOfConfig } from '../../core/experiment/link.ts';
import { parseArgs } from '../args.ts';
import { UsageError } from '../errors.ts';
import {
  EXPERIMENT_FLAGS,
  EXPERIMENT_FLAGS_USAGE,
  experimentFromFlags,
  readConfigFile,
  resolveOrUsage,
} from '../experimentArgs.ts';
import { printJson } from '../output.ts';
import type { CliCommand } from './index.ts';

const usage = `usage: lab config print [--config FILE] [lab train's experiment flags]
       lab config from-link URL_OR_HASH
       lab config to-link FILE

print      the resolved ExperimentConfig (every key spelled out) that lab train runs with the same
           flags; with none, core's default experiment (the lab's Train with nothing changed).
           Save it, edit it, run it: lab config print --algo ppo > exp.json; lab train --config exp.json --out DIR
from-link  the resolved ExperimentConfig of a share link (the lab's address, or the part after #);
           what the link could not carry (unknown keys, bad values) goes to stderr
to-link    the link hash (key=value&…, the config's dotted paths) of a config file; append it to
           the lab's address after '#'

${EXPERIMENT_FLAGS_USAGE}`;

const printSpec = { flags: EXPERIMENT_FLAGS } as const;

async function print(argv: string[]): Promise<number> {
  const { flags } = parseArgs(argv, printSpec);
  if (flags.env !== undefined && isSanityEnv(flags.env))
    throw new UsageError(`--env ${flags.env} is a sanity env, not an experiment config`);
  // The user's files are not read here: --data only names them (data.kind 'panel').
  const exp = await experimentFromFlags(flags);
  if (exp.kind !== 'market') throw new UsageError('not a market experiment');
  printJson(exp.config);
  return 0;
}

async function fromLink(argv: string[]): Promise<number> {
  const { positionals } = parseArgs(argv, {
    flags: {},
    positionals: { min: 1, max: 1, names: ['url-or-hash'] },
  });
  const link = parseLink(positionals[0]);
  for (const n of link.notices) process.stderr.write(`lab config: note: ${n}\n`);
  printJson(await resolveOrUsage(link.config, 'the link: '));
  return 0;
}

async function toLink(argv: string[]): Promise<number> {
  const { positionals } = parseArgs(argv, {
    flags: {},
    positionals: { min: 1, max: 1, names: ['config.json'] },
  });
  const file = positionals[0];
  const config = await resolveOrUsage(readConfigFile(file), `${file}: `);
  process.stdout.write(linkOfConfig(config as unknown as Record<string, unknown>) + '\n');
  return 0;
}

export const command: CliCommand = {
  summary:
    'the experiment config: print (lab train flags → JSON), from-link (share link → JSON), to-link (JSON → link)',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'print') return print(rest);
    if (sub === 'from-link') return fromLink(rest);
    if (sub === 'to-link') return toLink(rest);
    throw new UsageError(
      sub === undefined
        ? 'missing subcommand: print, from-link or to-link'
        : `unknown subcommand '${sub}' (print, from-link, to-link)`,
    );
  },
};
