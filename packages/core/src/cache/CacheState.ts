import type { DataKind } from '../contract/DataKind.js';
import type { FullDataSet } from '../contract/PersistentDataStore.js';
import type { SerializedItemDescriptor } from '../contract/SerializedItemDescriptor.js';
import { toStoredString } from '../contract/storedItem.js';
import { validateUpsert } from '../contract/validation.js';
import { type CachedKindForm, descriptorForm } from './CachedKindForm.js';
import { CacheEntries, NOT_FOUND } from './CacheEntries.js';
import { DirtyKeys } from './DirtyKeys.js';
import { PendingReads } from './PendingReads.js';

// What a driver stores for a descriptor it accepted (a tombstone without a body gets the schema's).
export const asStored = (
  key: string,
  descriptor: SerializedItemDescriptor,
): SerializedItemDescriptor =>
  descriptor.serializedItem === undefined
    ? { ...descriptor, serializedItem: toStoredString(key, descriptor) }
    : descriptor;

/**
 * The bookkeeping of the caching decorator, apart from its I/O: the entries, the form each kind is
 * kept in, the reads in flight, the writes waiting for the write-back, and the rules by which an
 * answer from the backend may replace what is cached.
 */
export class CacheState {
  readonly entries: CacheEntries;
  readonly forms = new Map<string, CachedKindForm>();
  readonly pending = new PendingReads();
  readonly dirty = new DirtyKeys();
  // Bumped by every init of a kind: a write or read that spans one cannot tell what it saw.
  readonly epochs = new Map<string, number>();
  private readonly infinite: boolean;

  constructor(
    private readonly ttlMs: number,
    maxEntries: number | undefined,
    private readonly now: () => number,
  ) {
    this.entries = new CacheEntries(maxEntries, now);
    this.infinite = ttlMs === Number.POSITIVE_INFINITY;
  }

  /** Puts what the backend now holds for a key into the cache. */
  settle(namespace: string, key: string, value: unknown, version: number): void {
    const entry = this.entries.kind(namespace)?.items.get(key);
    if (entry !== undefined && entry.value !== NOT_FOUND && entry.version > version) {
      // Ours to write back: keep it. Otherwise two answers crossed; let the next read decide.
      if (!this.dirty.has(namespace, key)) this.entries.delete(namespace, key);
      return;
    }
    this.dirty.delete(namespace, key);
    this.entries.set(namespace, key, value, version, this.expiry());
  }

  /** Infinite TTL, backend down: the cache takes the write, as the backend would have. */
  takeWhileDown(kind: DataKind, key: string, descriptor: SerializedItemDescriptor): void {
    validateUpsert(kind, key, descriptor);
    const namespace = kind.namespace;
    const entry = this.entries.get(namespace, key);
    if (entry !== undefined && entry.value !== NOT_FOUND && entry.version >= descriptor.version) {
      return;
    }
    this.pending.overtakeItem(namespace, key);
    const value = this.formOf(namespace).fromDescriptor(key, asStored(key, descriptor));
    this.entries.set(namespace, key, value, descriptor.version, Number.POSITIVE_INFINITY);
    this.dirty.add(namespace, key);
  }

  /** Replaces the cached kinds of a data set with its content, each marked whole. */
  prime(allData: FullDataSet): void {
    const expiresAt = this.expiry();
    for (const { kind, items } of allData) {
      const namespace = kind.namespace;
      this.epochs.set(namespace, this.epoch(namespace) + 1);
      this.pending.overtakeKind(namespace);
      this.entries.clearKind(namespace);
      this.dirty.deleteKind(namespace);
      const form = this.formOf(namespace);
      for (const [key, descriptor] of items) {
        const value = form.fromDescriptor(key, asStored(key, descriptor));
        this.entries.set(namespace, key, value, descriptor.version, expiresAt);
      }
      this.entries.markComplete(
        namespace,
        items.map(([key]) => key),
        expiresAt,
      );
    }
  }

  /** Caches a `getAll` answer (when `fill`) and returns the kind's values as this cache sees them. */
  fillKind(
    namespace: string,
    descriptors: ReadonlyMap<string, SerializedItemDescriptor>,
    fill: boolean,
  ): Map<string, unknown> {
    const form = this.formOf(namespace);
    const dirty = this.dirty.of(namespace);
    const expiresAt = this.expiry();
    const values = new Map<string, unknown>();
    for (const [key, descriptor] of descriptors) {
      const value = form.fromDescriptor(key, descriptor);
      values.set(key, value);
      if (fill && !dirty.has(key)) {
        this.entries.set(namespace, key, value, descriptor.version, expiresAt);
      }
    }
    // Writes the backend has not taken yet are part of what this instance reads.
    for (const key of dirty) {
      const entry = this.entries.kind(namespace)?.items.get(key);
      if (entry !== undefined && entry.value !== NOT_FOUND) values.set(key, entry.value);
    }
    if (!fill) return values;
    for (const [key, entry] of this.entries.kind(namespace)?.items ?? []) {
      if (!descriptors.has(key) && !dirty.has(key)) {
        entry.value = NOT_FOUND;
        entry.version = -1;
        entry.expiresAt = expiresAt;
      }
    }
    this.entries.markComplete(namespace, descriptors.keys(), expiresAt);
    return values;
  }

  formOf(namespace: string): CachedKindForm {
    return this.forms.get(namespace) ?? descriptorForm;
  }

  epoch(namespace: string): number {
    return this.epochs.get(namespace) ?? 0;
  }

  expiry(): number {
    return this.infinite ? Number.POSITIVE_INFINITY : this.now() + this.ttlMs;
  }
}
