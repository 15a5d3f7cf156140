import type { FullDataSet, KeyedItem } from '../contract/PersistentDataStore.js';
import type { SerializedItemDescriptor } from '../contract/SerializedItemDescriptor.js';
import { isValidNamespace } from '../contract/validation.js';
import { forEachInSlices } from '../contract/yieldingLoop.js';
import { NOT_FOUND } from './CacheEntry.js';
import { asStored, copyDescriptor, type KeptForm } from './KeptForm.js';
import type { KindCache } from './KindCache.js';
import type { KindRead } from './reads.js';

// A whole kind is converted and cached in slices that give the event loop a turn (at 100,000
// items, parsing and freezing would otherwise hold it for a fraction of a second). Other calls
// run between slices, so the rules for what a fill may overwrite are these:
// - what a write of this instance, or the answer of a read, puts into the cache during the fill
//   wins: the fill skips the keys touched meanwhile (a write is newer; a read that answers after
//   an init's data was stored is at least as new as that data);
// - an init, a newer fill, a new form, close or a finite-TTL recovery cancels the fill;
// - the kind is marked whole only if the fill ran to its end and every key it covers, and every
//   key touched meanwhile, is still cached.

/** A fill in progress; see the rules above. */
export class KindFill {
  /** The keys a write or a read answer put into the cache (or removed) since the fill began. */
  readonly touched = new Set<string>();
  cancelled = false;
}

function startFill<V>(cache: KindCache<V>): KindFill {
  cache.cancelFill();
  const fill = new KindFill();
  cache.fill = fill;
  return fill;
}

function endFill<V>(
  cache: KindCache<V>,
  fill: KindFill,
  keys: () => Iterable<string>,
  expiresAt: number,
): void {
  if (fill.cancelled) return;
  cache.fill = undefined;
  for (const key of fill.touched) if (!cache.items.has(key)) return;
  // Unbounded, every key of the fill is cached unless a write (seen above) removed it.
  if (cache.engine.bound.bounded) for (const key of keys()) if (!cache.items.has(key)) return;
  cache.completeUntil = expiresAt;
}

/** Adds the writes this instance took while the backend was down: they are part of what it reads. */
function overlayDirty<V>(cache: KindCache<V>, values: Map<string, V>): void {
  for (const key of cache.dirty ?? []) {
    const entry = cache.items.get(key);
    if (entry !== undefined && entry.value !== NOT_FOUND) values.set(key, entry.value);
  }
}

/**
 * Converts a whole-kind answer into `read.values` and, when `cache` is true, caches it as the
 * whole kind. Returns a promise only when the work did not fit in one slice.
 */
export function fillFromAnswer<V>(
  cache: KindCache<V>,
  read: KindRead,
  mayCache: boolean,
): Promise<void> | undefined {
  const { descriptors } = read;
  const form = cache.form;
  const values = new Map<string, V>();
  read.values = values;
  read.valuesForm = form;
  const expiresAt = cache.engine.expiry();
  const fill = mayCache ? startFill(cache) : undefined;
  if (fill !== undefined) {
    // Cached keys the answer does not have are known absent. Cheap per key, so done at once.
    for (const [key, entry] of cache.items) {
      if (!descriptors.has(key) && cache.dirty?.has(key) !== true) {
        entry.value = NOT_FOUND;
        entry.version = -1;
        entry.expiresAt = expiresAt;
      }
    }
  }
  const finish = () => {
    // A new form (which cancelled the fill) is converted again from the answer by valuesOf.
    if (cache.form === form) overlayDirty(cache, values);
    if (fill !== undefined) endFill(cache, fill, () => descriptors.keys(), expiresAt);
  };
  const pending = forEachInSlices(descriptors, ([key, descriptor]) => {
    // The answer is the read's own: raw callers get copies (see descriptorsOf).
    const value = form.fromAnswer(key, descriptor);
    values.set(key, value);
    if (fill === undefined || fill.cancelled || fill.touched.has(key)) return;
    if (cache.dirty?.has(key) !== true) cache.set(key, value, descriptor.version, expiresAt);
  });
  if (pending !== undefined) return pending.then(finish);
  finish();
  return undefined;
}

/**
 * Caches the items of an init as the whole kind, except `skipped` keys (the kind is then held in
 * part). The caller has emptied the kind (see `KindCache.forget`) once the backend took the init. Returns a promise only when the work did
 * not fit in one slice.
 */
export function primeKind<V>(
  cache: KindCache<V>,
  items: ReadonlyArray<KeyedItem>,
  skipped: Iterable<string> = [],
): Promise<void> | undefined {
  const form = cache.form;
  const expiresAt = cache.engine.expiry();
  const fill = startFill(cache);
  // Keys written by others while the init was in flight: their items may be older than the write.
  for (const key of skipped) fill.touched.add(key);
  const keys = () => items.map(([key]) => key);
  const pending = forEachInSlices(items, ([key, descriptor]) => {
    if (fill.cancelled || fill.touched.has(key)) return;
    cache.set(
      key,
      form.fromDescriptor(key, asStored(key, descriptor)),
      descriptor.version,
      expiresAt,
    );
  });
  if (pending !== undefined) return pending.then(() => endFill(cache, fill, keys, expiresAt));
  endFill(cache, fill, keys, expiresAt);
  return undefined;
}

/** The valid namespaces of a data set that may not have been validated yet. */
export function namespacesOf(allData: FullDataSet): string[] {
  const namespaces: string[] = [];
  if (!Array.isArray(allData)) return namespaces;
  for (const data of allData as ReadonlyArray<Partial<FullDataSet[number]> | null>) {
    const namespace = data?.kind?.namespace;
    if (typeof namespace === 'string' && isValidNamespace(namespace)) namespaces.push(namespace);
  }
  return namespaces;
}

/**
 * The values of a whole-kind read as `cache` keeps them now. The read's own map when the kind's
 * form has not changed since it was converted (callers only read it); otherwise converted again.
 */
export function valuesOf<V>(
  cache: KindCache<V>,
  read: KindRead,
): ReadonlyMap<string, V> | Promise<ReadonlyMap<string, V>> {
  const form = cache.form;
  // Made by `form` (see fillFromAnswer), as the comparison shows.
  if (read.valuesForm === form) return read.values as ReadonlyMap<string, V>;
  const values = new Map<string, V>();
  const finish = () => {
    overlayDirty(cache, values);
    return values;
  };
  const pending = forEachInSlices(read.descriptors, ([key, descriptor]) => {
    values.set(key, form.fromDescriptor(key, descriptor));
  });
  return pending === undefined ? finish() : pending.then(finish);
}

/** The descriptors of a whole-kind read, copies of the caller's own, with writes taken while down. */
export function descriptorsOf<V>(
  cache: KindCache<V>,
  read: KindRead,
): Map<string, SerializedItemDescriptor> | Promise<Map<string, SerializedItemDescriptor>> {
  const result = new Map<string, SerializedItemDescriptor>();
  const finish = () => {
    const form = cache.form;
    for (const key of cache.dirty ?? []) {
      const entry = cache.items.get(key);
      if (entry !== undefined && entry.value !== NOT_FOUND) {
        result.set(key, form.toDescriptor(key, entry.value));
      }
    }
    return result;
  };
  const pending = forEachInSlices(read.descriptors, ([key, descriptor]) => {
    result.set(key, copyDescriptor(descriptor));
  });
  return pending === undefined ? finish() : pending.then(finish);
}

/** Descriptors for kept values, converted in slices (a typed form serializes each item). */
export function toDescriptors<V>(
  values: ReadonlyMap<string, V>,
  form: KeptForm<V>,
): Map<string, SerializedItemDescriptor> | Promise<Map<string, SerializedItemDescriptor>> {
  const result = new Map<string, SerializedItemDescriptor>();
  const pending = forEachInSlices(values, ([key, value]) => {
    result.set(key, form.toDescriptor(key, value));
  });
  return pending === undefined ? result : pending.then(() => result);
}
