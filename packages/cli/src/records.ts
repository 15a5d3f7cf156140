import { createHash } from 'node:crypto';
import {
  type DataKind,
  type PersistentDataStore,
  type SerializedItemDescriptor,
  StowageSerializationError,
} from '@stowage/core';
import { validateUpsert } from '@stowage/core/driver';
import { CliError } from './exitCodes.js';

/**
 * One line of the export format: an item as stored. `item` is the stored string exactly (a JSON
 * string, not a nested object), so that export → import → export is byte-identical whichever
 * writer produced the body.
 */
export interface ExportRecord {
  readonly kind: string;
  readonly key: string;
  readonly version: number;
  readonly deleted: boolean;
  readonly item: string;
}

const FIELDS = ['kind', 'key', 'version', 'deleted', 'item'] as const;

/** The line of a record (no newline), its fields always in the same order. */
export function formatRecord(record: ExportRecord): string {
  const { kind, key, version, deleted, item } = record;
  return JSON.stringify({ kind, key, version, deleted, item });
}

export const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The descriptor a record stands for. */
export const descriptorOf = (record: ExportRecord): SerializedItemDescriptor => ({
  version: record.version,
  deleted: record.deleted,
  serializedItem: record.item,
});

/**
 * Reads one line into a record, or says what is wrong with it: not JSON, a field missing or of
 * the wrong type, a kind that is not a valid namespace (or not among `kinds`), a version that is
 * not a non-negative integer, or a body every driver would not read back as the record says.
 */
export function parseRecord(
  line: string,
  kinds: ReadonlySet<string> | undefined,
): ExportRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'is not a JSON record (truncated or corrupt)';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'is not a JSON object {kind, key, version, deleted, item}';
  }
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).filter(
    (name) => !(FIELDS as ReadonlyArray<string>).includes(name),
  );
  if (unknown.length > 0) return `has unknown fields: ${unknown.join(', ')}`;
  const { kind, key, version, deleted, item } = record;
  if (typeof kind !== 'string') return 'has no string "kind"';
  if (kinds !== undefined && !kinds.has(kind))
    return `has kind "${kind.slice(0, 50)}", not in --kinds`;
  if (typeof key !== 'string') return 'has no string "key"';
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    return 'has a "version" that is not a non-negative integer';
  }
  if (typeof deleted !== 'boolean') return 'has a "deleted" that is not true or false';
  if (typeof item !== 'string') return 'has an "item" that is not a string (the stored JSON text)';
  try {
    validateUpsert({ namespace: kind }, key, { version, deleted, serializedItem: item });
  } catch (error) {
    return (error as Error).message;
  }
  return { kind, key, version, deleted, item };
}

/** What reading a kind found. */
export interface KindRead {
  readonly kind: DataKind;
  /** The kind's records, sorted by key. */
  readonly records: ReadonlyArray<ExportRecord>;
  /** Keys whose stored values are not valid items (only with skipBad). */
  readonly bad: ReadonlyArray<string>;
}

/**
 * Every item of a kind as records sorted by key. A stored value no driver can read stops with an
 * error naming the kind and the keys, unless `skipBad`, which leaves those keys out.
 */
export async function readKind(
  store: PersistentDataStore,
  kind: DataKind,
  skipBad: boolean,
): Promise<KindRead> {
  let items: ReadonlyMap<string, SerializedItemDescriptor>;
  let bad: ReadonlyArray<string> = [];
  try {
    items = await store.getAll(kind);
  } catch (error) {
    if (!StowageSerializationError.is(error)) throw error;
    if (!skipBad) {
      throw new CliError(
        `kind "${kind.namespace}" holds values that are not valid items: ${error.keys
          .slice(0, 5)
          .map((key) => JSON.stringify(key))
          .join(
            ', ',
          )}${error.keys.length > 5 ? ` and ${error.keys.length - 5} more` : ''}; nothing was written (use --skip-bad to leave them out)`,
      );
    }
    items = error.parsed;
    bad = [...error.keys].sort(compareKeys);
  }
  const records = [...items.keys()].sort(compareKeys).map((key) => {
    const descriptor = items.get(key) as SerializedItemDescriptor;
    return {
      kind: kind.namespace,
      key,
      version: descriptor.version,
      deleted: descriptor.deleted,
      item: descriptor.serializedItem ?? '',
    };
  });
  return { kind, records, bad };
}

/** A running SHA-256 over record lines, as they would be written to a file. */
export class RecordChecksum {
  private readonly hash = createHash('sha256');
  count = 0;

  add(record: ExportRecord): void {
    this.hash.update(`${formatRecord(record)}\n`);
    this.count += 1;
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}
