/** A read in flight, shared by every caller that missed the same key (or kind) meanwhile. */
export interface PendingRead<T> {
  promise: Promise<T>;
  /** Set when a write or init of this instance touched the key: its answer must not be cached. */
  stale: boolean;
}

/**
 * The reads in flight of a cache, by kind and key, so that concurrent misses make one backend
 * call. A write marks the reads it overtakes stale and forgets them: their (older) answers are
 * not cached, and callers arriving after the write start a fresh read instead of joining them.
 */
export class PendingReads {
  private readonly items = new Map<string, Map<string, PendingRead<unknown>>>();
  private readonly kinds = new Map<string, PendingRead<unknown>>();

  /** The read in flight for a key, if any. */
  item(namespace: string, key: string): PendingRead<unknown> | undefined {
    return this.items.get(namespace)?.get(key);
  }

  /** The `getAll` in flight for a kind, if any. */
  kind(namespace: string): PendingRead<unknown> | undefined {
    return this.kinds.get(namespace);
  }

  /** Shares `read` with the callers that miss the same key until it settles. */
  addItem(namespace: string, key: string, read: PendingRead<unknown>): void {
    let byKey = this.items.get(namespace);
    if (byKey === undefined) {
      byKey = new Map();
      this.items.set(namespace, byKey);
    }
    byKey.set(key, read);
  }

  /** Shares `read` with the callers of `getAll` on the same kind until it settles. */
  addKind(namespace: string, read: PendingRead<unknown>): void {
    this.kinds.set(namespace, read);
  }

  /** Forgets a settled read (unless a newer one took its place). */
  removeItem(namespace: string, key: string, read: PendingRead<unknown>): void {
    const byKey = this.items.get(namespace);
    if (byKey?.get(key) !== read) return;
    byKey.delete(key);
    if (byKey.size === 0) this.items.delete(namespace);
  }

  /** Forgets a settled `getAll` (unless a newer one took its place). */
  removeKind(namespace: string, read: PendingRead<unknown>): void {
    if (this.kinds.get(namespace) === read) this.kinds.delete(namespace);
  }

  /** A write touched a key: the reads of that key and of its whole kind are overtaken. */
  overtakeItem(namespace: string, key: string): void {
    const read = this.item(namespace, key);
    if (read !== undefined) {
      read.stale = true;
      this.removeItem(namespace, key, read);
    }
    const all = this.kinds.get(namespace);
    if (all !== undefined) {
      all.stale = true;
      this.kinds.delete(namespace);
    }
  }

  /** An init touched a whole kind: every read of it is overtaken. */
  overtakeKind(namespace: string): void {
    for (const read of this.items.get(namespace)?.values() ?? []) read.stale = true;
    this.items.delete(namespace);
    const all = this.kinds.get(namespace);
    if (all !== undefined) all.stale = true;
    this.kinds.delete(namespace);
  }

  /** Every read is overtaken (recovery after an outage, close). */
  overtakeAll(): void {
    for (const namespace of [...this.items.keys(), ...this.kinds.keys()]) {
      this.overtakeKind(namespace);
    }
  }
}
