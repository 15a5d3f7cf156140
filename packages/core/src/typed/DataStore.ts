import type { Observable } from 'rxjs';
import type { KindData, PersistentDataStore } from '../contract/PersistentDataStore.js';
import type { StoreStatus } from '../status/StoreStatus.js';
import type { Frozen } from './deepFreeze.js';
import type { KindDefinition } from './defineKind.js';
import type { VersionedItem } from './VersionedItem.js';
import type { WriteResult } from './WriteResult.js';

/**
 * A change as applications see it (see {@link DataStore.changes$}): an item written (`upsert`,
 * tombstones included, with its new version), a kind replaced (`init`) or changed by a writer that
 * does not announce item by item (`kind`), or a gap after which anything may have changed
 * (`reset`). Events carry no item: read it with `get` (the cache already knows it changed).
 */
export type StoreChange =
  | {
      readonly type: 'upsert';
      readonly namespace: string;
      readonly key: string;
      readonly version: number;
      readonly deleted: boolean;
    }
  | { readonly type: 'init' | 'kind'; readonly namespace: string }
  | { readonly type: 'reset' };

/** A change of one kind, carrying its definition, so that `store.get(change.kind, change.key)` is typed. */
export type KindStoreChange<T extends VersionedItem> =
  | {
      readonly type: 'upsert';
      readonly kind: KindDefinition<T>;
      readonly key: string;
      readonly version: number;
      readonly deleted: boolean;
    }
  | { readonly type: 'init' | 'kind'; readonly kind: KindDefinition<T> }
  | { readonly type: 'reset' };

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

  /**
   * Every change to the store's prefix, by any instance sharing it (this one's included), as the
   * driver's change feed reports it: hot, completes on `close()`, and fails with the feed's error
   * when it cannot be set up (e.g. `permission`: give `subscribe` an error handler, since rxjs
   * rethrows an unhandled one, which ends the process). Works with any TTL, 0 included (the feed is then listened to only
   * while someone is subscribed; with a cache, from the first operation until `close()`). The
   * cache has applied a change before it is emitted. Never emits when the feed is `off` or the
   * driver has none (see `status.feed`).
   */
  readonly changes$: Observable<StoreChange>;

  /**
   * The changes of one kind, typed by it, and every `reset` (which concerns every kind). Throws
   * `invalid-kind` for a kind that is not valid.
   */
  changesOf<T extends VersionedItem>(kind: KindDefinition<T>): Observable<KindStoreChange<T>>;

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
