import { filter, ignoreElements, map, type Observable } from 'rxjs';
import type { CacheEngine } from '../cache/CacheEngine.js';
import type { KindData, PersistentDataStore } from '../contract/PersistentDataStore.js';
import { validateKey, validateKind } from '../contract/validation.js';
import { StoreErrorCode } from '../errors/StoreErrorCode.js';
import { StowageError } from '../errors/StowageError.js';
import type { StatusTrackingStore } from '../status/StatusTrackingStore.js';
import type { StoreStatus } from '../status/StoreStatus.js';
import type { DataStore, KindStoreChange, StoreChange } from './DataStore.js';
import type { Frozen } from './deepFreeze.js';
import type { KindDefinition } from './defineKind.js';
import { tombstoneDescriptor } from './ItemCodec.js';
import { ItemsByKind, isKindDefinition } from './ItemsByKind.js';
import { TypedItemCache } from './TypedItemCache.js';
import { UncachedItems } from './UncachedItems.js';
import type { VersionedItem } from './VersionedItem.js';
import type { WriteResult } from './WriteResult.js';

/** The cache a typed store is built with: the engine, and the raw store over the same engine. */
export interface TypedStoreCache {
  readonly engine: CacheEngine;
  readonly raw: PersistentDataStore;
}

/**
 * The {@link DataStore} implementation, built by `wrapDriver`: typed kinds over a cache engine
 * (one {@link TypedItemCache} per kind) over a {@link StatusTrackingStore} over the driver; with
 * a TTL of 0 there is no cache, and every call decodes what the tracker answers. It validates
 * what it is given and calls the layers under it through paths that do not validate again.
 */
export class TypedDataStore implements DataStore {
  readonly status$: Observable<StoreStatus>;
  readonly raw: PersistentDataStore;
  readonly changes$: Observable<StoreChange>;
  private readonly items: ItemsByKind;
  // Where whole-store calls go: the engine when there is a cache, else the tracker.
  private readonly backend: Pick<PersistentDataStore, 'init' | 'isInitialized' | 'close'>;

  constructor(
    private readonly tracker: StatusTrackingStore,
    cache?: TypedStoreCache,
    /** The change feed's events (see `FeedFollower`); none when it is off or unsupported. */
    changes$?: Observable<StoreChange>,
  ) {
    this.status$ = tracker.status$;
    // Without a feed: nothing, but completing on close like the status stream.
    this.changes$ = changes$ ?? tracker.status$.pipe(ignoreElements());
    this.raw = cache?.raw ?? tracker;
    this.backend = cache?.engine ?? tracker;
    const engine = cache?.engine;
    this.items = new ItemsByKind((kind) =>
      engine === undefined ? new UncachedItems(tracker, kind) : new TypedItemCache(engine, kind),
    );
  }

  get status(): StoreStatus {
    return this.tracker.status;
  }

  // Not async: on a hit, one promise (the item cache's) is all a read costs.
  get<T extends VersionedItem>(
    kind: KindDefinition<T>,
    key: string,
  ): Promise<Frozen<T> | undefined> {
    try {
      return this.items.of(kind).get(key);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  all<T extends VersionedItem>(kind: KindDefinition<T>): Promise<Map<string, Frozen<T>>> {
    try {
      return this.items.of(kind).all();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async upsert<T extends VersionedItem>(kind: KindDefinition<T>, item: T): Promise<WriteResult<T>> {
    validateKey(item?.key);
    const items = this.items.of(kind);
    let serializedItem: string;
    try {
      serializedItem = kind.codec.serialize(item);
    } catch (error) {
      throw new StowageError(
        StoreErrorCode.InvalidDescriptor,
        `Item ${JSON.stringify(item.key.slice(0, 100))} of kind "${kind.namespace}" could not be encoded`,
        { cause: error },
      );
    }
    const descriptor = { version: item.version, deleted: item.deleted === true, serializedItem };
    return items.write(item.key, descriptor);
  }

  async delete<T extends VersionedItem>(
    kind: KindDefinition<T>,
    key: string,
    version: number,
  ): Promise<WriteResult<T>> {
    validateKey(key);
    return this.items.of(kind).write(key, tombstoneDescriptor(key, version));
  }

  async init(data: ReadonlyArray<KindData>): Promise<void> {
    // Typed kinds are claimed first, so that the cache is primed in their kept form.
    if (Array.isArray(data)) {
      for (const { kind } of data) if (isKindDefinition(kind)) this.items.of(kind);
    }
    await this.backend.init(data);
  }

  changesOf<T extends VersionedItem>(kind: KindDefinition<T>): Observable<KindStoreChange<T>> {
    validateKind(kind);
    const { namespace } = kind;
    return this.changes$.pipe(
      filter((change) => change.type === 'reset' || change.namespace === namespace),
      map((change): KindStoreChange<T> => {
        if (change.type === 'reset') return change;
        const { namespace: _namespace, ...rest } = change;
        return { ...rest, kind };
      }),
    );
  }

  isInitialized(): Promise<boolean> {
    return this.backend.isInitialized();
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}
