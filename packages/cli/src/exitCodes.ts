/**
 * The exit codes of every command, for scripts: 0 when all is well, a distinct code for warnings
 * (the command did its job, but something deserves attention), for errors, and for a command
 * line or configuration that is not valid (nothing was done).
 */
export const ExitCode = {
  /** Everything checked is fine; the operation completed. */
  Ok: 0,
  /** Completed, with warnings (a doctor warning, lines skipped with --skip-bad, a source that changed during a copy). */
  Warning: 1,
  /** A check failed, a conformance case failed, the input was bad, or the operation failed. */
  Error: 2,
  /** The command line or the configuration is not valid, or a confirmation was needed: nothing was done. */
  Usage: 3,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure that ends the command with a message (never a stack trace) and an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.Error,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
