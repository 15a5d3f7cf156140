#!/usr/bin/env node
import { runCli } from './program.js';

const code = await runCli(process.argv);
// Exit once everything written has been flushed (stdout may be a pipe); open sockets of a failed
// connection must not keep the process alive.
process.stdout.write('', () => process.exit(code));
