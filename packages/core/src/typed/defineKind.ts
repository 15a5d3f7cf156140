import type { DataKind } from '../contract/DataKind.js';
import type { KindData } from '../contract/PersistentDataStore.js';
import { validateKey, validateKind } from '../contract/validation.js';
import { type ItemCodec, itemToDescriptor, jsonItemCodec } from './ItemCodec.js';
import type { VersionedItem } from './VersionedItem.js';

// One shared default codec, so that two definitions of a kind with the default codec agree.
const defaultCodec = jsonItemCodec<VersionedItem>();

/** Options of {@link defineKind}. */
export interface KindOptions<T extends VersionedItem> {
  /** How items are stored. Default: JSON. */
  readonly codec?: ItemCodec<T>;
}

/**
 * A kind of the typed store: its namespace, its item type and its codec. It is a
 * {@link DataKind}, so it can be passed to raw stores too.
 */
export interface KindDefinition<T extends VersionedItem> extends DataKind {
  readonly namespace: string;
  readonly codec: ItemCodec<T>;
  /**
   * The whole content of this kind for the typed store's `init`, e.g.
   * `store.init([features.items(flags), segments.items(list)])`. Items are serialized here; a
   * key given twice keeps the last one.
   */
  items(list: Iterable<T>): KindData;
}

/**
 * Defines a kind once, with its item type and codec:
 *
 * ```ts
 * interface Flag extends VersionedItem { readonly on: boolean }
 * const features = defineKind<Flag>('features');
 * ```
 *
 * The namespace is checked here (letters, digits, `_`, `-`, `.`), so a bad one fails at start-up.
 */
export function defineKind<T extends VersionedItem>(
  namespace: string,
  options: KindOptions<T> = {},
): KindDefinition<T> {
  validateKind({ namespace });
  const codec = options.codec ?? (defaultCodec as ItemCodec<T>);
  const kind: KindDefinition<T> = Object.freeze({
    namespace,
    codec,
    items(list: Iterable<T>): KindData {
      const items = [];
      for (const item of list) {
        validateKey(item.key);
        items.push([item.key, itemToDescriptor(item, codec)] as const);
      }
      return { kind, items };
    },
  });
  return kind;
}
