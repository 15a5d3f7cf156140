export { isLoopbackHost, transportFinding } from './doctor/addressRule.js';
export type { Finding, Status } from './doctor/Finding.js';
export { CliError, ExitCode } from './exitCodes.js';
export { buildProgram, runCli } from './program.js';
export { type ExportRecord, formatRecord, parseRecord } from './records.js';
