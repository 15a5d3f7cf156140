/** The value kept for a key the backend said it does not have. */
export const NOT_FOUND: unique symbol = Symbol('not found');

/** The type of {@link NOT_FOUND}. */
export type NotFound = typeof NOT_FOUND;

/** The map of one kind's entries, as an entry knows its own (to leave it when evicted). */
export interface EntryOwner {
  readonly items: Map<string, CacheEntry<unknown>>;
  /** See `KindCache.completeUntil`: evicting any entry resets it. */
  completeUntil: number;
}

/** One cached key: a kept value (or {@link NOT_FOUND}), its version and when it expires. */
export class CacheEntry<V> {
  // The neighbours in recency order; only maintained when the cache is bounded.
  older: CacheEntry<unknown> | undefined = undefined;
  newer: CacheEntry<unknown> | undefined = undefined;

  constructor(
    readonly owner: EntryOwner,
    readonly key: string,
    public value: V | NotFound,
    /** -1 for {@link NOT_FOUND}. */
    public version: number,
    public expiresAt: number,
  ) {}
}
