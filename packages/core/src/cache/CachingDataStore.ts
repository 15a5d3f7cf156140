import type { ChangeFeed } from '../contract/ChangeFeed.js';
import type { DataKind } from '../contract/DataKind.js';
import type {
  FullDataSet,
  PersistentDataStore,
  UpsertResult,
} from '../contract/PersistentDataStore.js';
import type { SerializedItemDescriptor } from '../contract/SerializedItemDescriptor.js';
import { validateKey, validateKind } from '../contract/validation.js';
import { closedError } from '../errors/closedError.js';
import { CacheEngine, type RecoveryOutcome } from './CacheEngine.js';
import { NOT_FOUND } from './CacheEntry.js';
import { type CachingOptions, resolveCachingOptions } from './CachingOptions.js';
import { copyDescriptor } from './KeptForm.js';
import type { KindCache } from './KindCache.js';
import { descriptorsOf, toDescriptors } from './kindFill.js';
import { cachedAfterFailure, wholeKindAfterFailure } from './servedDuringOutage.js';

// The engine of each caching store, for the typed store built beside it over the same engine.
const engines = new WeakMap<CachingDataStore, CacheEngine>();

/** The engine under a caching store (none when its TTL is 0). For `wrapDriver`. */
export function engineOf(store: CachingDataStore): CacheEngine | undefined {
  return engines.get(store);
}

/**
 * The caching decorator for raw users: wraps any {@link PersistentDataStore} and is one. Drivers
 * never cache; this does, with the rules of the store contract (see `CacheEngine`):
 *
 * - TTL > 0: items, not-found results and whole kinds (`getAll`) are kept for the TTL; a
 *   successful upsert updates the item and keeps the kind's whole-kind entry up to date; `init`
 *   replaces the kinds it is given, once the backend accepted it. TTL 0: every call goes through.
 *   Infinite TTL: nothing expires, and while the backend is down a failed write still rejects but
 *   the cache takes it, to be written back by {@link recover}.
 * - Concurrent misses for one key (or one kind's `getAll`) make one backend call.
 * - A read that started before a write or `init` of this instance never caches its older answer.
 * - `isInitialized()`: true is remembered, false asked again at most once a second.
 *
 * It validates what it is given (it is the outermost layer of a raw user's stack) and calls the
 * engine, which does not validate again. It exposes the change feed of the store under it but
 * does not follow it by itself: `wrapDriver` adds the follower that keeps the cache coherent.
 */
export class CachingDataStore implements PersistentDataStore {
  /** The TTL in milliseconds: 0 for no cache, `Infinity` for an infinite TTL. */
  readonly ttlMs: number;
  /** The change feed of the store under this one, as it is (the cache does not filter it). */
  readonly changeFeed?: ChangeFeed;
  private readonly engine: CacheEngine | undefined;
  // TTL 0 only: every call goes through, and close is remembered here.
  private closed = false;

  constructor(
    private readonly inner: PersistentDataStore,
    options: CachingOptions,
  ) {
    if (inner.changeFeed !== undefined) this.changeFeed = inner.changeFeed;
    const resolved = resolveCachingOptions(options);
    this.ttlMs = resolved.ttlMs;
    if (resolved.ttlMs > 0) {
      this.engine = new CacheEngine(inner, resolved);
      engines.set(this, this.engine);
    }
  }

  /** The number of cached entries (not-found results included). */
  get size(): number {
    return this.engine?.size ?? 0;
  }

  init(allData: FullDataSet): Promise<void> {
    if (this.engine !== undefined) return this.engine.init(allData);
    if (this.closed) return Promise.reject(closedError());
    return this.inner.init(allData);
  }

  // Not async: a hit then costs one promise, not an async function's frame as well.
  get(kind: DataKind, key: string): Promise<SerializedItemDescriptor | undefined> {
    let cache: KindCache<unknown>;
    try {
      if (this.engine === undefined) return this.inner.get(kind, key);
      cache = this.kindCache(kind);
      const kept = cache.readCached(key);
      if (kept !== undefined) {
        return Promise.resolve(kept === NOT_FOUND ? undefined : cache.form.toDescriptor(key, kept));
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return this.load(cache, key);
  }

  private async load(
    cache: KindCache<unknown>,
    key: string,
  ): Promise<SerializedItemDescriptor | undefined> {
    validateKey(key);
    const read = cache.load(key);
    try {
      await read.promise;
    } catch (error) {
      const kept = cachedAfterFailure(cache, key, error);
      return kept === NOT_FOUND ? undefined : cache.form.toDescriptor(key, kept);
    }
    return read.descriptor === undefined ? undefined : copyDescriptor(read.descriptor);
  }

  async getAll(kind: DataKind): Promise<ReadonlyMap<string, SerializedItemDescriptor>> {
    if (this.engine === undefined) return this.inner.getAll(kind);
    const cache = this.kindCache(kind);
    const form = cache.form;
    const values = new Map<string, unknown>();
    // A snapshot first: the conversion below may give other calls a turn.
    if (cache.visitWholeKind((key, value) => values.set(key, value))) {
      return toDescriptors(values, form);
    }
    const read = cache.loadAll();
    try {
      await read.promise;
    } catch (error) {
      wholeKindAfterFailure(cache, (key, value) => values.set(key, value), error);
      return toDescriptors(values, form);
    }
    return descriptorsOf(cache, read);
  }

  async upsert(
    kind: DataKind,
    key: string,
    descriptor: SerializedItemDescriptor,
  ): Promise<UpsertResult> {
    if (this.engine === undefined) {
      if (this.closed) throw closedError();
      return this.inner.upsert(kind, key, descriptor);
    }
    this.engine.assertOpen();
    return (await this.kindCache(kind).write(key, descriptor)).result;
  }

  isInitialized(): Promise<boolean> {
    if (this.engine !== undefined) return this.engine.isInitialized();
    if (this.closed) return Promise.reject(closedError());
    return this.inner.isInitialized();
  }

  async isAvailable(): Promise<boolean> {
    if (this.engine !== undefined) return this.engine.isAvailable();
    return !this.closed && this.inner.isAvailable();
  }

  close(): Promise<void> {
    this.closed = true;
    return this.engine !== undefined ? this.engine.close() : this.inner.close();
  }

  /**
   * Called when the backend is back after an outage, before the store is announced available
   * (the status tracker's recovery handler). Infinite TTL: writes the cache back; finite TTL:
   * forgets everything. Either way, says whether the data source should call `init` again.
   */
  recover(): Promise<RecoveryOutcome> {
    return this.engine?.recover() ?? Promise.resolve({ needsRefresh: true });
  }

  // A namespace is validated the first time the engine sees it: only valid ones are ever in it.
  private kindCache(kind: DataKind): KindCache<unknown> {
    const engine = this.engine as CacheEngine;
    // Raw users are not held to the types: `kind` may be anything until validated.
    const known = engine.existing((kind as Partial<DataKind> | null | undefined)?.namespace);
    if (known !== undefined) return known;
    validateKind(kind);
    return engine.kind(kind.namespace);
  }
}
