import type { ChangeEvent } from '../contract/ChangeFeed.js';
import type { CacheEngine, RecoveryOutcome } from './CacheEngine.js';
import type { KindCache } from './KindCache.js';

// How a cache engine applies its change feed (see feed/FeedFollower.ts, which calls these).

/** An event of the change feed (a reset is {@link resetFromFeed}'s). */
export function applyChange(engine: CacheEngine, event: ChangeEvent): void {
  if (event.type === 'reset' || engine.closed) return;
  const cache = engine.existing(event.kind.namespace);
  if (cache === undefined) return;
  if (event.type === 'upsert') applyUpsert(cache, event.key, event.version, event.own === true);
  // This instance's own init primes the cache itself, once it is acknowledged.
  else if (event.type === 'kind' || event.own !== true) {
    cache.writes.sawKind();
    cache.forget(true);
  }
}

/**
 * `key` was written at `version`, by any instance. The entry stays only when it is at least that
 * new (this instance's own write, already settled); reads in flight are overtaken, and a kind
 * held whole stays whole only when the kept entry covers the write.
 */
function applyUpsert(cache: KindCache<unknown>, key: string, version: number, own: boolean): void {
  cache.writes.saw(key, version);
  cache.overtake(key);
  // This instance's write, not acknowledged yet: its answer settles the entry (see write).
  if (own && cache.writes.pending(key)) return;
  const entry = cache.items.get(key);
  if (entry !== undefined && entry.version >= version) return;
  // A write taken while down that the backend has a newer version of: nothing to write back.
  cache.dirty?.delete(key);
  cache.forgetKey(key);
}

function hasDirty(engine: CacheEngine): boolean {
  for (const cache of engine.caches()) if ((cache.dirty?.size ?? 0) > 0) return true;
  return false;
}

/**
 * Whether a reset must ask the backend first ({@link resetFromFeed}); otherwise
 * {@link forgetForReset} applies it at once. Only an infinite TTL that may hold the only copy of
 * data does: a finite TTL forgets anyway, and an empty cache has nothing to write back.
 */
export function resetAsksBackend(engine: CacheEngine): boolean {
  return engine.infinite && !engine.readOnly && (engine.size > 0 || hasDirty(engine));
}

/** True when the cache holds nothing: no entry, no write taken while the backend was down. */
export function isEmpty(engine: CacheEngine): boolean {
  return engine.size === 0 && !hasDirty(engine);
}

/** A reset that needs no backend (see {@link resetAsksBackend}): forgets everything. */
export function forgetForReset(engine: CacheEngine): void {
  if (!engine.closed) engine.forgetAll(true);
}

/**
 * Applies a reset of the change feed (anything may have changed): forgets everything, epochs
 * bumped so that no read or write in flight caches what it saw. With an infinite TTL it first
 * asks whether the backend still has its initialized marker; when it lost it, or the cache holds
 * writes taken while the backend was down, it recovers first (write-back, then the marker rule)
 * so that the only copy of the data is not forgotten. Resolves to the outcome (whether the
 * application's data source should call `init` again) when applied; to `undefined`, or a
 * rejection, when it must be tried again (the backend failed meanwhile). `isInitialized()` true
 * is never forgotten.
 */
export async function resetFromFeed(
  engine: CacheEngine,
  checkInitialized: () => Promise<boolean>,
): Promise<RecoveryOutcome | undefined> {
  let needsRefresh = false;
  if (resetAsksBackend(engine)) {
    const initialized = await checkInitialized();
    if (!initialized || hasDirty(engine)) ({ needsRefresh } = await engine.recover());
    // A write taken while the backend failed again: it must be written back first.
    if (hasDirty(engine)) return undefined;
  }
  if (engine.closed) return undefined;
  engine.forgetAll(true);
  return { needsRefresh };
}
