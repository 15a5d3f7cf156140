import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { DataKind, FullDataSet, KeyedItem } from '@stowage/core';
import { confirm } from '../confirm.js';
import { CliError, ExitCode } from '../exitCodes.js';
import type { Output } from '../output.js';
import { createProgress } from '../progress.js';
import { descriptorOf, type ExportRecord, parseRecord } from '../records.js';
import { byNamespace, parseKindsFlag, type Target } from '../target.js';
import { forEachLimited, holdsData, withStore } from './common.js';

export interface ImportFlags {
  readonly replace?: boolean | undefined;
  readonly kinds?: string | undefined;
  readonly skipBad?: boolean | undefined;
  readonly yes?: boolean | undefined;
  readonly dryRun?: boolean | undefined;
}

/** Upserts in flight at once during a merge. */
const MERGE_CONCURRENCY = 16;
/** Bad lines listed before "and N more". */
const SHOWN_PROBLEMS = 20;

interface BadLine {
  readonly line: number;
  readonly problem: string;
}

/** Reads and checks every line before anything is written. */
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

export function reportBadLines(output: Output, file: string, bad: ReadonlyArray<BadLine>): void {
  for (const { line, problem } of bad.slice(0, SHOWN_PROBLEMS))
    output.err(`${file}:${line}: ${problem}`);
  if (bad.length > SHOWN_PROBLEMS)
    output.err(`... and ${bad.length - SHOWN_PROBLEMS} more bad lines`);
}

/** The records grouped by kind, kinds sorted, as `init` takes them. */
export function toDataSet(
  records: ReadonlyArray<ExportRecord>,
  kinds: ReadonlyArray<DataKind>,
): FullDataSet {
  const byKind = new Map<string, KeyedItem[]>(kinds.map((kind) => [kind.namespace, []]));
  for (const record of records) {
    let items = byKind.get(record.kind);
    if (items === undefined) {
      items = [];
      byKind.set(record.kind, items);
    }
    items.push([record.key, descriptorOf(record)]);
  }
  return [...byKind.keys()]
    .map((namespace) => ({ namespace }))
    .sort(byNamespace)
    .map((kind) => ({ kind, items: byKind.get(kind.namespace) ?? [] }));
}

/**
 * `stowage import FILE`: checks every line first (nothing is written if one is bad, unless
 * --skip-bad), then either replaces the kinds (`--replace`, one `init`) or merges with
 * version-checked upserts that never overwrite a newer item.
 */
export async function importStore(
  target: Target,
  output: Output,
  file: string,
  flags: ImportFlags,
): Promise<ExitCode> {
  const kinds = parseKindsFlag(flags.kinds);
  const { records, bad } = await readRecordFile(file, kinds);
  reportBadLines(output, file, bad);
  if (bad.length > 0 && flags.skipBad !== true) {
    throw new CliError(
      `${bad.length} bad lines in ${file}: nothing was written (use --skip-bad to leave them out)`,
    );
  }
  const progress = createProgress(output);
  return withStore(target, async (store) => {
    if (flags.replace === true) {
      // The kinds of the file, and with --kinds those named even if the file has none of them:
      // a replace leaves exactly the file's data in them.
      const dataSet = toDataSet(records, kinds ?? []);
      const what = dataSet
        .map(({ kind, items }) => `${kind.namespace} (${items.length})`)
        .join(', ');
      if (flags.dryRun === true) {
        report(
          output,
          {
            mode: 'replace',
            dryRun: true,
            kinds: dataSet.length,
            records: records.length,
            badLines: bad.length,
          },
          `would replace ${dataSet.length} kinds on ${target.description}: ${what || 'none'}`,
        );
        return bad.length > 0 ? ExitCode.Warning : ExitCode.Ok;
      }
      if (
        await holdsData(
          store,
          dataSet.map(({ kind }) => kind),
        )
      ) {
        await confirm(
          output,
          `Replace the kinds ${what} on ${target.description}, which holds data`,
          flags.yes === true,
        );
      }
      progress.start('replace', records.length);
      await store.init(dataSet);
      progress.advance(records.length);
      progress.finish(`${records.length} records in ${dataSet.length} kinds`);
      report(
        output,
        {
          mode: 'replace',
          dryRun: false,
          kinds: dataSet.length,
          records: records.length,
          badLines: bad.length,
        },
        `replaced ${dataSet.length} kinds with ${records.length} records on ${target.description}`,
      );
      return bad.length > 0 ? ExitCode.Warning : ExitCode.Ok;
    }

    let applied = 0;
    let skipped = 0;
    const dataSet = toDataSet(records, []);
    for (const { kind, items } of dataSet) {
      progress.start(kind.namespace, items.length);
      if (flags.dryRun === true) {
        const current = await store.getAll(kind);
        for (const [key, descriptor] of items) {
          const stored = current.get(key);
          if (stored === undefined || stored.version < descriptor.version) applied += 1;
          else skipped += 1;
        }
        progress.advance(items.length);
      } else {
        await forEachLimited(items, MERGE_CONCURRENCY, async ([key, descriptor]) => {
          const result = await store.upsert(kind, key, descriptor);
          if (result.applied) applied += 1;
          else skipped += 1;
          progress.advance();
        });
      }
      progress.finish(`${items.length} records`);
    }
    const verb = flags.dryRun === true ? 'would apply' : 'applied';
    report(
      output,
      { mode: 'merge', dryRun: flags.dryRun === true, applied, skipped, badLines: bad.length },
      `${verb} ${applied}, skipped ${skipped} (the same or a newer version is stored) on ${target.description}`,
    );
    return bad.length > 0 ? ExitCode.Warning : ExitCode.Ok;
  });
}

function report(output: Output, json: Record<string, unknown>, text: string): void {
  if (output.json) output.out(JSON.stringify(json));
  else output.out(text);
}
