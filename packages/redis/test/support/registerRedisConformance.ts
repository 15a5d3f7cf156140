import { registerConformanceSuite } from '@stowage/conformance';
import type { PersistentDataStore } from '@stowage/core';
import { leasePortBlock, type PortBlockLease, type RedisServer } from '@stowage/testing';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { createRedisDriver, type RedisDriverOptions } from '../../src/index.js';
import { adminClient, clearPrefix } from './adminClient.js';

/** One server set-up the contract runs against. */
export interface RedisConformanceSetup {
  readonly name: string;
  /** Starts this file's own server. */
  start(): Promise<RedisServer>;
  /** How the driver reaches the server (everything but the prefix). */
  storeOptions(server: RedisServer): RedisDriverOptions;
  /** True for the WATCH strategy, which calls the upsert hook between its read and its write. */
  readonly supportsUpsertHook?: boolean;
  /** Base of the prefixes the suite generates (an ACL rule may need to match them). */
  readonly prefixBase?: string;
  /** Options (but the timeouts) of a store in this mode that reaches nothing on `port`. */
  unreachableOptions?(port: number): RedisDriverOptions;
  /** The key prefix the driver uses for `prefix` (a cluster wraps it in a hash tag). */
  effectivePrefix?(prefix: string): string;
  /** A full-rights client for raw writes and clean-up; default: the server's default user. */
  createAdmin?(server: RedisServer): Redis | Cluster;
  /** Deletes every key of `prefix` through `admin`; default: SCAN + DEL on the one server. */
  clearPrefix?(admin: Redis | Cluster, prefix: string): Promise<void>;
  /** Wraps every store the suite gets, e.g. in the caching decorator; default: the bare driver. */
  decorate?(store: PersistentDataStore): PersistentDataStore;
}

/** Timeouts of the store pointed at a port where nothing listens. */
const UNREACHABLE = { connectTimeoutMs: 500, commandTimeoutMs: 500 };

/**
 * Registers the store contract against one real server started for the file, exactly as a third
 * party registers its driver: factories for stores, clean-up, raw writes behind the driver's back,
 * and an unreachable store on a leased port where nothing listens.
 */
export function registerRedisConformance(setup: RedisConformanceSetup): void {
  let server: RedisServer | undefined;
  let admin: Redis | Cluster | undefined;
  let lease: PortBlockLease | undefined;
  let deadPort = 0;

  beforeAll(async () => {
    [server, lease] = await Promise.all([setup.start(), leasePortBlock(1)]);
    deadPort = await lease.next();
    admin = setup.createAdmin?.(server) ?? adminClient(server);
  });

  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
    lease?.release();
  });

  const running = () => {
    if (server === undefined || admin === undefined) throw new Error('server not started');
    return { server, admin };
  };

  const decorate = setup.decorate ?? ((store: PersistentDataStore) => store);

  registerConformanceSuite({
    name: setup.name,
    ...(setup.prefixBase === undefined ? {} : { prefixBase: setup.prefixBase }),
    createStore: (prefix, { upsertHook }) =>
      decorate(
        createRedisDriver({
          ...setup.storeOptions(running().server),
          prefix,
          ...(upsertHook === undefined ? {} : { upsertHook }),
        }),
      ),
    clearPrefix: (prefix) =>
      setup.clearPrefix !== undefined
        ? setup.clearPrefix(running().admin, prefix)
        : clearPrefix(running().admin as Redis, prefix),
    writeRaw: async (prefix, kind, key, raw) => {
      const effective = setup.effectivePrefix?.(prefix) ?? prefix;
      await running().admin.hset(`${effective}:${kind.namespace}`, key, raw);
    },
    createUnreachableStore: () =>
      decorate(
        createRedisDriver({
          ...(setup.unreachableOptions?.(deadPort) ?? { host: '127.0.0.1', port: deadPort }),
          ...UNREACHABLE,
        }),
      ),
    unreachableTimeoutMs: UNREACHABLE.connectTimeoutMs + UNREACHABLE.commandTimeoutMs,
    supportsUpsertHook: setup.supportsUpsertHook ?? false,
  });
}
