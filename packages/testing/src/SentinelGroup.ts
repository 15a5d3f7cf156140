import type { TestCertificates } from './createTestCertificates.js';
import type { RedisContainer } from './RedisContainer.js';
import type { RedisEndpoint } from './RedisEndpoint.js';
import type { RedisServer } from './RedisServer.js';

/** A running primary, its replicas and the sentinels watching them; see `startSentinelGroup`. */
export interface SentinelGroup {
  /** The master name the sentinels monitor (`mymaster` unless chosen). */
  readonly name: string;
  /** Sentinel addresses, ready for ioredis's `sentinels` option. */
  readonly sentinels: readonly RedisEndpoint[];
  /** The data nodes: the initial primary first, then the replicas. Roles change on failover. */
  readonly nodes: readonly RedisServer[];
  /** Password of every data node (`requirepass`/`masterauth`), if set. */
  readonly password: string | undefined;
  /** Password of the sentinels themselves, if set. */
  readonly sentinelPassword: string | undefined;
  /** Certificates when TLS is on (shared by data nodes and sentinels). */
  readonly tls: TestCertificates | undefined;
  /** The node the sentinels currently name as primary (asks the first sentinel that answers). */
  primary(): Promise<RedisServer>;
  /**
   * Waits until every sentinel passes `SENTINEL CKQUORUM` and knows every replica and the other
   * sentinels (~2.2 s after start). Only failover tests need this. Default bound 10 s.
   */
  waitForQuorum(timeoutMs?: number): Promise<void>;
  /**
   * Asks a sentinel for a graceful failover (`SENTINEL FAILOVER`) and resolves with the old primary
   * without waiting for the switch; follow with {@link SentinelGroup.waitForNewPrimary}. Call
   * {@link SentinelGroup.waitForQuorum} first on a fresh group.
   */
  failover(): Promise<RedisServer>;
  /**
   * Waits until every answering sentinel names the same primary other than `oldPort` and that node
   * reports `role:master`. Default bound 15 s.
   */
  waitForNewPrimary(oldPort: number, timeoutMs?: number): Promise<RedisServer>;
  /** SIGKILLs the current primary (the reliable fault for recovery tests) and returns it. */
  killPrimary(): Promise<RedisServer>;
  /** SIGSTOPs the current primary (behaves like a network partition) and returns it. */
  pausePrimary(): Promise<RedisServer>;
  /** SIGCONTs every running data node, undoing {@link SentinelGroup.pausePrimary}. */
  resumeAll(): void;
  /** Runs redis-cli against the first sentinel (its password and TLS flags filled in). */
  sentinelCli(...args: string[]): Promise<string>;
  /** Stops every sentinel and data node and removes the group's folder. Idempotent. */
  stop(): Promise<void>;
}

/** A {@link SentinelGroup} in containers: its nodes can also be partitioned (see `RedisContainer`). */
export interface ContainerSentinelGroup extends SentinelGroup {
  readonly nodes: readonly RedisContainer[];
  primary(): Promise<RedisContainer>;
  failover(): Promise<RedisContainer>;
  waitForNewPrimary(oldPort: number, timeoutMs?: number): Promise<RedisContainer>;
  killPrimary(): Promise<RedisContainer>;
  pausePrimary(): Promise<RedisContainer>;
}
