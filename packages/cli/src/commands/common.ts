import type { PersistentDataStore } from '@stowage/core';
import type { Target } from '../target.js';

/** Runs `work` with a bare driver of the target, closing it whatever happens. */
export async function withStore<T>(
  target: Target,
  work: (store: PersistentDataStore) => Promise<T>,
): Promise<T> {
  const store = target.open();
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** True when the store holds anything: its initialized marker, or items of any kind listed. */
export async function holdsData(
  store: PersistentDataStore,
  kinds: ReadonlyArray<{ namespace: string }>,
): Promise<boolean> {
  if (await store.isInitialized()) return true;
  const listed = store.listKinds === undefined ? kinds : await store.listKinds();
  for (const kind of listed) {
    if ((await store.getAll(kind)).size > 0) return true;
  }
  return false;
}

/** Runs `task` over `items` with at most `limit` in flight, in order of start. */
export async function forEachLimited<T>(
  items: ReadonlyArray<T>,
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
