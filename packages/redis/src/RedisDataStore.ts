import type { DataKind, PersistentDataStore } from '@stowage/core';
import type { ChangeFeed } from '@stowage/core/driver';

/** A `PersistentDataStore` on Redis. */
export interface RedisDataStore extends PersistentDataStore {
  /**
   * The prefix every key of this store starts with (`P:KIND`, `P:$inited`): the configured prefix
   * in standalone mode. Use it in ACL rules (`~P:*`) and when inspecting Redis by hand.
   */
  readonly effectivePrefix: string;

  /**
   * The kinds of this store: `SCAN MATCH <effectivePrefix>:* TYPE hash` on the node holding the
   * store (in a cluster, the primary of its slot), keeping names that are valid namespaces, so
   * neither the marker nor a nested prefix's keys count. Needs `SCAN` and the key pattern `~P:*`.
   */
  listKinds(): Promise<ReadonlyArray<DataKind>>;

  /**
   * The change feed, always there: every write is announced on `<effectivePrefix>:$changes` with
   * SPUBLISH in the same atomic step, and the feed follows that channel (see the README).
   */
  readonly changeFeed: ChangeFeed;
}
