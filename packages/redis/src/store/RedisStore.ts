import {
  type DataKind,
  type FullDataSet,
  type SerializedItemDescriptor,
  StoreErrorCode,
  StowageError,
  StowageSerializationError,
  type UpsertResult,
} from '@stowage/core';
import {
  closedError,
  isValidNamespace,
  parseStoredString,
  toStoredString,
  validateFullDataSet,
  validateKey,
  validateKind,
  validateUpsert,
} from '@stowage/core/driver';
import { RedisConnection } from '../connection/RedisConnection.js';
import { DurableWrites } from '../durability/DurableWrites.js';
import { replyCode, toStowageError } from '../errors/toStowageError.js';
import type { RedisSettings } from '../options/resolveRedisSettings.js';
import type { RedisDataStore } from '../RedisDataStore.js';
import type { UpsertStrategy } from '../RedisDriverOptions.js';
import type { RedisClient, RedisTopology, TransactionTarget } from '../topology/RedisTopology.js';
import type { CasOutcome } from '../upsert/CasOutcome.js';
import { DedicatedConnectionPool } from '../upsert/DedicatedConnectionPool.js';
import { SerialQueue } from '../upsert/SerialQueue.js';
import {
  type CasWrite,
  type DurableTargets,
  durableScriptUpsert,
  scriptUpsert,
} from '../upsert/scriptUpsert.js';
import { watchUpsert } from '../upsert/watchUpsert.js';
import { type RedisKeys, redisKeys } from './redisKeys.js';
import { storeNode } from './storeNode.js';

/** Keys asked for per SCAN of `listKinds`. */
const SCAN_COUNT = 1000;
/** Field/value pairs per HSET of `init`: big enough to be cheap, small enough not to stall Redis. */
const HSET_CHUNK_PAIRS = 1000;
/**
 * Dedicated connections (WATCH transactions, durable writes), per store and node: as many writes
 * as this wait for their replicas at once, side by side, without delaying reads.
 */
const MAX_DEDICATED_CONNECTIONS = 8;
/** Failures after which a cluster's slot map may be out of date: the node did not answer. */
const UNRESPONSIVE: ReadonlySet<string> = new Set([
  StoreErrorCode.Timeout,
  StoreErrorCode.OutcomeUnknown,
  StoreErrorCode.Connection,
]);
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
  /** Dedicated connections per node (one node except in a cluster, where it is the slot's primary). */
  private readonly pools = new Map<string, DedicatedConnectionPool>();
  /** `waitForReplicas`, when on. */
  private readonly durable: DurableWrites | undefined;
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
    this.durable =
      settings.waitForReplicas === undefined
        ? undefined
        : new DurableWrites(settings.waitForReplicas);
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
    // One MULTI/EXEC: a reader never sees a half-replaced kind. An empty kind keeps its DEL and
    // skips HSET (Redis refuses an HSET without fields).
    const transaction = (client: RedisClient) => {
      const multi = client.multi();
      for (const { hashKey, chunks } of plan) {
        multi.del(hashKey);
        for (const pairs of chunks) multi.hset(hashKey, ...pairs);
      }
      return multi.set(this.keys.inited, '').exec();
    };
    const durable = this.durable;
    const { executed, shortfall } = await this.retryRedirections(async () => {
      if (durable === undefined) {
        return { executed: await this.run('init', 'write', transaction), shortfall: undefined };
      }
      const { reply, shortfall } = await this.unresponsive(
        durable.send(await this.dedicatedPool(this.keys.inited, 'init'), 'init', transaction),
      );
      return { executed: reply, shortfall };
    });
    if (executed === null) {
      throw new StowageError(
        StoreErrorCode.Backend,
        'Redis init failed: the transaction was aborted by a WATCH on the client; nothing was written',
      );
    }
    for (const [error] of executed) {
      if (error !== null) throw this.error(error, 'init');
    }
    this.knownInitialized = true;
    if (shortfall !== undefined) throw shortfall;
  }

  async get(kind: DataKind, key: string): Promise<SerializedItemDescriptor | undefined> {
    validateKind(kind);
    validateKey(key);
    const hashKey = this.keys.kind(kind.namespace);
    const stored = await this.run('get', 'read', (client) => client.hget(hashKey, key));
    if (stored === null) return undefined;
    const descriptor = parseStoredString(stored);
    if (descriptor === undefined) throw new StowageSerializationError(kind.namespace, [key]);
    return descriptor;
  }

  async getAll(kind: DataKind): Promise<ReadonlyMap<string, SerializedItemDescriptor>> {
    validateKind(kind);
    const hashKey = this.keys.kind(kind.namespace);
    const hash = await this.run('getAll', 'read', (client) => client.hgetall(hashKey));
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
      outcome = await this.scriptUpsert({ hashKey, key, stored, version });
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
            pool: await this.dedicatedPool(hashKey, 'upsert'),
            maxAttempts: this.settings.maxUpsertAttempts,
            hook: this.settings.upsertHook,
            kind,
            key,
            hashKey,
            stored,
            version,
            durable: this.durable,
          }),
        ),
      );
    }
    if (outcome.status === 'applied' && outcome.shortfall !== undefined) throw outcome.shortfall;
    return this.upsertResult(kind, key, outcome);
  }

  async listKinds(): Promise<ReadonlyArray<DataKind>> {
    const base = `${this.effectivePrefix}:`;
    // The prefix is matched literally: glob characters in it are escaped.
    const pattern = `${base.replace(/[*?[\]\\]/g, '\\$&')}*`;
    const namespaces = await this.connection.run('listKinds', 'read', async (client) => {
      // Every key of a store lives on one node (in a cluster, the primary of the store's slot).
      const node = storeNode(client, this.keys.inited);
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
    const exists = await this.run('isInitialized', 'read', (client) =>
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

  /** An operation on the store's shared connection (see {@link unresponsive}). */
  private run<T>(
    operation: string,
    kind: 'read' | 'write',
    op: (client: RedisClient) => Promise<T>,
  ): Promise<T> {
    return this.unresponsive(this.connection.run(operation, kind, op));
  }

  /**
   * Settles like `pending`; a failure that says the store's node did not answer (a timeout, or
   * no connection) lets the topology look for a new one: in a cluster, a frozen or dead primary
   * is left once the cluster has promoted its replica, even by a store that only writes.
   */
  private unresponsive<T>(pending: Promise<T>): Promise<T> {
    return this.topology.mode === 'cluster' ? pending.catch(this.afterFailure) : pending;
  }

  /** One handler for every operation (no closure per call on the read path). */
  private readonly afterFailure = (error: unknown): never => {
    if (StowageError.is(error) && UNRESPONSIVE.has(error.code)) {
      this.topology.nodeUnresponsive(this.connection.client, this.keys.inited, this.leftNode);
    }
    throw error;
  };

  /** The store's slot has left `node`: its dedicated connections are cut and forgotten. */
  private readonly leftNode = (node: string): void => {
    this.pools.get(node)?.abandon();
    this.pools.delete(node);
  };

  /** The compare-and-set script, followed by WAIT on a dedicated connection when durable. */
  private scriptUpsert(write: CasWrite): Promise<CasOutcome> {
    const { hashKey } = write;
    if (this.durable === undefined) return this.unresponsive(scriptUpsert(this.connection, write));
    const main = this.connection.client;
    const targets: DurableTargets = {
      pool: (address) =>
        address === undefined
          ? this.dedicatedPool(hashKey, 'upsert')
          : Promise.resolve(this.poolFor(this.topology.redirectTarget(main, address))),
    };
    return this.unresponsive(
      durableScriptUpsert(this.durable, targets, write).catch((error: unknown) => {
        throw this.error(error, 'upsert');
      }),
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

  /** The dedicated connections to the node serving `hashKey` (in a cluster: its slot's primary). */
  private async dedicatedPool(
    hashKey: string,
    operation: string,
  ): Promise<DedicatedConnectionPool> {
    if (this.closed) throw closedError(`Redis ${operation}`);
    const main = this.connection.client;
    if (this.topology.mode !== 'cluster') {
      return this.poolFor(this.topology.transactionTarget(main, hashKey));
    }
    // The cluster client must know the slot map first (it connects and maps it).
    const target = await this.run(operation, 'read', async (client) =>
      this.topology.transactionTarget(client, hashKey),
    );
    return this.poolFor(target);
  }

  private poolFor(target: TransactionTarget): DedicatedConnectionPool {
    let pool = this.pools.get(target.node);
    if (pool === undefined) {
      pool = new DedicatedConnectionPool(
        () => new RedisConnection(target.create(), true, this.policy),
        MAX_DEDICATED_CONNECTIONS,
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
