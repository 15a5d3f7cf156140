import { randomBytes } from 'node:crypto';
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
  parseStoredString,
  toStoredString,
  upsertMessage,
  validateKey,
  validateKind,
  validateUpsert,
} from '@stowage/core/driver';
import {
  type CommandRequest,
  type ConnectionPolicy,
  RedisConnection,
} from '../connection/RedisConnection.js';
import { DurableWrites } from '../durability/DurableWrites.js';
import { toStowageError } from '../errors/toStowageError.js';
import { ChannelSource } from '../feed/ChannelSource.js';
import { changeChannel } from '../feed/changeChannel.js';
import { withPublishRule } from '../feed/feedRefusals.js';
import { storeTracker } from '../feed/foreignWrites/storeTracker.js';
import { RedisChangeFeed } from '../feed/RedisChangeFeed.js';
import type { RedisSettings } from '../options/resolveRedisSettings.js';
import type { RedisDataStore } from '../RedisDataStore.js';
import { isUnresponsive, retryRedirections } from '../topology/clusterRetry.js';
import type { RedisTopology } from '../topology/RedisTopology.js';
import { CompareAndSet } from '../upsert/CompareAndSet.js';
import { NodePools } from '../upsert/NodePools.js';
import { descriptorsOf } from './hashReply.js';
import { initTransaction, planInit } from './initPlan.js';
import { listKinds } from './listKinds.js';
import { type RedisKeys, redisKeys } from './redisKeys.js';

const GET: CommandRequest = { operation: 'get', effect: 'read', name: 'hget' };
/**
 * The name in capitals: ioredis turns the reply of `hgetall` into an object, key by key, before
 * anyone sees it; under another spelling it hands over the flat array of fields and values Redis
 * sent. In Buffers: ioredis would turn 100,000 of them into strings in one go, where the driver
 * does it item by item in slices that yield.
 */
const GET_ALL: CommandRequest = {
  operation: 'getAll',
  effect: 'read',
  name: 'HGETALL',
  buffers: true,
};
const IS_INITIALIZED: CommandRequest = {
  operation: 'isInitialized',
  effect: 'read',
  name: 'exists',
};

/** The Redis driver: the store contract over the shared `P:KIND` hash layout. */
export class RedisStore implements RedisDataStore {
  readonly effectivePrefix: string;
  /**
   * Every write of every instance on the prefix, announced on `<effectivePrefix>:$changes` in the
   * same atomic step as the write (see `feed/`).
   */
  readonly changeFeed: RedisChangeFeed;
  /** The sharded Pub/Sub channel this store announces its writes on. */
  private readonly channel: string;
  /** Tells this instance's announcements from others' (random, per instance). */
  private readonly origin = randomBytes(9).toString('base64url');
  private readonly keys: RedisKeys;
  private readonly connection: RedisConnection;
  private readonly pools: NodePools;
  private readonly durable: DurableWrites | undefined;
  private readonly compareAndSet: CompareAndSet;
  private knownInitialized = false;

  constructor(
    private readonly settings: RedisSettings,
    private readonly topology: RedisTopology,
  ) {
    this.effectivePrefix = topology.effectivePrefix;
    this.keys = redisKeys(topology.effectivePrefix);
    const policy: ConnectionPolicy = {
      connectTimeoutMs: settings.connectTimeoutMs,
      commandTimeoutMs: settings.commandTimeoutMs,
      secrets: settings.secrets,
    };
    this.connection =
      settings.client === undefined
        ? new RedisConnection(topology.createClient(), true, policy)
        : new RedisConnection(settings.client, false, policy);
    this.pools = new NodePools(topology, this.connection, policy);
    this.durable =
      settings.waitForReplicas === undefined
        ? undefined
        : new DurableWrites(settings.waitForReplicas);
    this.channel = changeChannel(topology.effectivePrefix);
    const channel = this.channel;
    const source = new ChannelSource((events) => topology.subscribe(channel, events), this.origin);
    // With trackForeignWrites, the writes of writers that do not announce (as `kind` events) too.
    const tracker = storeTracker(this.connection.client, settings, this.effectivePrefix);
    this.changeFeed = new RedisChangeFeed(
      tracker === undefined ? [source] : [source, tracker],
      () => this.markerExists(),
    );
    this.compareAndSet = new CompareAndSet({
      mode: topology.mode,
      strategy: settings.upsertStrategy,
      maxAttempts: settings.maxUpsertAttempts,
      hook: settings.upsertHook,
      secrets: settings.secrets,
      connection: this.connection,
      pools: this.pools,
      durable: this.durable,
      pool: this.pool,
      watched: this.watched,
    });
  }

  async init(allData: FullDataSet): Promise<void> {
    // The strings are taken now: the caller may change its data set once this call returns.
    const transaction = initTransaction(await planInit(allData, this.keys), this.keys.inited, {
      channel: this.channel,
      origin: this.origin,
    });
    const durable = this.durable;
    const { executed, shortfall } = await retryRedirections(this.topology.mode, async () => {
      if (durable === undefined) {
        const reply = await this.watched(this.connection.run('init', 'write', transaction));
        return { executed: reply, shortfall: undefined };
      }
      const pool = await this.pool(this.keys.inited, 'init');
      const { reply, shortfall } = await this.watched(durable.send(pool, 'init', transaction));
      return { executed: reply, shortfall };
    }).catch((error: unknown) => {
      throw withPublishRule(error, 'init', this.channel);
    });
    if (executed === null) {
      throw new StowageError(
        StoreErrorCode.Backend,
        'Redis init failed: the transaction was aborted by a WATCH on the client; nothing was written',
      );
    }
    for (const [error] of executed) {
      if (error !== null) throw this.writeError(error, 'init');
    }
    this.knownInitialized = true;
    if (shortfall !== undefined) throw shortfall;
  }

  async get(kind: DataKind, key: string): Promise<SerializedItemDescriptor | undefined> {
    validateKind(kind);
    validateKey(key);
    const args = [this.keys.kind(kind.namespace), key];
    let stored: unknown;
    try {
      stored = await this.connection.send(GET, args);
    } catch (error) {
      stored = await this.recover(error, GET, args);
    }
    if (stored === null) return undefined;
    const descriptor = parseStoredString(stored as string);
    if (descriptor === undefined) throw new StowageSerializationError(kind.namespace, [key]);
    return descriptor;
  }

  async getAll(kind: DataKind): Promise<ReadonlyMap<string, SerializedItemDescriptor>> {
    validateKind(kind);
    const args = [this.keys.kind(kind.namespace)];
    let reply: unknown;
    try {
      reply = await this.connection.send(GET_ALL, args);
    } catch (error) {
      reply = await this.recover(error, GET_ALL, args);
    }
    return descriptorsOf(kind, reply);
  }

  upsert(kind: DataKind, key: string, descriptor: SerializedItemDescriptor): Promise<UpsertResult> {
    try {
      validateUpsert(kind, key, descriptor);
    } catch (error) {
      return Promise.reject(error);
    }
    const write = {
      hashKey: this.keys.kind(kind.namespace),
      key,
      stored: toStoredString(key, descriptor),
      version: descriptor.version,
      channel: this.channel,
      announcement: upsertMessage(
        this.origin,
        kind.namespace,
        key,
        descriptor.version,
        descriptor.deleted === true,
      ),
    };
    return this.compareAndSet.apply(kind, write);
  }

  listKinds(): Promise<ReadonlyArray<DataKind>> {
    return listKinds(this.connection, this.effectivePrefix, this.keys.inited);
  }

  async isInitialized(): Promise<boolean> {
    // Always asks, so that an unreachable server is reported, as every driver does; a true answer
    // is kept, so a marker deleted later does not make this instance re-initialize.
    if (await this.markerExists()) this.knownInitialized = true;
    return this.knownInitialized;
  }

  /** EXISTS of the initialized marker, asked now and not remembered (the feed's check). */
  private async markerExists(): Promise<boolean> {
    const args = [this.keys.inited];
    let exists: unknown;
    try {
      exists = await this.connection.send(IS_INITIALIZED, args);
    } catch (error) {
      exists = await this.recover(error, IS_INITIALIZED, args);
    }
    return (exists as number) > 0;
  }

  isAvailable(): Promise<boolean> {
    return this.connection.probe((client) => this.topology.probe(client, this.keys.inited));
  }

  async close(): Promise<void> {
    this.connection.close();
    this.pools.close();
    await this.changeFeed.close();
  }

  /** A failed command of the store's shared connection: sent again when unsent, or thrown typed. */
  private recover(error: unknown, request: CommandRequest, args: string[]): Promise<unknown> {
    return this.watched(this.connection.recover(error, request, args));
  }

  /** The dedicated connections to the node serving `hashKey` (in a cluster: its slot's primary). */
  private readonly pool = (hashKey: string, operation: string) =>
    this.watched(this.pools.forKey(hashKey, operation));

  /**
   * Settles like `pending`; a failure that says the store's node did not answer (a timeout, or
   * no connection) lets the topology look for a new one: in a cluster, a frozen or dead primary
   * is left once the cluster has promoted its replica, even by a store that only writes.
   */
  private readonly watched = <T>(pending: Promise<T>): Promise<T> =>
    this.topology.mode === 'cluster' ? pending.catch(this.afterFailure) : pending;

  private readonly afterFailure = (error: unknown): never => {
    if (isUnresponsive(error)) {
      this.topology.nodeUnresponsive(this.connection.client, this.keys.inited, this.pools.leave);
    }
    throw error;
  };

  private writeError(error: unknown, operation: string): StowageError {
    const typed = toStowageError(error, {
      operation,
      effect: 'write',
      secrets: this.settings.secrets,
    });
    return withPublishRule(typed, operation, this.channel) as StowageError;
  }
}
