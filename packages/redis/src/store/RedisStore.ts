import {
  type DataKind,
  type FullDataSet,
  isValidNamespace,
  parseStoredString,
  type SerializedItemDescriptor,
  StoreErrorCode,
  StowageError,
  StowageSerializationError,
  toStoredString,
  type UpsertResult,
  validateFullDataSet,
  validateKey,
  validateKind,
  validateUpsert,
} from '@stowage/core';
import { RedisConnection } from '../connection/RedisConnection.js';
import { replyCode, toStowageError } from '../errors/toStowageError.js';
import type { RedisSettings } from '../options/resolveRedisSettings.js';
import type { RedisDataStore } from '../RedisDataStore.js';
import type { UpsertStrategy } from '../RedisDriverOptions.js';
import type { RedisTopology } from '../topology/RedisTopology.js';
import type { CasOutcome } from '../upsert/CasOutcome.js';
import { SerialQueue } from '../upsert/SerialQueue.js';
import { scriptUpsert } from '../upsert/scriptUpsert.js';
import { WatchConnectionPool } from '../upsert/WatchConnectionPool.js';
import { watchUpsert } from '../upsert/watchUpsert.js';
import { type RedisKeys, redisKeys } from './redisKeys.js';

/** Keys asked for per SCAN of `listKinds`. */
const SCAN_COUNT = 1000;
/** Field/value pairs per HSET of `init`: big enough to be cheap, small enough not to stall Redis. */
const HSET_CHUNK_PAIRS = 1000;
/** Dedicated connections of the WATCH strategy, per store (per node in a cluster). */
const MAX_WATCH_CONNECTIONS = 8;
/** Attempts of a cluster transaction that met a moving slot or a failing shard. */
const CLUSTER_ATTEMPTS = 5;
const CLUSTER_RETRY_DELAY_MS = 100;
/** Replies that mean "not applied, try again (elsewhere)" in a cluster. */
const REDIRECTIONS = new Set(['MOVED', 'ASK', 'TRYAGAIN', 'CLUSTERDOWN']);

/** True for a failure caused by a slot moving or a shard failing over: nothing was applied. */
function isClusterRedirection(error: unknown): boolean {
  for (let cause = error; cause !== undefined && cause !== null; ) {
    const code = replyCode(cause);
    if (code !== undefined && REDIRECTIONS.has(code)) return true;
    const previous = (cause as { previousErrors?: unknown }).previousErrors;
    if (Array.isArray(previous) && previous.some((e) => REDIRECTIONS.has(replyCode(e) ?? ''))) {
      return true;
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

/** The Redis driver: the store contract over the shared `P:KIND` hash layout. */
export class RedisStore implements RedisDataStore {
  readonly effectivePrefix: string;
  private readonly keys: RedisKeys;
  private readonly connection: RedisConnection;
  private readonly policy;
  private strategy: UpsertStrategy;
  /** WATCH connections per node (one node except in a cluster, where it is the slot's primary). */
  private readonly pools = new Map<string, WatchConnectionPool>();
  private closed = false;
  private readonly watchQueue = new SerialQueue();
  private knownInitialized = false;

  constructor(
    private readonly settings: RedisSettings,
    private readonly topology: RedisTopology,
  ) {
    this.effectivePrefix = topology.effectivePrefix;
    this.keys = redisKeys(topology.effectivePrefix);
    this.strategy = settings.upsertStrategy;
    this.policy = {
      connectTimeoutMs: settings.connectTimeoutMs,
      commandTimeoutMs: settings.commandTimeoutMs,
      secrets: settings.secrets,
    };
    this.connection =
      settings.client === undefined
        ? new RedisConnection(topology.createClient(), true, this.policy)
        : new RedisConnection(settings.client, false, this.policy);
  }

  async init(allData: FullDataSet): Promise<void> {
    validateFullDataSet(allData);
    // The strings are taken now: the caller may change its data set once this call returns.
    const plan = allData.map(({ kind, items }) => {
      const chunks: string[][] = [];
      let chunk: string[] = [];
      for (const [key, descriptor] of items) {
        chunk.push(key, toStoredString(key, descriptor));
        if (chunk.length === HSET_CHUNK_PAIRS * 2) {
          chunks.push(chunk);
          chunk = [];
        }
      }
      if (chunk.length > 0) chunks.push(chunk);
      return { hashKey: this.keys.kind(kind.namespace), chunks };
    });
    const results = await this.retryRedirections(() =>
      this.connection.run('init', 'write', async (client) => {
        // One MULTI/EXEC: a reader never sees a half-replaced kind. An empty kind keeps its DEL and
        // skips HSET (Redis refuses an HSET without fields).
        const transaction = client.multi();
        for (const { hashKey, chunks } of plan) {
          transaction.del(hashKey);
          for (const pairs of chunks) transaction.hset(hashKey, ...pairs);
        }
        transaction.set(this.keys.inited, '');
        const executed = transaction.exec();
        const wait = this.settings.waitForReplicas;
        if (wait === undefined) return { executed: await executed, replicas: undefined };
        // Issued at once, so that on one server it follows EXEC on the same connection.
        const waited = this.topology
          .waitClient(client, this.keys.inited)
          .wait(wait.replicas, wait.timeoutMs);
        waited.catch(() => {});
        return { executed: await executed, replicas: await waited };
      }),
    );
    if (results.executed === null) {
      throw new StowageError(
        StoreErrorCode.Backend,
        'Redis init failed: the transaction was aborted by a WATCH on the client; nothing was written',
      );
    }
    for (const [error] of results.executed) {
      if (error !== null) throw this.error(error, 'init');
    }
    this.knownInitialized = true;
    this.checkReplicas('init', results.replicas);
  }

  async get(kind: DataKind, key: string): Promise<SerializedItemDescriptor | undefined> {
    validateKind(kind);
    validateKey(key);
    const hashKey = this.keys.kind(kind.namespace);
    const stored = await this.connection.run('get', 'read', (client) => client.hget(hashKey, key));
    if (stored === null) return undefined;
    const descriptor = parseStoredString(stored);
    if (descriptor === undefined) throw new StowageSerializationError(kind.namespace, [key]);
    return descriptor;
  }

  async getAll(kind: DataKind): Promise<ReadonlyMap<string, SerializedItemDescriptor>> {
    validateKind(kind);
    const hashKey = this.keys.kind(kind.namespace);
    const hash = await this.connection.run('getAll', 'read', (client) => client.hgetall(hashKey));
    const result = new Map<string, SerializedItemDescriptor>();
    const corrupt: string[] = [];
    for (const key of Object.keys(hash)) {
      const descriptor = parseStoredString(hash[key] as string);
      if (descriptor !== undefined) result.set(key, descriptor);
      else corrupt.push(key);
    }
    if (corrupt.length > 0) {
      throw new StowageSerializationError(kind.namespace, corrupt, result);
    }
    return result;
  }

  async upsert(
    kind: DataKind,
    key: string,
    descriptor: SerializedItemDescriptor,
  ): Promise<UpsertResult> {
    validateUpsert(kind, key, descriptor);
    const stored = toStoredString(key, descriptor);
    const hashKey = this.keys.kind(kind.namespace);
    const { version } = descriptor;
    let outcome: CasOutcome | undefined;
    if (this.strategy !== 'watch') {
      outcome = await scriptUpsert(
        this.connection,
        hashKey,
        key,
        stored,
        version,
        this.settings.waitForReplicas,
      );
      if (outcome.status === 'scripts-unavailable') {
        if (this.strategy === 'script') throw this.error(outcome.error, 'upsert');
        // Scripting is refused to this user or disabled on this server: WATCH from now on.
        this.strategy = 'watch';
      }
    }
    if (outcome === undefined || outcome.status === 'scripts-unavailable') {
      outcome = await this.watchQueue.run(hashKey, () =>
        this.retryRedirections(async () =>
          watchUpsert({
            pool: await this.watchPool(hashKey),
            maxAttempts: this.settings.maxUpsertAttempts,
            hook: this.settings.upsertHook,
            kind,
            key,
            hashKey,
            stored,
            version,
            wait: this.settings.waitForReplicas,
          }),
        ),
      );
    }
    if (outcome.status === 'applied') this.checkReplicas('upsert', outcome.replicas);
    return this.upsertResult(kind, key, outcome);
  }

  async listKinds(): Promise<ReadonlyArray<DataKind>> {
    const base = `${this.effectivePrefix}:`;
    // The prefix is matched literally: glob characters in it are escaped.
    const pattern = `${base.replace(/[*?[\]\\]/g, '\\$&')}*`;
    const namespaces = await this.connection.run('listKinds', 'read', async (client) => {
      // Every key of a store lives on one node (in a cluster, the primary of the store's slot).
      const node = this.topology.waitClient(client, this.keys.inited);
      const found = new Set<string>();
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(
          cursor,
          'MATCH',
          pattern,
          'COUNT',
          SCAN_COUNT,
          'TYPE',
          'hash',
        );
        for (const key of keys) found.add(key.slice(base.length));
        cursor = next;
      } while (cursor !== '0');
      return found;
    });
    return (
      [...namespaces]
        // A namespace has no `:`, so a nested prefix's key (`P:x:kind`) is not taken for a kind.
        .filter(isValidNamespace)
        .sort()
        .map((namespace) => ({ namespace }))
    );
  }

  async isInitialized(): Promise<boolean> {
    // Always asks, so that an unreachable server is reported, as every driver does; a true answer
    // is kept, so a marker deleted later does not make this instance re-initialize.
    const exists = await this.connection.run('isInitialized', 'read', (client) =>
      client.exists(this.keys.inited),
    );
    if (exists > 0) this.knownInitialized = true;
    return this.knownInitialized;
  }

  isAvailable(): Promise<boolean> {
    return this.connection.probe((client) => this.topology.probe(client, this.keys.inited));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.connection.close();
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
  }

  /** A WAIT that confirmed fewer replicas than required: the write stays applied, say so. */
  private checkReplicas(operation: string, replicas: number | undefined): void {
    const wait = this.settings.waitForReplicas;
    if (wait === undefined || replicas === undefined || replicas >= wait.replicas) return;
    throw new StowageError(
      StoreErrorCode.DurabilityNotConfirmed,
      `Redis ${operation} WAS applied on the primary, but only ${replicas} of ${wait.replicas} replicas confirmed it within ${wait.timeoutMs} ms: a failover may still lose it`,
    );
  }

  /**
   * In a cluster, a transaction can meet a slot that is moving (TRYAGAIN, ASK, MOVED) or a shard
   * that is failing over (CLUSTERDOWN): nothing was applied, so it is sent again, a bounded
   * number of times. Other modes run `op` once.
   */
  private async retryRedirections<T>(op: () => Promise<T>): Promise<T> {
    if (this.topology.mode !== 'cluster') return op();
    for (let attempt = 1; ; attempt++) {
      try {
        return await op();
      } catch (error) {
        if (attempt >= CLUSTER_ATTEMPTS || !isClusterRedirection(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, CLUSTER_RETRY_DELAY_MS * attempt));
      }
    }
  }

  private upsertResult(kind: DataKind, key: string, outcome: CasOutcome): UpsertResult {
    switch (outcome.status) {
      case 'applied':
        return { applied: true };
      case 'rejected': {
        const current = parseStoredString(outcome.current);
        if (current === undefined) throw new StowageSerializationError(kind.namespace, [key]);
        return { applied: false, current };
      }
      case 'corrupt':
        throw new StowageSerializationError(kind.namespace, [key]);
      case 'scripts-unavailable':
        throw this.error(outcome.error, 'upsert');
    }
  }

  /** The pool of WATCH connections to the node serving `hashKey` (in a cluster: its slot's primary). */
  private async watchPool(hashKey: string): Promise<WatchConnectionPool> {
    if (this.closed) {
      throw new StowageError(StoreErrorCode.Closed, 'Redis upsert failed: the store is closed');
    }
    // In a cluster the main client must know the slot map first (it connects and maps it).
    const target = await this.connection.run('upsert', 'read', async (client) =>
      this.topology.transactionTarget(client, hashKey),
    );
    let pool = this.pools.get(target.node);
    if (pool === undefined) {
      pool = new WatchConnectionPool(
        () => new RedisConnection(target.create(), true, this.policy),
        MAX_WATCH_CONNECTIONS,
        this.settings.commandTimeoutMs,
      );
      this.pools.set(target.node, pool);
    }
    return pool;
  }

  private error(error: unknown, operation: string): StowageError {
    return toStowageError(error, { operation, kind: 'write', secrets: this.settings.secrets });
  }
}
