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
