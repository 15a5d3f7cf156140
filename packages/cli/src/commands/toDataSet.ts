import type { DataKind, FullDataSet, KeyedItem } from '@stowage/core';
import { descriptorOf, type ExportRecord } from '../records.js';
import { byNamespace } from '../target.js';

/**
 * The records grouped by kind, kinds sorted, as `init` takes them; every kind of `kinds` is in it,
 * empty when no record has it.
 */
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
