import type { CacheEngine } from '../cache/CacheEngine.js';
import { CachingDataStore, engineOf } from '../cache/CachingDataStore.js';
import {
  type CachingOptions,
  DEFAULT_CACHE_TTL,
  resolveCachingOptions,
} from '../cache/CachingOptions.js';
import type { PersistentDataStore } from '../contract/PersistentDataStore.js';
import { FeedFollower } from '../feed/FeedFollower.js';
import { type StatusOptions, StatusTrackingStore } from '../status/StatusTrackingStore.js';
import type { DataStore } from './DataStore.js';
import { TypedDataStore } from './TypedDataStore.js';

/** Options of {@link wrapDriver}. */
export interface WrapDriverOptions {
  /** The cache; default a TTL of 30 seconds, unbounded. `{ ttl: 0 }` for none. */
  readonly cache?: CachingOptions;
  /** The availability tracking. */
  readonly status?: StatusOptions;
  /**
   * `'on'` (default): when the driver has a change feed, the cache follows it (coherent with
   * every instance sharing the prefix) and `changes$` reports it. `'off'`: it is ignored.
   */
  readonly feed?: 'on' | 'off';
  /**
   * True for an instance that only reads: `init`, `upsert` and `delete` (typed and raw) reject
   * with code `read-only` before anything is sent, and an infinite TTL never writes back.
   */
  readonly readOnly?: boolean;
}

/**
 * The store applications use, over a driver you created yourself: status tracking around the
 * driver, the change feed's follower, the cache around that (none for a TTL of 0), typed kinds
 * on top. The driver is owned by the result: closing the store closes it. `createDataStore` does
 * the same from configuration.
 */
export function wrapDriver(
  driver: PersistentDataStore,
  options: WrapDriverOptions = {},
): DataStore {
  const cacheOptions = options.cache ?? { ttl: DEFAULT_CACHE_TTL };
  const tracker = new StatusTrackingStore(driver, options.status);
  if (options.readOnly === true) tracker.refuseWrites();
  const following = tracker.changeFeed !== undefined && options.feed !== 'off';
  if (resolveCachingOptions(cacheOptions).ttlMs === 0) {
    const follower = following ? new FeedFollower(tracker, undefined) : undefined;
    return new TypedDataStore(tracker, undefined, follower?.changes$);
  }
  const raw = new CachingDataStore(tracker, cacheOptions);
  const engine = engineOf(raw) as CacheEngine;
  engine.readOnly = options.readOnly === true;
  // The cache is told first when the backend is back, so that "available" means written back.
  tracker.setRecoveryHandler(() => engine.recover());
  const follower = following ? new FeedFollower(tracker, engine) : undefined;
  return new TypedDataStore(tracker, { engine, raw }, follower?.changes$);
}
