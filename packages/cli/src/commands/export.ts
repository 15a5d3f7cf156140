import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { CliError, ExitCode } from '../exitCodes.js';
import type { Output } from '../output.js';
import { createProgress } from '../progress.js';
import { formatRecord, RecordChecksum, readKind } from '../records.js';
import { kindsOf, parseKindsFlag, type Target } from '../target.js';
import { withStore } from './withStore.js';

/** The flags of `stowage export`. */
export interface ExportFlags {
  readonly out?: string | undefined;
  readonly kinds?: string | undefined;
  readonly skipBad?: boolean | undefined;
}

/** Writes `text` to the stream, waiting when its buffer is full. */
async function write(stream: NodeJS.WritableStream | WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/**
 * `stowage export`: every record of the store, one JSON line each, sorted by kind then key, to a
 * file (written under a temporary name and renamed at the end, so a failed export leaves no file)
 * or to stdout.
 */
export async function exportStore(
  target: Target,
  output: Output,
  flags: ExportFlags,
): Promise<ExitCode> {
  if (output.json && flags.out === undefined) {
    throw new CliError('--json needs --out FILE: stdout carries the records', ExitCode.Usage);
  }
  const progress = createProgress(output);
  const partial = flags.out === undefined ? undefined : `${flags.out}.partial`;
  const stream =
    partial === undefined ? process.stdout : createWriteStream(partial, { flags: 'wx' });
  const checksum = new RecordChecksum();
  const skipped: Array<{ kind: string; key: string }> = [];
  try {
    const kinds = await withStore(target, async (store) => {
      const listed = await kindsOf(store, parseKindsFlag(flags.kinds));
      for (const kind of listed) {
        const { records, bad } = await readKind(store, kind, flags.skipBad === true);
        for (const key of bad) skipped.push({ kind: kind.namespace, key });
        progress.start(kind.namespace, records.length);
        for (const record of records) {
          await write(stream, `${formatRecord(record)}\n`);
          checksum.add(record);
          progress.advance();
        }
        progress.finish(
          `${records.length} records${bad.length > 0 ? `, ${bad.length} unreadable skipped` : ''}`,
        );
      }
      return listed;
    });
    if (partial !== undefined && flags.out !== undefined) {
      (stream as WriteStream).end();
      await once(stream, 'close');
      await rename(partial, flags.out);
    }
    const summary = {
      kinds: kinds.length,
      records: checksum.count,
      sha256: checksum.digest(),
      skipped,
    };
    for (const { kind, key } of skipped)
      output.err(`skipped unreadable value: kind "${kind}", key ${JSON.stringify(key)}`);
    if (output.json) output.out(JSON.stringify({ file: flags.out, ...summary }));
    else
      output.err(
        `exported ${summary.kinds} kinds, ${summary.records} records (sha256 ${summary.sha256})`,
      );
    return skipped.length > 0 ? ExitCode.Warning : ExitCode.Ok;
  } catch (error) {
    if (partial !== undefined) {
      (stream as WriteStream).destroy();
      await rm(partial, { force: true });
    }
    throw error;
  }
}
