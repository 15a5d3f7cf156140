import type { LDClientContext, LDFeatureStore } from '@launchdarkly/node-server-sdk';
import { RedisFeatureStore } from '@launchdarkly/node-server-sdk-redis';
import {
  type DataStore,
  defineKind,
  type StoreStatus,
  type VersionedItem,
  type WrapDriverOptions,
  wrapDriver,
} from '@stowage/core';
import { type RedisServer, startRedisServer } from '@stowage/testing';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisDriver, type RedisDriverOptions } from '../src/index.js';
import { adminClient } from './support/adminClient.js';
import { readOnlyRules } from './support/minimalAcl.js';

// The change feed as applications get it: stores over the Redis driver, each with its own
// connections and cache, as the instances of a pool run them. Gaps make every instance reset,
// say so on its status stream, and converge; a foreign write is seen at once with tracking and
// after the TTL without; a read-only instance sends no write and stays coherent.

interface Flag extends VersionedItem {
  readonly on: boolean;
}
const flags = defineKind<Flag>('features');

/** How long an instance may take to reconnect and apply its reset (a restart included). */
const RECOVERY_MS = 15_000;
/** How long a write may take to reach another instance's cache on loopback, on a busy machine. */
const PROPAGATION_MS = 1000;

let server: RedisServer;
let admin: Redis;
const opened: DataStore[] = [];

beforeAll(async () => {
  server = await startRedisServer({
    users: [
      {
        name: 'reader',
        password: 'reader-Secret',
        // The minimal rule of a read-only instance following the feed (packages/redis/README.md).
        rules: readOnlyRules('ro'),
      },
    ],
  });
  admin = adminClient(server);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
});

/** One instance of the pool: a store of its own over a driver of its own, its statuses kept. */
function instance(
  prefix: string,
  options: Partial<RedisDriverOptions> = {},
  wrap: WrapDriverOptions = { cache: { ttl: 'infinite' } },
): { store: DataStore; statuses: StoreStatus[] } {
  const driver = createRedisDriver({
    host: server.host,
    port: server.port,
    prefix,
    connectTimeoutMs: 2000,
    commandTimeoutMs: 1000,
    ...options,
  } as RedisDriverOptions);
  const store = wrapDriver(driver, { status: { pollIntervalMs: 100 }, ...wrap });
  opened.push(store);
  const statuses: StoreStatus[] = [];
  store.status$.subscribe((status) => statuses.push(status));
  return { store, statuses };
}

async function until(check: () => boolean | Promise<boolean>, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const flag = (key: string, version: number, on = false): Flag => ({ key, version, on });

async function versionOf(store: DataStore, key: string): Promise<number | undefined> {
  return (await store.get(flags, key))?.version;
}

/** Waits until every instance's read of `key` answers `version` (its cache is coherent). */
async function converged(stores: ReadonlyArray<DataStore>, key: string, version: number) {
  for (const store of stores) {
    await until(async () => (await versionOf(store, key)) === version, RECOVERY_MS, key);
  }
}

/** The feed states an instance reported from `from` on (repeats removed). */
function feedStates(statuses: ReadonlyArray<StoreStatus>, from: number): string[] {
  const states: string[] = [];
  for (const { feed } of statuses.slice(from)) if (states.at(-1) !== feed) states.push(feed);
  return states;
}

/** Waits until every instance has reported its feed down since `marks` and is live again. */
async function everyInstanceReset(
  pool: ReadonlyArray<{ store: DataStore; statuses: StoreStatus[] }>,
  marks: ReadonlyArray<number>,
) {
  await until(
    () =>
      pool.every(
        ({ store, statuses }, i) =>
          store.status.feed === 'live' && feedStates(statuses, marks[i]!).includes('down'),
      ),
    RECOVERY_MS,
    'every instance reset',
  );
}

describe('a pool of cached instances over one Redis', () => {
  it('converges after every subscriber is killed, each instance reporting its reset, and never serves a stale value while its feed is down', async () => {
    const pool = ['a', 'b', 'c'].map(() => instance('gap-kill'));
    const [writer, ...readers] = pool.map(({ store }) => store);
    await writer!.init([flags.items([flag('f', 1)])]);
    for (const { store } of pool) expect(await versionOf(store, 'f')).toBe(1);
    await until(() => pool.every(({ store }) => store.status.feed === 'live'), RECOVERY_MS, 'live');
    const marks = pool.map(({ statuses }) => statuses.length);

    await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    // Written while the subscribers reconnect: its announcement may reach nobody.
    expect((await writer!.upsert(flags, flag('f', 2, true))).applied).toBe(true);
    // A read that starts while an instance's feed is down asks the server: never the old value.
    const readsWhileDown: number[] = [];
    await until(
      async () => {
        for (const reader of readers) {
          if (reader.status.feed === 'down') readsWhileDown.push((await versionOf(reader, 'f'))!);
        }
        return pool.every(
          ({ statuses }, i) => feedStates(statuses, marks[i]!).join() === 'down,live',
        );
      },
      RECOVERY_MS,
      'every instance down, then live again',
    );
    expect(readsWhileDown.every((version) => version === 2)).toBe(true);
    await converged(
      pool.map(({ store }) => store),
      'f',
      2,
    );
    expect(pool.every(({ store }) => store.status.available)).toBe(true);
  });

  it('converges after a restart that lost the data: the instance that ran the init writes it back', async () => {
    const pool = ['a', 'b', 'c'].map(() => instance('gap-empty'));
    const [source, ...readers] = pool.map(({ store }) => store);
    // The feed first: what the cache holds before it is live is dropped by its first reset (it
    // may have missed writes), and then the source could not vouch for the data set.
    for (const { store } of pool) expect(await store.isInitialized()).toBe(false);
    await until(() => pool.every(({ store }) => store.status.feed === 'live'), RECOVERY_MS, 'live');
    await source!.init([flags.items([flag('f', 1), flag('g', 1)])]);
    await source!.upsert(flags, flag('f', 3));
    for (const reader of readers) expect(await versionOf(reader, 'f')).toBe(3);
    const marks = pool.map(({ statuses }) => statuses.length);

    await server.restart(); // nothing persisted: the server comes back empty
    await everyInstanceReset(pool, marks);
    // The source held the whole kind of its init: written back, marker included.
    await until(
      async () => (await admin.exists('gap-empty:$inited')) === 1,
      RECOVERY_MS,
      'marker written back',
    );
    expect(JSON.parse((await admin.hget('gap-empty:features', 'f'))!)).toMatchObject({
      version: 3,
    });
    await converged(
      pool.map(({ store }) => store),
      'f',
      3,
    );
    await converged(
      pool.map(({ store }) => store),
      'g',
      1,
    );
    // (A false answer is asked again at most once a second.)
    for (const { store } of pool) await until(() => store.isInitialized(), 3000, 'initialized');
  });

  it('converges after a restart that kept the data, and follows writes afterwards', async () => {
    const pool = ['a', 'b', 'c'].map(() => instance('gap-kept'));
    const [writer, ...readers] = pool.map(({ store }) => store);
    await writer!.init([flags.items([flag('f', 1)])]);
    for (const reader of readers) expect(await versionOf(reader, 'f')).toBe(1);
    await until(() => pool.every(({ store }) => store.status.feed === 'live'), RECOVERY_MS, 'live');
    const marks = pool.map(({ statuses }) => statuses.length);

    await admin.save();
    await server.restart();
    await everyInstanceReset(pool, marks);
    await writer!.upsert(flags, flag('f', 2));
    await converged(readers, 'f', 2);
    // Not waited for above: the readers' caches take it from the feed, within the bound.
    await writer!.upsert(flags, flag('f', 4));
    const written = performance.now();
    await converged(readers, 'f', 4);
    expect(performance.now() - written).toBeLessThan(PROPAGATION_MS);
  });
});

describe('writers that do not announce', () => {
  function openLaunchDarkly(prefix: string): LDFeatureStore {
    const factory = RedisFeatureStore({
      prefix,
      cacheTTL: 0,
      redisOpts: { host: server.host, port: server.port },
    });
    const silent = { error() {}, warn() {}, info() {}, debug() {} };
    return factory({ basicConfiguration: { logger: silent } } as unknown as LDClientContext);
  }

  it('are seen by a cached instance within the propagation bound with trackForeignWrites', async () => {
    const { store } = instance('fw-on', { trackForeignWrites: true });
    await store.init([flags.items([flag('f', 1), flag('l', 1)])]);
    expect(await versionOf(store, 'f')).toBe(1);
    await until(() => store.status.feed === 'live', RECOVERY_MS, 'live');

    // A hand-made write in the shared stored form.
    await admin.hset('fw-on:features', 'f', JSON.stringify(flag('f', 5)));
    const handMade = performance.now();
    await until(async () => (await versionOf(store, 'f')) === 5, PROPAGATION_MS, 'the HSET');
    const handMadeMs = performance.now() - handMade;

    // LaunchDarkly's Redis store, writing the same layout.
    const ld = openLaunchDarkly('fw-on');
    try {
      expect(await versionOf(store, 'l')).toBe(1);
      const upserted = performance.now();
      await new Promise<void>((resolve) =>
        ld.upsert(
          { namespace: 'features' },
          { key: 'l', version: 7, on: true } as Parameters<LDFeatureStore['upsert']>[1],
          () => resolve(),
        ),
      );
      await until(async () => (await versionOf(store, 'l')) === 7, PROPAGATION_MS, 'LaunchDarkly');
      console.info(
        `foreign write seen by a cached instance: HSET ${handMadeMs.toFixed(1)} ms, LaunchDarkly ${(performance.now() - upserted).toFixed(1)} ms`,
      );
    } finally {
      ld.close();
    }
  });

  it('are seen after the TTL without tracking', async () => {
    const ttlMs = 1000;
    const { store } = instance('fw-off', {}, { cache: { ttl: ttlMs } });
    await store.init([flags.items([flag('f', 1)])]);
    await until(() => store.status.feed === 'live', RECOVERY_MS, 'live');
    expect(await versionOf(store, 'f')).toBe(1);
    const cachedAt = performance.now();
    await admin.hset('fw-off:features', 'f', JSON.stringify(flag('f', 5)));
    // Nothing announced it: the cached value stands until it expires.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await versionOf(store, 'f')).toBe(1);
    await until(async () => (await versionOf(store, 'f')) === 5, ttlMs * 3, 'the expiry');
    expect(performance.now() - cachedAt).toBeGreaterThanOrEqual(ttlMs - 50);
  });
});

describe('a read-only instance as the minimal ACL user', () => {
  /** Calls of the write commands, as the server counts them. */
  async function writeCalls(): Promise<number> {
    const stats = await admin.info('commandstats');
    const write = /^cmdstat_(hset|del|set|multi|exec|evalsha|eval|spublish|watch):calls=(\d+)/gm;
    let calls = 0;
    for (const match of stats.matchAll(write)) calls += Number(match[2]);
    return calls;
  }

  it('sends no write command, and reads and follows the feed', async () => {
    const writer = instance('ro').store;
    await writer.init([flags.items([flag('f', 1)])]);
    const { store: reader } = instance(
      'ro',
      { username: 'reader', password: 'reader-Secret' },
      { cache: { ttl: 'infinite' }, readOnly: true },
    );
    expect(await versionOf(reader, 'f')).toBe(1);
    await until(() => reader.status.feed === 'live', RECOVERY_MS, 'live as the reader');

    const before = await writeCalls();
    const refusals = await Promise.allSettled([
      reader.init([flags.items([flag('f', 9)])]),
      reader.upsert(flags, flag('f', 9)),
      reader.delete(flags, 'f', 9),
      reader.raw.upsert({ namespace: 'features' }, 'f', {
        version: 9,
        deleted: false,
        serializedItem: JSON.stringify(flag('f', 9)),
      }),
    ]);
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({ status: 'rejected', reason: { code: 'read-only' } });
    }
    expect(await writeCalls()).toBe(before);

    // The writer's change reaches the reader's infinite-TTL cache through the feed.
    await writer.upsert(flags, flag('f', 2, true));
    await until(async () => (await versionOf(reader, 'f')) === 2, PROPAGATION_MS, 'the write');
    expect(reader.status).toMatchObject({ available: true, feed: 'live' });
    // The user cannot write even by hand: the read-only rule is the server's too.
    await expect(server.redisCliAs('reader', 'HSET', 'ro:features', 'f', 'x')).resolves.toMatch(
      /NOPERM/,
    );
  });
});
