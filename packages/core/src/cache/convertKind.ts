import { type CacheEntry, NOT_FOUND } from './CacheEntry.js';
import type { KeptForm } from './KeptForm.js';
import type { KindCache } from './KindCache.js';

/**
 * Keeps a kind's values in `form` from now on, converting what is cached (nothing is lost: under
 * an infinite TTL the cache may hold the only copy of a write). Reads in flight keep their
 * answers and convert them for each form asked (see `ItemRead.keptIn`).
 */
export function convertKind<V, W>(cache: KindCache<V>, form: KeptForm<W>): KindCache<W> {
  // The same object from now on holds values made by `form`: that is what the new type says.
  const converted = cache as unknown as KindCache<W>;
  const previous: KeptForm<V> = cache.form;
  if ((previous as KeptForm<unknown>) === form) return converted;
  cache.cancelFill();
  const entries: Iterable<CacheEntry<unknown>> = cache.items.values();
  for (const entry of entries) {
    if (entry.value !== NOT_FOUND) {
      entry.value = form.fromDescriptor(
        entry.key,
        previous.toDescriptor(entry.key, entry.value as V),
      );
    }
  }
  converted.form = form;
  return converted;
}
