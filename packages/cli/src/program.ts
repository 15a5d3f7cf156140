import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import type { CopyFlags } from './commands/copy.js';
import { CliError, ExitCode } from './exitCodes.js';
import { createOutput, type Output } from './output.js';
import type { Target, TargetFlags } from './target.js';

// Commands and drivers are imported when a command runs, so that --help answers at once.
const loadTarget = async (flags: TargetFlags): Promise<Target> =>
  (await import('./target.js')).loadTarget(flags);

const EXIT_CODES = `
Exit codes:
  0  ok
  1  done, with warnings
  2  errors: a check or case failed, bad input, or the operation failed
  3  invalid command line or configuration, or not confirmed: nothing was done`;

const CONFIGURATION = `
The store is configured as applications configure it: a JSON file (--config, or
STOWAGE_CONFIG_FILE), STOWAGE_* variables, then these flags, highest last; one validation.
`;

interface Common extends TargetFlags {
  readonly json?: boolean;
}

/** The options that select the store, shared by every command but copy. */
function withTarget(command: Command): Command {
  return command
    .option('-c, --config <file>', 'JSON configuration file (as STOWAGE_CONFIG_FILE)')
    .option(
      '-u, --url <url>',
      'Redis URL or connection string (host:port,password=...,ssl=True); selects the redis driver',
    )
    .option('-p, --prefix <prefix>', "the store's prefix")
    .addOption(
      new Option(
        '--mode <mode>',
        'Redis mode, for a connection string naming several nodes',
      ).choices(['standalone', 'sentinel', 'cluster']),
    )
    .option('--json', 'print one JSON document on stdout')
    .addHelpText('after', CONFIGURATION + EXIT_CODES);
}

/** Builds the `stowage` program; `done` receives each command's exit code. */
export function buildProgram(done: (code: ExitCode) => void): Command {
  const program = new Command('stowage')
    .description('Check, inspect, move and test a Stowage store.')
    .version(packageVersion())
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXIT_CODES);

  const act =
    <A extends unknown[]>(run: (output: Output, ...args: A) => Promise<ExitCode>) =>
    async (...args: A) => {
      const options = (args.at(-2) ?? {}) as Common;
      done(await run(createOutput(options.json === true), ...args));
    };

  withTarget(
    program
      .command('doctor')
      .description(
        'Check that the deployment will keep the store: reachability, rights, eviction, persistence, replication, topology, the store itself.',
      )
      .option(
        '--admin-url <url>',
        'a connection with admin rights (INFO, CONFIG GET) for the server checks',
      )
      .option('--kinds <a,b>', 'the kinds to count, for drivers that cannot list them')
      .option('--samples <n>', 'PINGs for the latency figures', '20'),
  ).action(
    act(async (output, options: Common & { adminUrl?: string; kinds?: string; samples?: string }) =>
      (await import('./commands/doctor.js')).doctor(await loadTarget(options), output, options),
    ),
  );

  withTarget(
    program
      .command('inspect')
      .description(
        "Show the kinds with counts, sizes and version ranges; one kind's keys; or one item.",
      )
      .argument('[kind]', 'a kind: list its keys')
      .argument('[key]', 'a key of the kind: print the item')
      .option('--kinds <a,b>', 'the kinds to show, for drivers that cannot list them')
      .addHelpText(
        'after',
        '\n--follow (print change events) needs the change feed, which is not built yet.',
      ),
  ).action(
    act(
      async (
        output,
        kind: string | undefined,
        key: string | undefined,
        options: Common & { kinds?: string },
      ) =>
        (await import('./commands/inspect.js')).inspect(
          await loadTarget(options),
          output,
          kind,
          key,
          options,
        ),
    ),
  );

  withTarget(
    program
      .command('export')
      .description(
        'Write every record as JSON lines {kind,key,version,deleted,item}, sorted by kind, then key.',
      )
      .option('-o, --out <file>', 'write to a file (stdout when omitted)')
      .option('--kinds <a,b>', 'only these kinds (needed for drivers that cannot list them)')
      .option('--skip-bad', 'leave out stored values that are not valid items instead of stopping'),
  ).action(
    act(async (output, options: Common & { out?: string; kinds?: string; skipBad?: boolean }) =>
      (await import('./commands/export.js')).exportStore(
        await loadTarget(options),
        output,
        options,
      ),
    ),
  );

  withTarget(
    program
      .command('import')
      .description(
        'Read an export file. Merge by default (version-checked upserts that never overwrite a newer item); --replace replaces the kinds of the file.',
      )
      .argument('[file]', 'the export file; - for stdin', '-')
      .option(
        '--replace',
        "replace the file's kinds (one init); asks first when the store holds data",
      )
      .option('--kinds <a,b>', 'only these kinds; a record of another kind is a bad line')
      .option('--skip-bad', 'skip bad lines instead of writing nothing')
      .option('-y, --yes', 'do not ask (needed without a terminal)')
      .option('--dry-run', 'check the file and report what would change; write nothing'),
  ).action(
    act(
      async (
        output,
        file: string,
        options: Common & {
          replace?: boolean;
          kinds?: string;
          skipBad?: boolean;
          yes?: boolean;
          dryRun?: boolean;
        },
      ) =>
        (await import('./commands/import.js')).importStore(
          await loadTarget(options),
          output,
          file,
          options,
        ),
    ),
  );

  program
    .command('copy')
    .description(
      "Copy a store to another deployment or prefix, then verify the target's counts and checksum.",
    )
    .requiredOption(
      '--from <config-or-url>',
      'the source: a JSON configuration file or a Redis URL/connection string',
    )
    .requiredOption(
      '--to <config-or-url>',
      'the target: a JSON configuration file or a Redis URL/connection string',
    )
    .option('--from-prefix <prefix>', "the source's prefix")
    .option('--to-prefix <prefix>', "the target's prefix")
    .option('--kinds <a,b>', 'only these kinds (needed for drivers that cannot list them)')
    .option('--skip-bad', 'leave out unreadable source values instead of stopping')
    .option(
      '-y, --yes',
      'do not ask before replacing data on the target (needed without a terminal)',
    )
    .option('--dry-run', 'read the source and report; write nothing')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText(
      'after',
      `\nSTOWAGE_* variables and STOWAGE_CONFIG_FILE apply to neither side.${EXIT_CODES}`,
    )
    .action(
      act(async (output, options: CopyFlags) =>
        (await import('./commands/copy.js')).copyStore(output, options),
      ),
    );

  withTarget(
    program
      .command('conformance')
      .description(
        'Run the store contract suite against the deployment under a fresh random prefix, removed afterwards.',
      ),
  ).action(
    act(async (output, options: Common) =>
      (await import('./commands/conformance.js')).conformance(
        await loadTarget(options),
        options,
        output,
      ),
    ),
  );

  return program;
}

function packageVersion(): string {
  const manifest = JSON.parse(
    readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  return manifest.version;
}

/** Runs the command line and answers its exit code; never throws. */
export async function runCli(argv: ReadonlyArray<string>): Promise<ExitCode> {
  let code: ExitCode = ExitCode.Ok;
  const program = buildProgram((result) => {
    code = result;
  });
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    const print = (line: string) => process.stderr.write(`${line}\n`);
    const { StowageConfigError, StowageError } = await import('@stowage/core');
    if (StowageConfigError.is(error)) {
      print(`stowage: ${error.message}`);
      return ExitCode.Usage;
    }
    if (error instanceof CliError) {
      print(`stowage: ${error.message}`);
      return error.exitCode;
    }
    print(
      `stowage: ${StowageError.is(error) ? error.message : String((error as Error)?.message ?? error)}`,
    );
    return ExitCode.Error;
  }
}
