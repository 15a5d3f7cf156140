import type { PersistentDataStore } from '@stowage/core';

/** A `PersistentDataStore` on Redis. */
export interface RedisDataStore extends PersistentDataStore {
  /**
   * The prefix every key of this store starts with (`P:KIND`, `P:$inited`): the configured prefix
   * in standalone mode. Use it in ACL rules (`~P:*`) and when inspecting Redis by hand.
   */
  readonly effectivePrefix: string;
}
