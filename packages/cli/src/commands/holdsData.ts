import type { PersistentDataStore } from '@stowage/core';

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
