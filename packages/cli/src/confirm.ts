import { createInterface } from 'node:readline/promises';
import { CliError, ExitCode } from './exitCodes.js';
import type { Output } from './output.js';

/**
 * Asks before a destructive step: on a terminal, a y/N question; otherwise `--yes` must have been
 * given, and without it nothing is done.
 */
export async function confirm(output: Output, question: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!output.interactive) {
    throw new CliError(
      `${question}: not confirmed. Give --yes to go ahead without a terminal (or --dry-run to see what would happen).`,
      ExitCode.Usage,
    );
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`${question}? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) {
      throw new CliError('not confirmed: nothing was written', ExitCode.Usage);
    }
  } finally {
    prompt.close();
  }
}
