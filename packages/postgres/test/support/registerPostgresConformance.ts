import { registerConformanceSuite } from '@stowage/conformance';
import type { PersistentDataStore } from '@stowage/core';
import {
  leasePortBlock,
  type PortBlockLease,
  type PostgresServer,
  startPostgresServer,
} from '@stowage/testing';
import { afterAll, beforeAll } from 'vitest';
import {
  createPostgresDriver,
  createTableSql,
  type PostgresDriverOptions,
} from '../../src/index.js';
import { clearPrefix, writeRaw } from './rawRows.js';

/** One set-up the contract runs against. */
export interface PostgresConformanceSetup {
  readonly name: string;
  /** Starts this file's own server; default a plain one. */
  start?(): Promise<PostgresServer>;
  /** How the driver reaches the server (everything but the prefix); default its URL. */
  storeOptions?(server: PostgresServer): PostgresDriverOptions;
  /** Wraps every store the suite gets, e.g. in the caching decorator; default: the bare driver. */
  decorate?(store: PersistentDataStore): PersistentDataStore;
}

/** Timeouts of the store pointed at a port where nothing listens. */
const UNREACHABLE = { connectTimeoutMs: 500, commandTimeoutMs: 500 };
const TABLE = 'public.stowage_items';

/**
 * Registers the store contract against one PostgreSQL started for the file, exactly as a third
 * party registers its driver: factories for stores, clean-up, raw rows written behind the
 * driver's back, and an unreachable store on a leased port where nothing listens.
 */
export function registerPostgresConformance(setup: PostgresConformanceSetup): void {
  let server: PostgresServer | undefined;
  let lease: PortBlockLease | undefined;
  let deadPort = 0;

  beforeAll(async () => {
    [server, lease] = await Promise.all([
      (setup.start ?? startPostgresServer)(),
      leasePortBlock(1),
    ]);
    deadPort = await lease.next();
    await server.query(createTableSql(TABLE));
  });

  afterAll(async () => {
    await server?.stop();
    lease?.release();
  });

  const running = () => {
    if (server === undefined) throw new Error('server not started');
    return server;
  };
  const decorate = setup.decorate ?? ((store: PersistentDataStore) => store);
  const storeOptions = setup.storeOptions ?? ((started: PostgresServer) => ({ url: started.url }));

  registerConformanceSuite({
    name: setup.name,
    createStore: (prefix) => decorate(createPostgresDriver({ ...storeOptions(running()), prefix })),
    clearPrefix: (prefix) => clearPrefix(running(), TABLE, prefix),
    writeRaw: (prefix, kind, key, raw) =>
      writeRaw(running(), TABLE, prefix, kind.namespace, key, raw),
    createUnreachableStore: () =>
      decorate(createPostgresDriver({ host: '127.0.0.1', port: deadPort, ...UNREACHABLE })),
    unreachableTimeoutMs: UNREACHABLE.connectTimeoutMs + UNREACHABLE.commandTimeoutMs,
    supportsUpsertHook: false,
  });
}
