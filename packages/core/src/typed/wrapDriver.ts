import { CachingDataStore } from '../cache/CachingDataStore.js';
import { type CachingOptions, DEFAULT_CACHE_TTL } from '../cache/CachingOptions.js';
import type { PersistentDataStore } from '../contract/PersistentDataStore.js';
import { type StatusOptions, StatusTrackingStore } from '../status/StatusTrackingStore.js';
import type { DataStore } from './DataStore.js';
import { TypedDataStore } from './TypedDataStore.js';

/** Options of {@link wrapDriver}. */
export interface WrapDriverOptions {
  /** The cache; default a TTL of 30 seconds, unbounded. `{ ttl: 0 }` for none. */
  readonly cache?: CachingOptions;
  /** The availability tracking. */
  readonly status?: StatusOptions;
}

/**
 * The store applications use, over a driver you created yourself: status tracking around the
 * driver, the cache around that, typed kinds on top. The driver is owned by the result: closing
 * the store closes it. `createDataStore` does the same from configuration.
 */
export function wrapDriver(
  driver: PersistentDataStore,
  options: WrapDriverOptions = {},
): DataStore {
  const tracker = new StatusTrackingStore(driver, options.status);
  const cache = new CachingDataStore(tracker, options.cache ?? { ttl: DEFAULT_CACHE_TTL });
  // The cache is told first when the backend is back, so that "available" means written back.
  tracker.setRecoveryHandler(() => cache.recover());
  return new TypedDataStore(cache, tracker);
}
