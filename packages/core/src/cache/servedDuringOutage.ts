import { isUnavailability } from '../errors/isUnavailability.js';
import type { NotFound } from './CacheEntry.js';
import type { KindCache } from './KindCache.js';

/**
 * What a read of `key` answers when it went to the backend and the backend did not answer. It went
 * there although the key may be cached because the change feed was down (the cache could not
 * vouch for its entries while the backend answered); the failure has just made the store
 * unavailable, and from then on what is cached is served, as during any outage. So the first read
 * of an outage does not fail where the next ones would be served. Anything else rethrows.
 */
export function cachedAfterFailure<V>(
  cache: KindCache<V>,
  key: string,
  error: unknown,
): V | NotFound {
  if (isUnavailability(error)) {
    const kept = cache.readCached(key);
    if (kept !== undefined) return kept;
  }
  throw error;
}

/** The same for a whole kind: `visit` gets every cached value when the cache holds it whole. */
export function wholeKindAfterFailure<V>(
  cache: KindCache<V>,
  visit: (key: string, value: V) => void,
  error: unknown,
): void {
  if (!isUnavailability(error) || !cache.visitWholeKind(visit)) throw error;
}
