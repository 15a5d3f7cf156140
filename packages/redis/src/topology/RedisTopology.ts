import type { Cluster, Redis } from 'ioredis';
import type { ChannelSubscription, SubscriptionEvents } from '../feed/ChannelSubscription.js';
import type { RedisMode } from '../RedisDriverOptions.js';

/** The client of a topology: one server (standalone, or the primary behind Sentinel), or a cluster. */
export type RedisClient = Redis | Cluster;

/** Where the dedicated connections of WATCH transactions on one key go. */
export interface TransactionTarget {
  /** Names the node: connections to one node are pooled together. */
  readonly node: string;
  /** A new dedicated connection to that node, owned by the driver, lazy. */
  create(): Redis;
}

/**
 * What differs between Redis deployments, behind one small interface: how keys are named and how a
 * client is made. One module per mode implements it; `createTopology` picks one by `mode`.
 */
export interface RedisTopology {
  readonly mode: RedisMode;
  /**
   * The prefix every key is built from. Standalone uses the prefix as given; a cluster wraps it in
   * a hash tag so that all of a store's keys share one slot.
   */
  readonly effectivePrefix: string;
  /** A new client owned by the driver. Lazy: no I/O until the first command. */
  createClient(): RedisClient;
  /**
   * The dedicated connections of WATCH transactions on `key` (WATCH belongs to a connection, and a
   * cluster client shares one per node): in a cluster, the primary that serves the key's slot now.
   * Throws when the client does not know that node yet.
   */
  transactionTarget(main: RedisClient, key: string): TransactionTarget;
  /**
   * The dedicated connections to the node a MOVED or ASK reply named (`host:port` as the cluster
   * announces it). Outside a cluster, the same as {@link transactionTarget}.
   */
  redirectTarget(main: RedisClient, address: string): TransactionTarget;
  /**
   * Called when a command to the node serving `key` timed out or could not reach it. In a cluster
   * the slot may have moved to a promoted replica the client does not know yet: the slot map is
   * refreshed (bounded), and once it shows the slot elsewhere the client's connection to the old
   * node is cut and `left(node)` called, so that nothing waits on a hung primary any longer.
   * Nothing to do elsewhere (a Sentinel client follows the sentinels).
   */
  nodeUnresponsive(main: RedisClient, key: string, left: (node: string) => void): void;
  /**
   * The cheapest health probe: PING on one server; in a cluster a read of `key` (the store's
   * marker), so that it reaches the node serving the store's slot, not a random one.
   */
  probe(main: RedisClient, key: string): Promise<unknown>;
  /**
   * Follows the sharded Pub/Sub `channel` on a subscriber connection of its own, created now and
   * closed with the subscription (with a client handed in, its duplicate). Standalone and
   * Sentinel: one connection to the (primary) server; Cluster: a cluster client with sharded
   * subscribers, whose subscriber lives on the channel's slot's primary.
   */
  subscribe(channel: string, events: SubscriptionEvents): ChannelSubscription;
}
