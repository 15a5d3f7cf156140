import pc from 'picocolors';

/** Where a command writes: results to stdout, progress and diagnostics to stderr. */
export interface Output {
  /** True with --json: stdout carries one JSON document and nothing else. */
  readonly json: boolean;
  /** stdout: results. */
  out(line: string): void;
  /** stderr: progress, diagnostics. */
  err(line: string): void;
  /** True when stderr is a terminal: progress bars. */
  readonly terminal: boolean;
  /** True when stdin and stderr are a terminal: questions can be asked. */
  readonly interactive: boolean;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    terminal: process.stderr.isTTY === true,
    interactive: process.stderr.isTTY === true && process.stdin.isTTY === true,
  };
}

/** The status words of check results, coloured where the terminal shows colour. */
export const mark = {
  ok: pc.green('ok     '),
  warning: pc.yellow('warning'),
  error: pc.red('error  '),
  skipped: pc.dim('unknown'),
} as const;

export { pc };

/** Left-aligned columns, the widths taken from the widest cell (colour codes not counted). */
export function table(rows: ReadonlyArray<ReadonlyArray<string>>): string[] {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes
  const width = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '').length;
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, width(cell));
    });
  }
  return rows.map((row) =>
    row
      .map((cell, index) =>
        index === row.length - 1 ? cell : cell + ' '.repeat((widths[index] ?? 0) - width(cell)),
      )
      .join('  ')
      .trimEnd(),
  );
}
