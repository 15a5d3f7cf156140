import { StowageConfigError } from '../errors/StowageConfigError.js';
import { coarseNow } from './coarseClock.js';
import { type Duration, parseDuration } from './parseDuration.js';

/** The TTL a store gets when configuration does not give one. */
export const DEFAULT_CACHE_TTL = '30s';

/** Options of the caching decorator. */
export interface CachingOptions {
  /**
   * How long entries live: milliseconds, a string such as `"500ms"`, `"30s"` or `"5m"`, or
   * `'infinite'` (entries never expire and the cache is the source of truth while the backend is
   * down). `0` turns caching off: every call goes to the backend.
   */
  readonly ttl: Duration;
  /**
   * The most entries kept; the least recently used go first. Not allowed with an infinite TTL,
   * where an evicted entry could be the only copy of a write the backend has not taken yet.
   */
  readonly maxEntries?: number;
  /**
   * Refresh-ahead, as a fraction of the TTL between 0 and 1 (default 0: off). A hit on an item in
   * the last `refreshAhead` of its life is answered from the cache and starts one background
   * reload, so keys that are read all the time never expire into a synchronous miss (no latency
   * spike when the TTL runs out). Finite TTLs only.
   */
  readonly refreshAhead?: number;
  /** The clock, in milliseconds. For tests; default `Date.now` (read once per event-loop turn). */
  readonly now?: () => number;
}

/** Caching options after validation. */
export interface ResolvedCachingOptions {
  /** Milliseconds; `Infinity` for `'infinite'`; 0 for no cache. */
  readonly ttlMs: number;
  readonly maxEntries: number | undefined;
  /** Milliseconds before expiry from which a hit triggers a background reload; 0 for never. */
  readonly refreshAheadMs: number;
  /** The clock reads check expiry with: by default read once per event-loop turn. */
  readonly now: () => number;
  /**
   * The clock entries are stamped with when stored: by default `Date.now` itself, since a store
   * follows a backend answer, usually in a turn of its own, where the shared reading would cost
   * a scheduled reset rather than save a clock read.
   */
  readonly stampNow: () => number;
}

/** Validates caching options, reporting every problem at once. */
export function resolveCachingOptions(options: CachingOptions): ResolvedCachingOptions {
  const issues: { path: string; message: string }[] = [];
  const ttlMs = parseDuration(options.ttl);
  if (ttlMs === undefined) {
    issues.push({
      path: 'ttl',
      message:
        'must be a non-negative duration (milliseconds, "500ms", "30s", "5m", "1h") or "infinite"',
    });
  }
  const { maxEntries } = options;
  if (maxEntries !== undefined && !(Number.isSafeInteger(maxEntries) && maxEntries > 0)) {
    issues.push({ path: 'maxEntries', message: 'must be a positive integer' });
  }
  if (maxEntries !== undefined && ttlMs === Number.POSITIVE_INFINITY) {
    issues.push({
      path: 'maxEntries',
      message:
        'cannot be combined with an infinite TTL: an evicted entry could be the only copy of a write the backend has not taken',
    });
  }
  const { refreshAhead = 0 } = options;
  if (!(typeof refreshAhead === 'number' && refreshAhead >= 0 && refreshAhead < 1)) {
    issues.push({
      path: 'refreshAhead',
      message: 'must be a fraction of the TTL from 0 to below 1',
    });
  } else if (refreshAhead > 0 && ttlMs === Number.POSITIVE_INFINITY) {
    issues.push({
      path: 'refreshAhead',
      message: 'has no meaning with an infinite TTL: entries never expire',
    });
  }
  if (issues.length > 0) throw new StowageConfigError('Invalid cache options', issues);
  const finiteTtl = ttlMs ?? 0;
  return {
    ttlMs: finiteTtl,
    maxEntries,
    refreshAheadMs: Number.isFinite(finiteTtl) ? finiteTtl * refreshAhead : 0,
    now: options.now ?? coarseNow,
    stampNow: options.now ?? Date.now,
  };
}
