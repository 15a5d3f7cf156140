import type { Observable } from 'rxjs';
import type { KindData, PersistentDataStore } from '../contract/PersistentDataStore.js';
import type { StoreStatus } from '../status/StoreStatus.js';
import type { Frozen } from './deepFreeze.js';
import type { KindDefinition } from './defineKind.js';
import type { VersionedItem } from './VersionedItem.js';
import type { WriteResult } from './WriteResult.js';

/**
 * The store applications use: typed kinds (see `defineKind`), a cache, and an availability
 * stream, over any driver. Created by `createDataStore` (from configuration), by `wrapDriver` (over
 * a driver you built), or resolved from an inversify container.
 *
 * Items handed out are deep-frozen and shared: a cache hit deserializes nothing and copies nothing.
 * Every failure is a `StowageError` with a stable `code`; a backend failure is never "not found".
 */
export interface DataStore {
  /** The item stored under `key`, or `undefined` when there is none or it was deleted. */
  get<T extends VersionedItem>(
    kind: KindDefinition<T>,
    key: string,
  ): Promise<Frozen<T> | undefined>;

  /** Every live item of the kind by key (deleted items left out). The map is the caller's. */
  all<T extends VersionedItem>(kind: KindDefinition<T>): Promise<Map<string, Frozen<T>>>;

  /**
   * Stores `item` (under `item.key`) when nothing is stored or the stored version is lower than
   * `item.version`. Rejected otherwise, with what is stored in `current`.
   */
  upsert<T extends VersionedItem>(kind: KindDefinition<T>, item: T): Promise<WriteResult<T>>;

  /**
   * Deletes `key` by storing a tombstone at `version`, so that an older write arriving late
   * cannot bring the item back. `version` must be newer (strictly greater) than the stored
   * item's version; otherwise nothing changes and the result is `applied: false` with what is
   * stored in `current`. Deleting an unknown key stores the tombstone.
   */
  delete<T extends VersionedItem>(
    kind: KindDefinition<T>,
    key: string,
    version: number,
  ): Promise<WriteResult<T>>;

  /**
   * Replaces the whole content of every kind given, e.g.
   * `init([features.items(flags), segments.items(list)])`, and marks the store initialized.
   * Versions are not compared: what is given is what is stored. Kinds not given are left alone.
   */
  init(data: ReadonlyArray<KindData>): Promise<void>;

  /** True once any instance sharing the prefix has run `init`. Rejects when it cannot tell. */
  isInitialized(): Promise<boolean>;

  /** The availability stream: the current status at once, then one event per change. */
  readonly status$: Observable<StoreStatus>;

  /** The current availability. */
  readonly status: StoreStatus;

  /**
   * The untyped store under this one (cache and status tracking included), for tools that work
   * with serialized items.
   */
  readonly raw: PersistentDataStore;

  /** Stops the status poll and closes the driver. Afterwards every call rejects with `closed`. */
  close(): Promise<void>;
}
