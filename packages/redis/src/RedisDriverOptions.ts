import type { UpsertReadWriteHook } from '@stowage/core/driver';
import type { Redis } from 'ioredis';

/**
 * How the driver reaches Redis. Chosen explicitly (`mode`, or the scheme of `url`), never guessed
 * from the shape of the options: each mode has its own module under `src/topology/`.
 */
export type RedisMode = 'standalone' | 'sentinel' | 'cluster';

/** A host and port: a sentinel, or a cluster node. */
export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * How many replicas a durable write waits for:
 * - a number: exactly that many, always. While the primary has fewer (a replica down, or just
 *   after a failover, until the old primary rejoins) every write is `durability-not-confirmed`.
 * - `'attached'`: every replica the primary has (online ones, as `ROLE` lists them), at least one.
 *   A replica that joins counts at once; one that leaves is still waited for during a hold of 5 s,
 *   so that the old primary of a failover never confirms a write through the replicas Sentinel
 *   has not moved yet. Needs the `ROLE` command (`+role` in an ACL).
 */
export type ReplicaRule = number | 'attached';

/**
 * Durability of writes: after each write, `WAIT replicas timeoutMs` on the connection that wrote
 * (in a cluster, to the primary of the store's slot), one of a small pool kept for durable writes
 * so that a blocked WAIT never delays a read or another write. Fewer confirmations than required
 * fail the call with `durability-not-confirmed`; the write itself WAS applied on the primary.
 */
export interface WaitForReplicasOptions {
  /**
   * Replicas that must confirm; see {@link ReplicaRule}. To survive a failover, wait for every
   * replica of the primary: the replica that confirmed may not be the one promoted.
   */
  readonly replicas: ReplicaRule;
  /** How long WAIT blocks; must be shorter than `commandTimeoutMs`. */
  readonly timeoutMs: number;
}

/**
 * How `upsert` compares versions:
 * - `script`: a Lua compare-and-set on the server (one round trip; needs `EVALSHA`/`EVAL`).
 * - `watch`: `WATCH`, read, compare, `MULTI`/`EXEC` on a dedicated connection, retried a bounded
 *   number of times (for servers or ACL users where scripting is not allowed).
 * - `auto` (default): the script, switching to `watch` for good the first time the server refuses
 *   scripting (`NOPERM` or an unknown command).
 */
export type UpsertStrategy = 'auto' | 'script' | 'watch';

/** TLS settings. Certificate verification is on unless `rejectUnauthorized` is `false`. */
export interface RedisTlsOptions {
  /** Turns TLS on or off; an object without `enabled` turns it on. */
  readonly enabled?: boolean;
  /** PEM of the certificate authority (or authorities) to trust instead of Node's defaults. */
  readonly ca?: string;
  /** PEM client certificate, for servers that require one (`tls-auth-clients yes`). */
  readonly cert?: string;
  /** PEM private key of {@link cert}. A secret: never printed. */
  readonly key?: string;
  /** Name to verify the server certificate against (SNI), when it differs from the host. */
  readonly servername?: string;
  /** Verify the server certificate. Default `true`; only an explicit `false` turns it off. */
  readonly rejectUnauthorized?: boolean;
}

/** Options of `createRedisDriver`. Every one is optional; see the defaults in the README. */
export interface RedisDriverOptions {
  /**
   * Topology. Default `standalone`, or what `url` says (`redis+sentinel://`, `redis+cluster://`,
   * a connection string with `serviceName`); when both are given they must agree.
   */
  readonly mode?: RedisMode;
  /**
   * - standalone: `redis://[[user]:password@]host[:port][/db]`, `rediss://...` (TLS);
   * - sentinel: `redis+sentinel://[[user]:password@]host1[:26379],host2[:26379]/name[/db]`
   *   `[?sentinelUsername=...&sentinelPassword=...]`, `rediss+sentinel://...` (TLS);
   * - cluster: `redis+cluster://[[user]:password@]host1[:6379],host2[:6379]`,
   *   `rediss+cluster://...` (TLS);
   * - a StackExchange.Redis connection string, `host:port,password=...,ssl=True` (anything
   *   without `scheme://`).
   *
   * Cannot be combined with the options it names: `host`/`port`, `sentinels`/`name`, `nodes`.
   */
  readonly url?: string;
  /** Host name or address. Default `localhost` (when no `url` is given). */
  readonly host?: string;
  /** Port. Default `6379`. */
  readonly port?: number;
  /** ACL user name (Redis 6+). */
  readonly username?: string;
  /** Password of the ACL user, or of the default user (`requirepass`). A secret: never printed. */
  readonly password?: string;
  /** Database index. Default `0`. */
  readonly db?: number;
  /** `true` for TLS with Node's trusted CAs, or the TLS settings. Default off (on for `rediss://`). */
  readonly tls?: boolean | RedisTlsOptions;
  /** Sentinel mode: the sentinels to ask for the current primary (ioredis `sentinels`). */
  readonly sentinels?: ReadonlyArray<RedisNodeAddress>;
  /** Sentinel mode: the master name the sentinels monitor (ioredis `name`). */
  readonly name?: string;
  /** Sentinel mode: ACL user of the sentinels themselves. */
  readonly sentinelUsername?: string;
  /** Sentinel mode: password of the sentinels themselves. A secret: never printed. */
  readonly sentinelPassword?: string;
  /**
   * Sentinel mode: subscribe to the sentinels' `+switch-master` and move to the new primary at
   * once (ioredis `failoverDetector`). Default `true`: without it a graceful failover leaves the
   * client on the demoted primary for ~11 s.
   */
  readonly failoverDetector?: boolean;
  /** Cluster mode: nodes to discover the cluster from (any subset; ioredis `startupNodes`). */
  readonly nodes?: ReadonlyArray<RedisNodeAddress>;
  /**
   * Cluster mode: addresses the nodes announce (`host:port`) mapped to where the application
   * reaches them (ioredis `natMap`), for clusters behind NAT or in containers.
   */
  readonly natMap?: Readonly<Record<string, RedisNodeAddress>>;
  /**
   * Wait for replicas after every write (`WAIT`). Default off: an acknowledged write can then be
   * lost by a graceful failover or a partitioned primary.
   */
  readonly waitForReplicas?: WaitForReplicasOptions;
  /** Namespace of every key the store touches. Default `stowage`. */
  readonly prefix?: string;
  /**
   * How long an operation waits for a connection (including reconnects after an outage) before it
   * fails with a `connection` error. Default 5000 ms.
   */
  readonly connectTimeoutMs?: number;
  /**
   * How long a sent command may take. A read that takes longer fails with `timeout`, a write with
   * `outcome-unknown`. Default 2000 ms.
   */
  readonly commandTimeoutMs?: number;
  /**
   * An ioredis client of the application's to use instead of creating one. The store never
   * closes it; the connection options (`url`, `host`, `tls`, ...) must not be given with it.
   */
  readonly client?: Redis;
  /** How `upsert` compares versions. Default `auto`. */
  readonly upsertStrategy?: UpsertStrategy;
  /**
   * Called by the `watch` strategy between reading the current entry and writing the new one, on
   * every attempt (tests use it to write from another instance at that moment).
   */
  readonly upsertHook?: UpsertReadWriteHook;
  /** Attempts of the `watch` strategy before it gives up with a `conflict` error. Default 10. */
  readonly maxUpsertAttempts?: number;
  /**
   * Report writes of other writers of the schema (LaunchDarkly's Redis store, an `HSET` by hand),
   * which announce nothing on the change feed, as `kind` events: server-assisted client tracking
   * of the prefix (`CLIENT TRACKING on REDIRECT <id> BCAST PREFIX <effectivePrefix>:`) on two
   * more connections to the node holding the store. Tracking reports every write to the prefix,
   * this store's included, so each write drops its whole kind from every instance's cache.
   * Default `false`: foreign writes are then seen by a cache only after its TTL. The ACL user
   * needs `+client|tracking +client|id +subscribe &__redis__:invalidate` besides.
   */
  readonly trackForeignWrites?: boolean;
}

/** The defaults of {@link RedisDriverOptions}, in one place for code and documentation. */
export const REDIS_DEFAULTS = {
  mode: 'standalone',
  host: 'localhost',
  port: 6379,
  db: 0,
  connectTimeoutMs: 5000,
  commandTimeoutMs: 2000,
  upsertStrategy: 'auto',
  maxUpsertAttempts: 10,
  failoverDetector: true,
  trackForeignWrites: false,
} as const;
