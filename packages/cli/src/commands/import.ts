import type { FullDataSet, PersistentDataStore } from '@stowage/core';
import { confirm } from '../confirm.js';
import { CliError, ExitCode } from '../exitCodes.js';
import type { Output } from '../output.js';
import { createProgress, type Progress } from '../progress.js';
import type { ExportRecord } from '../records.js';
import { parseKindsFlag, type Target } from '../target.js';
import { forEachLimited } from './forEachLimited.js';
import { holdsData } from './holdsData.js';
import { readRecordFile, reportBadLines } from './readRecordFile.js';
import { report } from './report.js';
import { toDataSet } from './toDataSet.js';
import { withStore } from './withStore.js';

/** The flags of `stowage import`. */
export interface ImportFlags {
  readonly replace?: boolean | undefined;
  readonly kinds?: string | undefined;
  readonly skipBad?: boolean | undefined;
  readonly yes?: boolean | undefined;
  readonly dryRun?: boolean | undefined;
}

/** Upserts in flight at once during a merge. */
const MERGE_CONCURRENCY = 16;

/** What both modes of an import work from. */
interface ImportRun {
  readonly store: PersistentDataStore;
  readonly target: Target;
  readonly output: Output;
  readonly progress: Progress;
  readonly records: ReadonlyArray<ExportRecord>;
  readonly badLines: number;
  readonly flags: ImportFlags;
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
    const run = { store, target, output, progress, records, badLines: bad.length, flags };
    // The kinds of the file, and with --kinds those named even if the file has none of them: a
    // replace leaves exactly the file's data in them.
    if (flags.replace === true) await replaceKinds(run, toDataSet(records, kinds ?? []));
    else await mergeRecords(run, toDataSet(records, []));
    return bad.length > 0 ? ExitCode.Warning : ExitCode.Ok;
  });
}

/** `--replace`: one `init` with the file's kinds, after a confirmation if the store holds data. */
async function replaceKinds(run: ImportRun, dataSet: FullDataSet): Promise<void> {
  const { store, target, output, progress, records, badLines, flags } = run;
  const what = dataSet.map(({ kind, items }) => `${kind.namespace} (${items.length})`).join(', ');
  const summary = (dryRun: boolean) => ({
    mode: 'replace',
    dryRun,
    kinds: dataSet.length,
    records: records.length,
    badLines,
  });
  if (flags.dryRun === true) {
    report(
      output,
      summary(true),
      `would replace ${dataSet.length} kinds on ${target.description}: ${what || 'none'}`,
    );
    return;
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
    summary(false),
    `replaced ${dataSet.length} kinds with ${records.length} records on ${target.description}`,
  );
}

/**
 * The default: each record upserted, so a stored item with the same or a newer version stays;
 * with --dry-run the stored versions are compared instead.
 */
async function mergeRecords(run: ImportRun, dataSet: FullDataSet): Promise<void> {
  const { store, target, output, progress, badLines, flags } = run;
  let applied = 0;
  let skipped = 0;
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
    { mode: 'merge', dryRun: flags.dryRun === true, applied, skipped, badLines },
    `${verb} ${applied}, skipped ${skipped} (the same or a newer version is stored) on ${target.description}`,
  );
}
