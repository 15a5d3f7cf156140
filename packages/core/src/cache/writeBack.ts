import type { PersistentDataStore, UpsertResult } from '../contract/PersistentDataStore.js';
import { isUnavailability } from '../errors/isUnavailability.js';
import { NOT_FOUND } from './CacheEntry.js';
import type { KindCache } from './KindCache.js';
import { runWithConcurrency } from './runWithConcurrency.js';

// Enough to hide round-trip latency on recovery without flooding a backend that just came back.
const WRITE_BACK_CONCURRENCY = 16;

/**
 * Writes an infinite-TTL cache back after an outage: every item of every kind held whole, plus
 * every key written while the backend was down, each with a version-checked upsert (never `init`:
 * it would delete what other instances wrote meanwhile, and would turn a kind held in part into
 * the whole kind). Where the backend holds a newer version, the cache takes it. Rejects on the
 * first connection or timeout failure, keeping what is not written back yet for the next try.
 */
export async function writeBack(
  kinds: Iterable<KindCache<unknown>>,
  inner: PersistentDataStore,
  isClosed: () => boolean,
): Promise<void> {
  const jobs: Array<readonly [KindCache<unknown>, string]> = [];
  for (const cache of kinds) {
    for (const key of cache.items.keys()) {
      if (cache.completeUntil !== 0 || cache.dirty?.has(key) === true) jobs.push([cache, key]);
    }
  }
  await runWithConcurrency(jobs, WRITE_BACK_CONCURRENCY, async ([cache, key]) => {
    const entry = cache.items.get(key);
    if (entry === undefined || entry.value === NOT_FOUND || isClosed()) {
      cache.dirty?.delete(key);
      return;
    }
    const form = cache.form;
    const descriptor = form.toDescriptor(key, entry.value);
    const epoch = cache.epoch;
    // As for any write while a change feed is followed (see KindCache.write).
    const following = cache.engine.following;
    if (following) cache.writes.beginKey(key);
    let result: UpsertResult;
    try {
      result = await inner.upsert(cache.kind, key, descriptor);
    } catch (error) {
      if (following) cache.writes.endKey(key);
      if (isUnavailability(error)) throw error;
      // Not comparable (e.g. a corrupt stored value): leave the backend's value alone.
      cache.dirty?.delete(key);
      return;
    }
    const seen = following ? cache.writes.endKey(key) : -1;
    // An init replaced the kind meanwhile: what was read above is not what to settle.
    if (cache.epoch !== epoch || isClosed()) return;
    const stored = result.applied ? descriptor : result.current;
    if (stored === undefined) return;
    // Another instance's newer write was announced before this answer: it is already old.
    if (seen > stored.version) return cache.forgetKey(key);
    // The kind may have been claimed by a typed cache meanwhile: settle in the form it has now.
    const value =
      result.applied && cache.form === form ? entry.value : cache.form.fromDescriptor(key, stored);
    cache.settle(key, value, stored.version);
  });
}
