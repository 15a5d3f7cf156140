import { closedError } from '@stowage/core/driver';
import { type ConnectionPolicy, RedisConnection } from '../connection/RedisConnection.js';
import type { RedisTopology, TransactionTarget } from '../topology/RedisTopology.js';
import { DedicatedConnectionPool } from './DedicatedConnectionPool.js';

/**
 * Dedicated connections (WATCH transactions, durable writes), per store and node: as many writes
 * as this wait for their replicas at once, side by side, without delaying reads.
 */
const MAX_DEDICATED_CONNECTIONS = 8;

/**
 * The dedicated connections of one store, a pool per node: one node except in a cluster, where it
 * is the primary of the store's slot (or the node a redirection names).
 */
export class NodePools {
  private readonly pools = new Map<string, DedicatedConnectionPool>();
  private closed = false;

  constructor(
    private readonly topology: RedisTopology,
    /** The store's shared connection: in a cluster, its client knows the slot map. */
    private readonly main: RedisConnection,
    private readonly policy: ConnectionPolicy,
  ) {}

  /** The pool of the node serving `hashKey` (in a cluster: its slot's primary). */
  async forKey(hashKey: string, operation: string): Promise<DedicatedConnectionPool> {
    if (this.closed) throw closedError(`Redis ${operation}`);
    if (this.topology.mode !== 'cluster') {
      return this.forTarget(this.topology.transactionTarget(this.main.client, hashKey));
    }
    // The cluster client must know the slot map first (it connects and maps it).
    const target = await this.main.run(operation, 'read', async (client) =>
      this.topology.transactionTarget(client, hashKey),
    );
    return this.forTarget(target);
  }

  /** The pool of the node a MOVED or ASK reply named (`host:port` as the cluster announces it). */
  forAddress(address: string): DedicatedConnectionPool {
    return this.forTarget(this.topology.redirectTarget(this.main.client, address));
  }

  /** The store's slot has left `node`: its dedicated connections are cut and forgotten. */
  readonly leave = (node: string): void => {
    this.pools.get(node)?.abandon();
    this.pools.delete(node);
  };

  close(): void {
    this.closed = true;
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
  }

  private forTarget(target: TransactionTarget): DedicatedConnectionPool {
    let pool = this.pools.get(target.node);
    if (pool === undefined) {
      pool = new DedicatedConnectionPool(
        () => new RedisConnection(target.create(), true, this.policy),
        MAX_DEDICATED_CONNECTIONS,
        this.policy.commandTimeoutMs,
      );
      this.pools.set(target.node, pool);
    }
    return pool;
  }
}
