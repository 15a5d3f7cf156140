import type { SerializedItemDescriptor } from '../contract/SerializedItemDescriptor.js';
import type { Frozen } from './deepFreeze.js';
import type { KindDefinition } from './defineKind.js';
import type { VersionedItem } from './VersionedItem.js';
import type { WriteResult } from './WriteResult.js';

/**
 * How the typed store reads and writes the items of one kind: through its cache
 * ({@link TypedItemCache}) or, with a TTL of 0, decoding every answer of the backend
 * ({@link UncachedItems}). The store has validated the kind; keys are validated by the
 * implementation where the backend would not (a cached answer never reaches the driver).
 */
export interface TypedItems<T extends VersionedItem> {
  readonly kind: KindDefinition<T>;
  get(key: string): Promise<Frozen<T> | undefined>;
  /** Every live item of the kind; the map is the caller's. */
  all(): Promise<Map<string, Frozen<T>>>;
  /** Upserts a descriptor made from an item (or a tombstone) of this kind. */
  write(key: string, descriptor: SerializedItemDescriptor): Promise<WriteResult<T>>;
}
