import type { ChangeEvent } from '@stowage/core/driver';
import { type RedisServer, startRedisServer } from '@stowage/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRedisDriver,
  DurabilityNotConfirmedError,
  type RedisDataStore,
  type RedisDriverOptions,
} from '../src/index.js';
import { adminClient } from './support/adminClient.js';
import { pubsubClients, recordFeed, untilPubsubClients, upsertOf } from './support/feedRecorder.js';
import { features, item, segments } from './support/items.js';

// The change feed on one server: every applied write is announced with its version, by whichever
// path wrote it (script, WATCH, WAIT), in write order per key; refused writes announce nothing.
const BOUND_MS = 5000;

let server: RedisServer;
const stores: RedisDataStore[] = [];

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await server?.stop();
});

function open(prefix: string, options: RedisDriverOptions = {}): RedisDataStore {
  const store = createRedisDriver({ host: server.host, port: server.port, prefix, ...options });
  stores.push(store);
  return store;
}

const tombstone = (version: number) => ({ version, deleted: true });

/**
 * A durable write on a server without replicas is applied, then reported unconfirmed: applied is
 * what matters here (the sentinel feed tests confirm with a real replica).
 */
async function written<T>(write: Promise<T>): Promise<T | { applied: true }> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof DurabilityNotConfirmedError) return { applied: true };
    throw error;
  }
}

describe('events of every write', () => {
  for (const [name, options] of [
    ['script', { upsertStrategy: 'script' }],
    ['watch', { upsertStrategy: 'watch' }],
    [
      'script, waitForReplicas',
      { upsertStrategy: 'script', waitForReplicas: { replicas: 'attached', timeoutMs: 100 } },
    ],
    [
      'watch, waitForReplicas',
      { upsertStrategy: 'watch', waitForReplicas: { replicas: 'attached', timeoutMs: 100 } },
    ],
  ] as const) {
    it(`upserts, tombstones and init are announced with their versions (${name}); own only on the writer's feed`, async () => {
      const prefix = `events-${name.replace(/\W+/g, '-')}`;
      const writer = open(prefix, options);
      const other = open(prefix, options);
      const mine = recordFeed(writer.changeFeed);
      const theirs = recordFeed(other.changeFeed);
      await mine.untilLive(BOUND_MS);
      await theirs.untilLive(BOUND_MS);

      await written(
        writer.init([
          { kind: features, items: [['a', item('a', 1)]] },
          { kind: segments, items: [] },
        ]),
      );
      expect(await written(writer.upsert(features, 'a', item('a', 2)))).toEqual({ applied: true });
      expect((await written(writer.upsert(features, 'a', item('a', 2)))).applied).toBe(false);
      expect(await written(writer.upsert(features, 'a', tombstone(3)))).toEqual({ applied: true });
      await mine.until(() => mine.events.length >= 4, BOUND_MS, 'four events');
      await theirs.until(() => theirs.events.length >= 4, BOUND_MS, 'four events');

      const expected = (own: boolean): ChangeEvent[] => [
        { type: 'init', kind: features, own },
        { type: 'init', kind: segments, own },
        { type: 'upsert', kind: features, key: 'a', version: 2, deleted: false, own },
        { type: 'upsert', kind: features, key: 'a', version: 3, deleted: true, own },
      ];
      // Nothing more arrives: the refused write announced nothing.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(mine.events).toEqual(expected(true));
      expect(theirs.events).toEqual(expected(false));
      mine.stop();
      theirs.stop();
    });
  }
});

it('keys of any Unicode, with NUL, of 8 KiB come through unchanged', async () => {
  const store = open('keys');
  const feed = recordFeed(store.changeFeed);
  await feed.untilLive(BOUND_MS);
  const keys = [
    'plain',
    'naïve ☃ 😀 𝒳 中文',
    'nul\u0000inside',
    'quote " backslash \\ slash / newline \n tab \t',
    'x'.repeat(8192),
    '😀'.repeat(2048),
  ];
  for (const key of keys) await store.upsert(features, key, item('k', 1));
  await feed.until(() => feed.events.length >= keys.length, BOUND_MS, 'every key');
  expect(feed.events.map((event) => (event.type === 'upsert' ? event.key : event.type))).toEqual(
    keys,
  );
  feed.stop();
});

it('per key, events arrive in write order (two writers racing on the same keys)', async () => {
  const a = open('order');
  const b = open('order');
  const reader = open('order');
  const feed = recordFeed(reader.changeFeed);
  await feed.untilLive(BOUND_MS);
  const KEYS = 5;
  const VERSIONS = 200;
  const applied = new Map<string, number>();
  const write = async (store: RedisDataStore, offset: number) => {
    for (let version = 1 + offset; version <= VERSIONS; version += 2) {
      await Promise.all(
        Array.from({ length: KEYS }, async (_, k) => {
          const key = `k${k}`;
          const result = await store.upsert(features, key, item(key, version));
          if (result.applied) applied.set(key, Math.max(applied.get(key) ?? 0, version));
        }),
      );
    }
  };
  await Promise.all([write(a, 0), write(b, 1)]);
  await feed.until(
    () => [...applied].every(([key, version]) => feed.indexOf(upsertOf(key, version)) >= 0),
    BOUND_MS,
    'the last version of every key',
  );
  for (let k = 0; k < KEYS; k++) {
    const versions = feed.events
      .filter((event) => event.type === 'upsert' && event.key === `k${k}`)
      .map((event) => (event.type === 'upsert' ? event.version : 0));
    expect(versions.length).toBeGreaterThan(0);
    for (let i = 1; i < versions.length; i++) {
      expect(versions[i]).toBeGreaterThan(versions[i - 1] ?? 0);
    }
  }
  feed.stop();
});

it('the channel is <prefix>:$changes and the message is compact JSON built by the writer', async () => {
  const store = open('wire');
  const admin = adminClient(server);
  const subscriber = admin.duplicate();
  try {
    const seen: string[] = [];
    subscriber.on('smessage', (channel: string, message: string) =>
      seen.push(`${channel} ${message}`),
    );
    await subscriber.ssubscribe('wire:$changes');
    await store.upsert(features, 'a', item('a', 7));
    const end = Date.now() + BOUND_MS;
    while (seen.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(
      /^wire:\$changes \{"t":"u","o":"[A-Za-z0-9_-]+","n":"features","k":"a","v":7,"d":false\}$/,
    );
  } finally {
    subscriber.disconnect();
    admin.disconnect();
  }
});

it('checkInitialized asks every time: a marker deleted behind the store is reported gone', async () => {
  const store = open('marker');
  const admin = adminClient(server);
  try {
    await store.init([]);
    expect(await store.changeFeed.checkInitialized()).toBe(true);
    await admin.del('marker:$inited');
    expect(await store.changeFeed.checkInitialized()).toBe(false);
    // isInitialized keeps its true answer; the feed's check does not.
    expect(await store.isInitialized()).toBe(true);
  } finally {
    admin.disconnect();
  }
});

it('no event after close; events$ completes and live$ ends false', async () => {
  const store = createRedisDriver({ host: server.host, port: server.port, prefix: 'closing' });
  const writer = open('closing');
  const feed = recordFeed(store.changeFeed);
  await feed.untilLive(BOUND_MS);
  await writer.upsert(features, 'a', item('a', 1));
  await feed.until(() => feed.events.length === 1, BOUND_MS, 'the first event');
  await store.close();
  expect(feed.completed()).toBe(true);
  expect(feed.live.at(-1)).toBe(false);
  await writer.upsert(features, 'a', item('a', 2));
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(feed.events).toHaveLength(1);
});

it('the subscriber connection is made by the first subscription, not before', async () => {
  const admin = adminClient(server);
  try {
    const before = await pubsubClients(admin);
    const store = open('lazy');
    await store.upsert(features, 'a', item('a', 1));
    expect(await pubsubClients(admin)).toBe(before);
    const feed = recordFeed(store.changeFeed);
    // Not live until the server confirmed the SSUBSCRIBE.
    expect(feed.live).toEqual([false]);
    await feed.untilLive(BOUND_MS);
    expect(await pubsubClients(admin)).toBe(before + 1);
    await store.close();
    expect(await untilPubsubClients(admin, before, BOUND_MS)).toBe(before);
  } finally {
    admin.disconnect();
  }
});

it("with a client handed in, the feed subscribes on its duplicate, closed on close; the application's client stays open", async () => {
  const client = new Redis({ host: server.host, port: server.port });
  const admin = adminClient(server);
  try {
    const before = await pubsubClients(admin);
    const store = createRedisDriver({ client, prefix: 'handed-feed' });
    const feed = recordFeed(store.changeFeed);
    await feed.untilLive(BOUND_MS);
    await store.upsert(features, 'a', item('a', 1));
    await feed.until(() => feed.indexOf(upsertOf('a', 1)) >= 0, BOUND_MS, 'the event');
    expect(await pubsubClients(admin)).toBe(before + 1);
    await store.close();
    expect(await untilPubsubClients(admin, before, BOUND_MS)).toBe(before);
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
    expect(client.listenerCount('smessage')).toBe(0);
  } finally {
    client.disconnect();
    admin.disconnect();
  }
});
