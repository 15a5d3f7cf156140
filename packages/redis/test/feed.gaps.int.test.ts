import { type RedisServer, startRedisServer } from '@stowage/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRedisDriver, type RedisDataStore } from '../src/index.js';
import { adminClient } from './support/adminClient.js';
import { type FeedRecorder, isReset, recordFeed, upsertOf } from './support/feedRecorder.js';
import { features, item } from './support/items.js';

// Gaps of the feed on one server: whenever the subscriber may have missed messages, live$ turns
// false, then true once SSUBSCRIBE is confirmed again, followed by a reset; events flow afterwards.
const BOUND_MS = 10_000;

let server: RedisServer;
let store: RedisDataStore;
let writer: RedisDataStore;

beforeAll(async () => {
  server = await startRedisServer();
  const options = {
    host: server.host,
    port: server.port,
    prefix: 'gaps',
    connectTimeoutMs: 2000,
    commandTimeoutMs: 1000,
  };
  store = createRedisDriver(options);
  writer = createRedisDriver(options);
});

afterAll(async () => {
  await store?.close();
  await writer?.close();
  await server?.stop();
});

/** After a gap: not live, live again, then a reset, and a later write is seen. */
async function expectRecovery(feed: FeedRecorder, liveBefore: number, version: number) {
  await feed.until(
    () => feed.live.slice(liveBefore).includes(false),
    BOUND_MS,
    'live$ false after the gap',
  );
  await feed.untilLive(BOUND_MS);
  await feed.until(() => feed.events.some(isReset), BOUND_MS, 'a reset');
  const resetAt = feed.indexOf(isReset);
  // The reset follows the return to live: it is the last thing before new events.
  await writer.upsert(features, 'after', item('after', version));
  await feed.until(
    () => feed.indexOf(upsertOf('after', version), resetAt) > resetAt,
    BOUND_MS,
    'a write after the gap',
  );
}

it('the subscriber connection killed (CLIENT KILL TYPE pubsub): live false, then true and a reset', async () => {
  const feed = recordFeed(store.changeFeed);
  await feed.untilLive(BOUND_MS);
  await writer.upsert(features, 'before', item('before', 1));
  await feed.until(() => feed.indexOf(upsertOf('before', 1)) >= 0, BOUND_MS, 'the first event');
  expect(feed.events.some(isReset)).toBe(false);
  const admin = adminClient(server);
  try {
    const liveBefore = feed.live.length;
    expect(Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub'))).toBeGreaterThan(0);
    await expectRecovery(feed, liveBefore, 1);
    expect(feed.events.filter(isReset)).toHaveLength(1);
  } finally {
    admin.disconnect();
    feed.stop();
  }
});

it('the server restarted on the same port: live false, then true and a reset', async () => {
  const feed = recordFeed(store.changeFeed);
  await feed.untilLive(BOUND_MS);
  const liveBefore = feed.live.length;
  await server.restart();
  await expectRecovery(feed, liveBefore, 2);
  feed.stop();
});

it('a server that stays down keeps the feed not live; live again, with a reset, once it is back', async () => {
  const feed = recordFeed(store.changeFeed);
  await feed.untilLive(BOUND_MS);
  const liveBefore = feed.live.length;
  await server.kill();
  try {
    await feed.until(() => feed.live.at(-1) === false, BOUND_MS, 'live$ false');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(feed.live.at(-1)).toBe(false);
  } finally {
    await server.restart();
  }
  await expectRecovery(feed, liveBefore, 3);
  feed.stop();
});
