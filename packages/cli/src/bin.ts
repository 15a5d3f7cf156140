#!/usr/bin/env node
import { ExitCode } from './exitCodes.js';
import { runCli } from './program.js';

// A reader that stops early (`stowage export | head`) closes the pipe: stop quietly, as other
// command-line tools do, instead of reporting the failed write as an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(ExitCode.Ok);
  throw error;
});

const code = await runCli(process.argv);
// Exit once everything written has been flushed (stdout may be a pipe); open sockets of a failed
// connection must not keep the process alive.
process.stdout.write('', () => process.exit(code));
