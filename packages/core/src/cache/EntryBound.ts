import type { CacheEntry, EntryOwner } from './CacheEntry.js';

/** The fewest entries at which expired ones are swept out. */
const MIN_SWEEP_SIZE = 1024;

/**
 * What keeps a cache's memory bounded, across all its kinds: the count of entries, the optional
 * bound on it enforced least-recently-used first (through a list threaded through the entries),
 * and the sweep of expired entries.
 *
 * The sweep runs whenever the number of entries has doubled since the last one. Without it, an
 * unbounded cache of keys that are each read once (session-like records) would grow for ever with
 * entries nobody can use; with it, memory stays within about twice the live entries, at an
 * amortized constant cost per new entry.
 */
export class EntryBound {
  /** True when `maxEntries` is set: only then is recency tracked. */
  readonly bounded: boolean;
  private oldest: CacheEntry<unknown> | undefined = undefined;
  private newest: CacheEntry<unknown> | undefined = undefined;
  private count = 0;
  private sweepAt = MIN_SWEEP_SIZE;

  constructor(
    private readonly maxEntries: number | undefined,
    private readonly owners: () => Iterable<EntryOwner>,
    private readonly now: () => number,
  ) {
    this.bounded = maxEntries !== undefined;
  }

  /** The number of entries, not-found ones included. */
  get size(): number {
    return this.count;
  }

  /** Counts a new entry (already in its owner's map), then evicts beyond the bound. */
  added(entry: CacheEntry<unknown>): void {
    this.count += 1;
    if (this.count >= this.sweepAt) this.sweepExpired();
    if (this.maxEntries === undefined) return;
    this.link(entry);
    while (this.count > this.maxEntries && this.oldest !== undefined) this.evict(this.oldest);
  }

  /** Marks an entry as the most recently used. Only call when {@link bounded}. */
  touch(entry: CacheEntry<unknown>): void {
    if (this.newest === entry) return;
    this.unlink(entry);
    this.link(entry);
  }

  /** Removes one entry from its owner (which stops being complete: the key may well exist). */
  evict(entry: CacheEntry<unknown>): void {
    const owner = entry.owner;
    if (owner.items.get(entry.key) !== entry) return;
    owner.items.delete(entry.key);
    owner.completeUntil = 0;
    this.count -= 1;
    if (this.maxEntries !== undefined) this.unlink(entry);
  }

  /** Forgets every entry of one owner, which empties it. */
  clearOwner(owner: EntryOwner): void {
    if (this.maxEntries !== undefined) for (const entry of owner.items.values()) this.unlink(entry);
    this.count -= owner.items.size;
    owner.items.clear();
    owner.completeUntil = 0;
  }

  /** Forgets the count and the recency list (the caller empties every owner). */
  reset(): void {
    this.sweepAt = MIN_SWEEP_SIZE;
    this.oldest = undefined;
    this.newest = undefined;
    this.count = 0;
  }

  /** Drops every expired entry, and sets when the next sweep is due. */
  sweepExpired(): void {
    const now = this.now();
    for (const owner of this.owners()) {
      for (const entry of owner.items.values()) if (entry.expiresAt <= now) this.evict(entry);
    }
    this.sweepAt = Math.max(MIN_SWEEP_SIZE, this.count * 2);
  }

  private link(entry: CacheEntry<unknown>): void {
    entry.older = this.newest;
    entry.newer = undefined;
    if (this.newest !== undefined) this.newest.newer = entry;
    this.newest = entry;
    if (this.oldest === undefined) this.oldest = entry;
  }

  private unlink(entry: CacheEntry<unknown>): void {
    if (entry.older !== undefined) entry.older.newer = entry.newer;
    else if (this.oldest === entry) this.oldest = entry.newer;
    if (entry.newer !== undefined) entry.newer.older = entry.older;
    else if (this.newest === entry) this.newest = entry.older;
    entry.older = undefined;
    entry.newer = undefined;
  }
}
