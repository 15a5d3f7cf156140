import type { PersistentDataStore, UpsertResult } from '../contract/PersistentDataStore.js';
import { isUnavailability } from '../errors/isUnavailability.js';
import { NOT_FOUND } from './CacheEntries.js';
import type { CacheState } from './CacheState.js';
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
  state: CacheState,
  inner: PersistentDataStore,
  isClosed: () => boolean,
): Promise<void> {
  const jobs: Array<readonly [string, string]> = [];
  for (const namespace of state.entries.namespaces()) {
    const kind = state.entries.kind(namespace);
    for (const key of kind?.items.keys() ?? []) {
      if (kind?.completeUntil !== 0 || state.dirty.has(namespace, key)) jobs.push([namespace, key]);
    }
  }
  await runWithConcurrency(jobs, WRITE_BACK_CONCURRENCY, async ([namespace, key]) => {
    const entry = state.entries.kind(namespace)?.items.get(key);
    if (entry === undefined || entry.value === NOT_FOUND || isClosed()) {
      state.dirty.delete(namespace, key);
      return;
    }
    const form = state.formOf(namespace);
    const descriptor = form.toDescriptor(key, entry.value);
    const epoch = state.epoch(namespace);
    let result: UpsertResult;
    try {
      result = await inner.upsert({ namespace }, key, descriptor);
    } catch (error) {
      if (isUnavailability(error)) throw error;
      // Not comparable (e.g. a corrupt stored value): leave the backend's value alone.
      state.dirty.delete(namespace, key);
      return;
    }
    // An init replaced the kind meanwhile: what was read above is not what to settle.
    if (state.epoch(namespace) !== epoch || isClosed()) return;
    if (result.applied) state.settle(namespace, key, entry.value, descriptor.version);
    else if (result.current !== undefined) {
      const current = result.current;
      state.settle(namespace, key, form.fromDescriptor(key, current), current.version);
    }
  });
}
