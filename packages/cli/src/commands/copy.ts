import type { DataKind, PersistentDataStore } from '@stowage/core';
import { confirm } from '../confirm.js';
import { CliError, ExitCode } from '../exitCodes.js';
import type { Output } from '../output.js';
import { createProgress, type Progress } from '../progress.js';
import { type ExportRecord, RecordChecksum, readKind } from '../records.js';
import { kindsOf, loadSide, parseKindsFlag } from '../target.js';
import { holdsData } from './holdsData.js';
import { report } from './report.js';
import { toDataSet } from './toDataSet.js';

/** The flags of `stowage copy`: two stores, each a URL or a config file. */
export interface CopyFlags {
  readonly from: string;
  readonly to: string;
  readonly fromPrefix?: string | undefined;
  readonly toPrefix?: string | undefined;
  readonly kinds?: string | undefined;
  readonly skipBad?: boolean | undefined;
  readonly yes?: boolean | undefined;
  readonly dryRun?: boolean | undefined;
}

/** Every record of some kinds as read at one time, with their count and checksum. */
interface Snapshot {
  readonly records: ExportRecord[];
  readonly count: number;
  readonly sha256: string;
  readonly bad: number;
}

async function snapshot(
  store: PersistentDataStore,
  kinds: ReadonlyArray<DataKind>,
  skipBad: boolean,
  progress?: Progress,
): Promise<Snapshot> {
  const checksum = new RecordChecksum();
  const records: ExportRecord[] = [];
  let bad = 0;
  for (const kind of kinds) {
    const read = await readKind(store, kind, skipBad);
    progress?.start(`read ${kind.namespace}`, read.records.length);
    for (const record of read.records) {
      checksum.add(record);
      records.push(record);
    }
    progress?.advance(read.records.length);
    progress?.finish(`${read.records.length} records`);
    bad += read.bad.length;
  }
  return { records, count: checksum.count, sha256: checksum.digest(), bad };
}

/**
 * `stowage copy --from A --to B`: reads the source's kinds, replaces them on the target in one
 * `init`, then verifies the target against what was read (count and checksum) and reads the
 * source again to report writes that happened during the copy.
 */
export async function copyStore(output: Output, flags: CopyFlags): Promise<ExitCode> {
  const [source, target] = await Promise.all([
    loadSide(flags.from, flags.fromPrefix),
    loadSide(flags.to, flags.toPrefix),
  ]);
  if (source.description === target.description) {
    throw new CliError(
      `--from and --to are the same store (${source.description})`,
      ExitCode.Usage,
    );
  }
  const progress = createProgress(output);
  const from = source.open();
  const to = target.open();
  try {
    const kinds = await kindsOf(from, parseKindsFlag(flags.kinds));
    const read = await snapshot(from, kinds, flags.skipBad === true, progress);
    const dataSet = toDataSet(read.records, kinds);
    const what = `${kinds.length} kinds, ${read.count} records`;
    if (flags.dryRun === true) {
      report(
        output,
        { dryRun: true, kinds: kinds.length, records: read.count, sha256: read.sha256 },
        `would copy ${what} from ${source.description} to ${target.description}`,
      );
      return ExitCode.Ok;
    }
    if (await holdsData(to, kinds)) {
      await confirm(
        output,
        `Replace ${kinds.map((k) => k.namespace).join(', ') || 'no kinds'} on ${target.description}, which holds data`,
        flags.yes === true,
      );
    }
    progress.start('write', read.count);
    await to.init(dataSet);
    progress.advance(read.count);
    progress.finish(`${read.count} records in ${kinds.length} kinds`);

    const written = await snapshot(to, kinds, false);
    if (written.count !== read.count || written.sha256 !== read.sha256) {
      throw new CliError(
        `verification failed: the target holds ${written.count} records (sha256 ${written.sha256}), the source gave ${read.count} (sha256 ${read.sha256}); another writer may be using the target prefix`,
      );
    }
    const again = await snapshot(from, kinds, true);
    const changed = again.count !== read.count || again.sha256 !== read.sha256;
    const json = {
      dryRun: false,
      kinds: kinds.length,
      records: read.count,
      sha256: read.sha256,
      verified: true,
      sourceChanged: changed,
      skippedBad: read.bad,
    };
    report(
      output,
      json,
      `copied ${what} from ${source.description} to ${target.description}; verified: ${written.count} records, sha256 ${written.sha256}`,
    );
    if (changed) {
      output.err(
        `warning: the source changed during the copy (now ${again.count} records, sha256 ${again.sha256}): the target has the data as first read; copy again once writers have stopped`,
      );
    }
    if (read.bad > 0)
      output.err(`warning: ${read.bad} unreadable source values were left out (--skip-bad)`);
    return changed || read.bad > 0 ? ExitCode.Warning : ExitCode.Ok;
  } finally {
    await Promise.all([from.close(), to.close()]);
  }
}
