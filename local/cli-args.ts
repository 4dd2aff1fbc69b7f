// One way for every script a user runs to read its arguments: `node:util` parseArgs, `--help`/`-h`
// prints the usage and exits 0, a mistake (unknown flag or command, bad value) prints the problem
// and the usage and exits 2, as CLIs do.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** A mistake in how the command was called: the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {}

export type Cli<O extends Options> = {
  usage: string;
  options: O;
  /** Whether positional arguments (commands, emails, ids) are taken. */
  positionals?: boolean;
};

/** Options that each take a value (`--name value`), by name. */
export function valueOptions<N extends string>(...names: N[]): Record<N, { type: 'string' }> {
  return Object.fromEntries(names.map((n) => [n, { type: 'string' }])) as Record<N, { type: 'string' }>;
}

export function parseCliArgs<O extends Options>(cli: Cli<O>, argv: string[]) {
  const options = { ...cli.options, help: { type: 'boolean', short: 'h' } } as O & {
    help: { type: 'boolean'; short: 'h' };
  };
  try {
    return parseArgs({ args: argv, options, allowPositionals: cli.positionals ?? false, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/**
 * Parses `argv` (default: the process's) for a script's entry point. Exits 0 after printing the
 * usage on `--help`, 2 on a usage mistake; `check` may throw `UsageError` for mistakes of meaning.
 */
export function cliArgs<O extends Options, R = ReturnType<typeof parseCliArgs<O>>>(
  cli: Cli<O>,
  check?: (parsed: ReturnType<typeof parseCliArgs<O>>) => R,
  argv = process.argv.slice(2),
): R {
  try {
    const parsed = parseCliArgs(cli, argv);
    if ((parsed.values as { help?: boolean }).help) {
      console.log(cli.usage);
      process.exit(0);
    }
    return check ? check(parsed) : (parsed as R);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`${e.message}\n\n${cli.usage}`);
    process.exit(2);
  }
}
