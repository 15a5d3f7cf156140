import type { ChangeEvent } from '@stowage/core/driver';
import { type SentinelGroup, startSentinelGroup } from '@stowage/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRedisDriver, type RedisDataStore, type RedisDriverOptions } from '../src/index.js';
import { isReset, recordFeed, upsertOf } from './support/feedRecorder.js';
import { features, item, segments } from './support/items.js';
import { waitForReplicaInSync } from './support/nodeState.js';

// The feed behind Sentinel: writes announced on the primary (also with WAIT for a replica), and a
// kill -9 of the primary: the subscriber follows the sentinels to the new primary, with a reset,
// and sees the writes made there.
const CONNECT_TIMEOUT_MS = 2000;
const COMMAND_TIMEOUT_MS = 1000;
const BOUND_MS = 10_000;
/** Sentinel's failover of a killed primary (down-after plus election) and the reconnection. */
const FAILOVER_BOUND_MS = 30_000;

let group: SentinelGroup;
const stores: RedisDataStore[] = [];

beforeAll(async () => {
  group = await startSentinelGroup();
  await group.waitForQuorum();
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await group?.stop();
});

function open(prefix: string, options: RedisDriverOptions = {}): RedisDataStore {
  const store = createRedisDriver({
    url: `redis+sentinel://${group.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}/${group.name}`,
    prefix,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    ...options,
  });
  stores.push(store);
  return store;
}

for (const [name, options] of [
  ['script', { upsertStrategy: 'script' }],
  [
    'watch, waitForReplicas',
    { upsertStrategy: 'watch', waitForReplicas: { replicas: 1, timeoutMs: 500 } },
  ],
  [
    'script, waitForReplicas',
    { upsertStrategy: 'script', waitForReplicas: { replicas: 1, timeoutMs: 500 } },
  ],
] as const) {
  it(`upserts, tombstones and init are announced with their versions (${name})`, async () => {
    const prefix = `sentinel-${name.replace(/\W+/g, '-')}`;
    const writer = open(prefix, options);
    const reader = open(prefix);
    const mine = recordFeed(writer.changeFeed);
    const theirs = recordFeed(reader.changeFeed);
    await mine.untilLive(BOUND_MS);
    await theirs.untilLive(BOUND_MS);
    await writer.init([
      { kind: features, items: [] },
      { kind: segments, items: [] },
    ]);
    await writer.upsert(features, 'a', item('a', 1));
    await writer.upsert(features, 'a', { version: 2, deleted: true });
    const expected = (own: boolean): ChangeEvent[] => [
      { type: 'init', kind: features, own },
      { type: 'init', kind: segments, own },
      { type: 'upsert', kind: features, key: 'a', version: 1, deleted: false, own },
      { type: 'upsert', kind: features, key: 'a', version: 2, deleted: true, own },
    ];
    await mine.until(() => mine.events.length >= 4, BOUND_MS, 'four events');
    await theirs.until(() => theirs.events.length >= 4, BOUND_MS, 'four events');
    expect(mine.events).toEqual(expected(true));
    expect(theirs.events).toEqual(expected(false));
    mine.stop();
    theirs.stop();
  });
}

// Last: the kill leaves the group with one replica fewer.
it('kill -9 of the primary: live false, then a reset and events from the new primary', async () => {
  const writer = open('sentinel-failover');
  const reader = open('sentinel-failover');
  const feed = recordFeed(reader.changeFeed);
  await feed.untilLive(BOUND_MS);
  await writer.upsert(features, 'before', item('before', 1));
  await feed.until(() => feed.indexOf(upsertOf('before', 1)) >= 0, BOUND_MS, 'the first event');
  const old = await group.primary();
  await Promise.all(
    group.nodes
      .filter((node) => node.port !== old.port)
      .map((node) => waitForReplicaInSync(node, BOUND_MS)),
  );
  const liveBefore = feed.live.length;
  await group.killPrimary();
  const promoted = await group.waitForNewPrimary(old.port, FAILOVER_BOUND_MS);
  await feed.until(
    () => feed.live.slice(liveBefore).includes(false),
    BOUND_MS,
    'live$ false after the kill',
  );
  await feed.until(
    () => feed.events.some(isReset) && feed.live.at(-1) === true,
    FAILOVER_BOUND_MS,
    'live again with a reset',
  );
  const resetAt = feed.indexOf(isReset);
  // The writer reaches the new primary by itself; a write in the gap may fail typed.
  const end = Date.now() + FAILOVER_BOUND_MS;
  for (;;) {
    try {
      await writer.upsert(features, 'after', item('after', 1));
      break;
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  await feed.until(
    () => feed.indexOf(upsertOf('after', 1), resetAt) > resetAt,
    BOUND_MS,
    `the write on the new primary ${promoted.port}`,
  );
  feed.stop();
});
