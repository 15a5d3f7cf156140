import { type PersistentDataStore, StowageSerializationError } from '@stowage/core';
import { validateKey, validateKind } from '@stowage/core/driver';
import { CliError, ExitCode } from '../exitCodes.js';
import { type Output, pc, table } from '../output.js';
import { readKind } from '../records.js';
import { kindsOf, parseKindsFlag, type Target } from '../target.js';
import { withStore } from './withStore.js';

/** The flags of `stowage inspect`. */
export interface InspectFlags {
  readonly kinds?: string | undefined;
}

/** One row of the kinds table. */
interface KindSummary {
  readonly kind: string;
  readonly items: number;
  readonly tombstones: number;
  readonly bytes: number;
  readonly minVersion: number | null;
  readonly maxVersion: number | null;
  readonly bad: number;
}

/** `stowage inspect [kind] [key]`: the kinds, one kind's keys, or one item. */
export async function inspect(
  target: Target,
  output: Output,
  kindName: string | undefined,
  key: string | undefined,
  flags: InspectFlags,
): Promise<ExitCode> {
  return withStore(target, async (store) => {
    if (kindName === undefined) return inspectKinds(store, target, output, flags);
    const kind = { namespace: kindName };
    try {
      validateKind(kind);
      if (key !== undefined) validateKey(key);
    } catch (error) {
      throw new CliError((error as Error).message, ExitCode.Usage);
    }
    if (key === undefined) return inspectKind(store, output, kindName);
    return inspectItem(store, output, kindName, key);
  });
}

/** Every kind: items, tombstones, bytes, versions, unreadable values. */
async function inspectKinds(
  store: PersistentDataStore,
  target: Target,
  output: Output,
  flags: InspectFlags,
): Promise<ExitCode> {
  const initialized = await store.isInitialized();
  const kinds = await kindsOf(store, parseKindsFlag(flags.kinds));
  const summaries: KindSummary[] = [];
  for (const kind of kinds) {
    const { records, bad } = await readKind(store, kind, true);
    const versions = records.map((record) => record.version);
    summaries.push({
      kind: kind.namespace,
      items: records.filter((record) => !record.deleted).length,
      tombstones: records.filter((record) => record.deleted).length,
      bytes: records.reduce((sum, record) => sum + Buffer.byteLength(record.item), 0),
      minVersion: versions.length === 0 ? null : Math.min(...versions),
      maxVersion: versions.length === 0 ? null : Math.max(...versions),
      bad: bad.length,
    });
  }
  const anyBad = summaries.some((summary) => summary.bad > 0);
  if (output.json) {
    output.out(JSON.stringify({ store: target.description, initialized, kinds: summaries }));
  } else {
    output.out(
      `${target.description}: ${initialized ? 'initialized' : pc.yellow('not initialized')}`,
    );
    if (summaries.length === 0) output.out('no kinds');
    else {
      const rows = summaries.map((s) => [
        s.kind,
        String(s.items),
        String(s.tombstones),
        String(s.bytes),
        s.minVersion === null ? '-' : `${s.minVersion}..${s.maxVersion}`,
        s.bad === 0 ? '' : pc.red(`${s.bad} unreadable`),
      ]);
      for (const line of table([
        ['KIND', 'ITEMS', 'TOMBSTONES', 'BYTES', 'VERSIONS', ''],
        ...rows,
      ])) {
        output.out(line);
      }
    }
  }
  return anyBad ? ExitCode.Error : ExitCode.Ok;
}

/** One kind's keys, with version, state and size. */
async function inspectKind(
  store: PersistentDataStore,
  output: Output,
  kindName: string,
): Promise<ExitCode> {
  const kind = { namespace: kindName };
  const { records, bad } = await readKind(store, kind, true);
  if (output.json) {
    output.out(
      JSON.stringify({
        kind: kindName,
        items: records.map(({ key, version, deleted, item }) => ({
          key,
          version,
          deleted,
          bytes: Buffer.byteLength(item),
        })),
        unreadable: bad,
      }),
    );
  } else {
    const rows = [
      ...records.map((r) => [
        r.key,
        String(r.version),
        r.deleted ? pc.dim('tombstone') : 'item',
        String(Buffer.byteLength(r.item)),
      ]),
      ...bad.map((k) => [k, '-', pc.red('unreadable'), '-']),
    ];
    if (rows.length === 0) output.out(`kind "${kindName}" holds nothing`);
    else
      for (const line of table([['KEY', 'VERSION', 'STATE', 'BYTES'], ...rows])) output.out(line);
  }
  return bad.length > 0 ? ExitCode.Error : ExitCode.Ok;
}

/** One item, its JSON body pretty-printed. */
async function inspectItem(
  store: PersistentDataStore,
  output: Output,
  kindName: string,
  key: string,
): Promise<ExitCode> {
  const kind = { namespace: kindName };
  let descriptor: Awaited<ReturnType<typeof store.get>>;
  try {
    descriptor = await store.get(kind, key);
  } catch (error) {
    if (!StowageSerializationError.is(error)) throw error;
    throw new CliError(`the value stored for "${key}" in kind "${kindName}" is not a valid item`);
  }
  if (descriptor === undefined) {
    throw new CliError(`nothing is stored for "${key}" in kind "${kindName}"`);
  }
  const body: unknown = JSON.parse(descriptor.serializedItem ?? 'null');
  if (output.json) {
    output.out(
      JSON.stringify({
        kind: kindName,
        key,
        version: descriptor.version,
        deleted: descriptor.deleted,
        item: body,
      }),
    );
  } else {
    output.out(
      `${kindName} / ${key}: version ${descriptor.version}${descriptor.deleted ? `, ${pc.yellow('tombstone')} (deleted)` : ''}`,
    );
    output.out(JSON.stringify(body, null, 2));
  }
  return ExitCode.Ok;
}
