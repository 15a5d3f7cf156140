import type { TestCertificates } from './createTestCertificates.js';
import type { RedisEndpoint } from './RedisEndpoint.js';
import type { RedisServer } from './RedisServer.js';

/** What {@link RedisCluster.migrateSlot} did. */
export interface SlotMigration {
  /** Number of keys moved with MIGRATE. */
  readonly keysMoved: number;
  /** Number of MIGRATE batches. */
  readonly batches: number;
}

/** Tuning of {@link RedisCluster.migrateSlot}. */
export interface MigrateSlotOptions {
  /** Keys per `CLUSTER GETKEYSINSLOT` + `MIGRATE` round. Default 100. */
  readonly batchSize?: number;
  /** Bound for the whole migration, propagation included. Default 30 s. */
  readonly timeoutMs?: number;
  /**
   * Pause between batches, to keep the slot in its migrating state for longer so that a client
   * under test sees ASK redirections. Default 0.
   */
  readonly pauseBetweenBatchesMs?: number;
}

/** A running 3-primary, 3-replica Redis Cluster; see `startCluster`. */
export interface RedisCluster {
  /** All six nodes, in start order. Roles change when a primary fails. */
  readonly nodes: readonly RedisServer[];
  /** Plain `{ host, port }` copies of the nodes, ready for ioredis's `new Cluster(startupNodes)`. */
  readonly startupNodes: readonly RedisEndpoint[];
  /** Password of every node, if set. */
  readonly password: string | undefined;
  /** Certificates when TLS is on (client port, replication and cluster bus). */
  readonly tls: TestCertificates | undefined;
  /** The hash slot of a key, like `CLUSTER KEYSLOT` (hash tags included). */
  keySlot(key: string | Uint8Array): number;
  /** The node currently serving `slot`, per `CLUSTER SLOTS` of the first running node. */
  primaryForSlot(slot: number): Promise<RedisServer>;
  /** SIGKILLs the node on `port` (it can be brought back with its `restart()`); returns it. */
  killNode(port: number): Promise<RedisServer>;
  /**
   * Moves one slot and its keys from the primary on `fromPort` to the primary on `toPort` while the
   * cluster keeps serving (a live reshard): SETSLOT IMPORTING/MIGRATING, MIGRATE in batches, then
   * SETSLOT NODE on every primary, and waits until every running node agrees on the new owner.
   */
  migrateSlot(
    slot: number,
    fromPort: number,
    toPort: number,
    options?: MigrateSlotOptions,
  ): Promise<SlotMigration>;
  /** Waits until every running node reports `cluster_state:ok`. Default bound 20 s. */
  waitForClusterOk(timeoutMs?: number): Promise<void>;
  /** Stops every node and removes the cluster's folder. Idempotent. */
  stop(): Promise<void>;
}
