import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { DataKind } from '@stowage/core';
import { CliError } from '../exitCodes.js';
import type { Output } from '../output.js';
import { type ExportRecord, parseRecord } from '../records.js';

/** Bad lines listed before "and N more". */
const SHOWN_PROBLEMS = 20;

/** A line of a record file that cannot be imported, and why. */
export interface BadLine {
  readonly line: number;
  readonly problem: string;
}

/**
 * Reads and checks every line of an export file (`-`: stdin) before anything is written: each must
 * be a record of an allowed kind, and no kind and key may come twice.
 */
export async function readRecordFile(
  file: string,
  kinds: ReadonlyArray<DataKind> | undefined,
): Promise<{ records: ExportRecord[]; bad: BadLine[] }> {
  const allowed = kinds === undefined ? undefined : new Set(kinds.map((kind) => kind.namespace));
  const input = file === '-' ? process.stdin : createReadStream(file);
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  const records: ExportRecord[] = [];
  const bad: BadLine[] = [];
  const seen = new Map<string, number>();
  let number = 0;
  try {
    for await (const line of lines) {
      number += 1;
      if (line.trim() === '') continue;
      const parsed = parseRecord(line, allowed);
      if (typeof parsed === 'string') {
        bad.push({ line: number, problem: parsed });
        continue;
      }
      const id = JSON.stringify([parsed.kind, parsed.key]);
      const first = seen.get(id);
      if (first !== undefined) {
        bad.push({
          line: number,
          problem: `repeats kind "${parsed.kind}", key ${JSON.stringify(parsed.key)} of line ${first}`,
        });
        continue;
      }
      seen.set(id, number);
      records.push(parsed);
    }
  } catch (error) {
    throw new CliError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return { records, bad };
}

/** Prints the first bad lines as `FILE:LINE: problem` on stderr. */
export function reportBadLines(output: Output, file: string, bad: ReadonlyArray<BadLine>): void {
  for (const { line, problem } of bad.slice(0, SHOWN_PROBLEMS))
    output.err(`${file}:${line}: ${problem}`);
  if (bad.length > SHOWN_PROBLEMS)
    output.err(`... and ${bad.length - SHOWN_PROBLEMS} more bad lines`);
}
