/** The value kept for a key the backend said it does not have. */
export const NOT_FOUND: unique symbol = Symbol('not found');

/** One cached key: a kept value (or {@link NOT_FOUND}), its version and when it expires. */
export class CacheEntry {
  // The neighbours in recency order; only maintained when the cache is bounded.
  older: CacheEntry | undefined = undefined;
  newer: CacheEntry | undefined = undefined;

  constructor(
    readonly namespace: string,
    readonly key: string,
    public value: unknown,
    /** -1 for {@link NOT_FOUND}. */
    public version: number,
    public expiresAt: number,
  ) {}
}

/** The cached entries of one kind. */
export interface KindEntries {
  readonly items: Map<string, CacheEntry>;
  /**
   * Until when the items are the whole kind (a cached `getAll`), 0 when they are not. Evicting
   * any item of the kind resets it: a kind with a hole must never pass for the whole kind.
   */
  completeUntil: number;
}

/** The fewest entries at which expired ones are swept out. */
const MIN_SWEEP_SIZE = 1024;

/**
 * The storage of the caching decorator: one map per kind (so a hit is two lookups and no string
 * concatenation), with an optional bound on the number of entries enforced least-recently-used
 * first through a linked list threaded through the entries.
 *
 * Expired entries are swept out whenever the number of entries has doubled since the last sweep.
 * Without it, an unbounded cache of keys that are each read once (session-like records) would grow
 * for ever with entries nobody can use; with it, memory stays within about twice the live entries,
 * at an amortized constant cost per new entry.
 */
export class CacheEntries {
  private readonly kinds = new Map<string, KindEntries>();
  private oldest: CacheEntry | undefined = undefined;
  private newest: CacheEntry | undefined = undefined;
  private count = 0;
  private sweepAt = MIN_SWEEP_SIZE;

  constructor(
    private readonly maxEntries: number | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The number of entries, not-found ones included. */
  get size(): number {
    return this.count;
  }

  /** The entries of a kind, if any were ever cached. */
  kind(namespace: string): KindEntries | undefined {
    return this.kinds.get(namespace);
  }

  /** The namespaces that have entries. */
  namespaces(): string[] {
    return [...this.kinds.keys()];
  }

  /** The entry of a key, expired or not; marks it recently used. */
  get(namespace: string, key: string): CacheEntry | undefined {
    const entry = this.kinds.get(namespace)?.items.get(key);
    if (entry !== undefined && this.maxEntries !== undefined) this.touch(entry);
    return entry;
  }

  /** Stores a value for a key, replacing what was there, and evicts beyond the bound. */
  set(namespace: string, key: string, value: unknown, version: number, expiresAt: number): void {
    const kind = this.kindOrNew(namespace);
    const existing = kind.items.get(key);
    if (existing !== undefined) {
      existing.value = value;
      existing.version = version;
      existing.expiresAt = expiresAt;
      if (this.maxEntries !== undefined) this.touch(existing);
      return;
    }
    const entry = new CacheEntry(namespace, key, value, version, expiresAt);
    kind.items.set(key, entry);
    this.count += 1;
    if (this.count >= this.sweepAt) this.sweepExpired();
    if (this.maxEntries === undefined) return;
    this.link(entry);
    while (this.count > this.maxEntries && this.oldest !== undefined) this.evict(this.oldest);
  }

  /**
   * Marks the kind's entries as the whole kind until `until`, when every one of `keys` is still
   * cached (a bound small enough to evict part of a `getAll` leaves the kind incomplete).
   */
  markComplete(namespace: string, keys: Iterable<string>, until: number): void {
    const kind = this.kindOrNew(namespace);
    if (this.maxEntries !== undefined) {
      for (const key of keys) if (!kind.items.has(key)) return;
    }
    kind.completeUntil = until;
  }

  /** Forgets one key (the kind stops being complete: the key may well exist). */
  delete(namespace: string, key: string): void {
    const entry = this.kinds.get(namespace)?.items.get(key);
    if (entry !== undefined) this.evict(entry);
  }

  /** Forgets every entry of a kind. */
  clearKind(namespace: string): void {
    const kind = this.kinds.get(namespace);
    if (kind === undefined) return;
    if (this.maxEntries !== undefined) for (const entry of kind.items.values()) this.unlink(entry);
    this.count -= kind.items.size;
    this.kinds.delete(namespace);
  }

  /** Forgets everything. */
  clear(): void {
    this.kinds.clear();
    this.sweepAt = MIN_SWEEP_SIZE;
    this.oldest = undefined;
    this.newest = undefined;
    this.count = 0;
  }

  /** Drops every expired entry, and sets when the next sweep is due. */
  sweepExpired(): void {
    const now = this.now();
    for (const kind of this.kinds.values()) {
      for (const entry of kind.items.values()) if (entry.expiresAt <= now) this.evict(entry);
    }
    this.sweepAt = Math.max(MIN_SWEEP_SIZE, this.count * 2);
  }

  private kindOrNew(namespace: string): KindEntries {
    let kind = this.kinds.get(namespace);
    if (kind === undefined) {
      kind = { items: new Map(), completeUntil: 0 };
      this.kinds.set(namespace, kind);
    }
    return kind;
  }

  private evict(entry: CacheEntry): void {
    const kind = this.kinds.get(entry.namespace);
    if (kind === undefined || kind.items.get(entry.key) !== entry) return;
    kind.items.delete(entry.key);
    kind.completeUntil = 0;
    this.count -= 1;
    if (this.maxEntries !== undefined) this.unlink(entry);
  }

  private touch(entry: CacheEntry): void {
    if (this.newest === entry) return;
    this.unlink(entry);
    this.link(entry);
  }

  private link(entry: CacheEntry): void {
    entry.older = this.newest;
    entry.newer = undefined;
    if (this.newest !== undefined) this.newest.newer = entry;
    this.newest = entry;
    if (this.oldest === undefined) this.oldest = entry;
  }

  private unlink(entry: CacheEntry): void {
    if (entry.older !== undefined) entry.older.newer = entry.newer;
    else if (this.oldest === entry) this.oldest = entry.newer;
    if (entry.newer !== undefined) entry.newer.older = entry.older;
    else if (this.newest === entry) this.newest = entry.older;
    entry.older = undefined;
    entry.newer = undefined;
  }
}
