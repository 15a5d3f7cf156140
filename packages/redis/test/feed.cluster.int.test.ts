import { type DataStore, StoreErrorCode, StowageError } from '@stowage/core';
import { type RedisCluster, startCluster } from '@stowage/testing';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { changeChannel } from '../src/feed/changeChannel.js';
import { createRedisDriver, type RedisDataStore, type RedisDriverOptions } from '../src/index.js';
import { clusterPrefix } from '../src/topology/keySlot.js';
import { adminClient } from './support/adminClient.js';
import { primaries, storeSlot } from './support/clusterFaults.js';
import { type FeedRecorder, isReset, recordFeed, upsertOf } from './support/feedRecorder.js';
import { expectWritesAnnounced, writeEventually } from './support/feedScenarios.js';
import { features, item } from './support/items.js';
import { SCRIPT_COMMANDS } from './support/minimalAcl.js';
import { poolAfterGap, poolBeforeGap } from './support/pool.js';
import { clusterAdmin } from './support/topologyServers.js';

// The feed in a cluster: the channel is in the store's slot (SPUBLISH from a script to another
// slot's channel would be accepted and reach nobody), events flow from the slot's primary, and a
// live reshard of the slot or a failover of its shard is a gap: not live, then live with a reset.
const CONNECT_TIMEOUT_MS = 2000;
const COMMAND_TIMEOUT_MS = 1000;
const BOUND_MS = 10_000;
/** A killed primary: the cluster's node timeout, the election, the clients' slot refresh. */
const FAILOVER_BOUND_MS = 30_000;

let cluster: RedisCluster;
const stores: RedisDataStore[] = [];
/** The cached stores of the pool checks. */
const opened: DataStore[] = [];

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await Promise.all([...stores, ...opened].map((store) => store.close()));
  await cluster?.stop();
});

const clusterOptions = (prefix: string): RedisDriverOptions => ({
  mode: 'cluster',
  nodes: cluster.startupNodes.map(({ host, port }) => ({ host, port })),
  prefix,
  connectTimeoutMs: CONNECT_TIMEOUT_MS,
  commandTimeoutMs: COMMAND_TIMEOUT_MS,
});

function open(prefix: string, options: RedisDriverOptions = {}): RedisDataStore {
  const store = createRedisDriver({ ...clusterOptions(prefix), ...options });
  stores.push(store);
  return store;
}

/** After a gap: live false, then live with a reset, and a write made afterwards is seen. */
async function expectRecovery(
  feed: FeedRecorder,
  writer: RedisDataStore,
  liveBefore: number,
  what: string,
) {
  await feed.until(
    () => feed.live.slice(liveBefore).includes(false),
    FAILOVER_BOUND_MS,
    `live$ false after ${what}`,
  );
  await feed.until(
    () => feed.events.some(isReset) && feed.live.at(-1) === true,
    FAILOVER_BOUND_MS,
    `live again with a reset after ${what}`,
  );
  const resetAt = feed.indexOf(isReset);
  await writeEventually(writer, 'after', 1, FAILOVER_BOUND_MS);
  await feed.until(
    () => feed.indexOf(upsertOf('after', 1), resetAt) > resetAt,
    BOUND_MS,
    `a write after ${what}`,
  );
}

for (const [name, options] of [
  ['script', { upsertStrategy: 'script' }],
  ['watch', { upsertStrategy: 'watch' }],
  [
    'script, waitForReplicas',
    { upsertStrategy: 'script', waitForReplicas: { replicas: 1, timeoutMs: 500 } },
  ],
] as const) {
  it(`upserts, tombstones and init are announced with their versions (${name})`, async () => {
    const prefix = `cluster-${name.replace(/\W+/g, '-')}`;
    await expectWritesAnnounced(open(prefix, options), open(prefix), BOUND_MS);
  });
}

it("the channel is in the slot of the store's keys (CLUSTER KEYSLOT), and its messages are on that shard", async () => {
  const admin = clusterAdmin(cluster.startupNodes);
  try {
    for (const prefix of ['plain', 'with{tag}inside', 'x'.repeat(300)]) {
      const effective = clusterPrefix(prefix);
      const slotOf = async (name: string) => Number(await admin.cluster('KEYSLOT', name));
      const keySlot = await slotOf(`${effective}:features`);
      expect(await slotOf(`${effective}:$inited`)).toBe(keySlot);
      expect(await slotOf(changeChannel(effective))).toBe(keySlot);
    }
  } finally {
    admin.disconnect();
  }
  // A plain subscriber on the slot's primary itself receives the store's announcements.
  const prefix = 'shard-local';
  const primary = await cluster.primaryForSlot(storeSlot(cluster, prefix));
  const subscriber = adminClient(primary);
  try {
    const seen: string[] = [];
    subscriber.on('smessage', (_: string, message: string) => seen.push(message));
    await subscriber.ssubscribe(changeChannel(clusterPrefix(prefix)));
    await open(prefix).upsert(features, 'a', item('a', 3));
    const end = Date.now() + BOUND_MS;
    while (seen.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0] ?? '')).toMatchObject({ t: 'u', n: 'features', k: 'a', v: 3 });
  } finally {
    subscriber.disconnect();
  }
});

it("a live reshard of the store's slot: live false, then a reset and events from the new owner; a pool of cached stores converges", async () => {
  const prefix = 'feed-reshard';
  const slot = storeSlot(cluster, prefix);
  // The pool's prefix has the same hash tag: its store lives in the slot that moves.
  const { pool, before } = await poolBeforeGap(opened, clusterOptions('{feed-reshard}:pool'));
  const source = await cluster.primaryForSlot(slot);
  const destination = (await primaries(cluster)).find((node) => node.port !== source.port);
  if (destination === undefined) throw new Error('no other primary');
  const writer = open(prefix);
  const reader = open(prefix);
  const feed = recordFeed(reader.changeFeed);
  await feed.untilLive(BOUND_MS);
  await writer.upsert(features, 'before', item('before', 1));
  await feed.until(() => feed.indexOf(upsertOf('before', 1)) >= 0, BOUND_MS, 'the first event');
  const liveBefore = feed.live.length;
  await cluster.migrateSlot(slot, source.port, destination.port);
  expect((await cluster.primaryForSlot(slot)).port).toBe(destination.port);
  await expectRecovery(feed, writer, liveBefore, 'the reshard');
  feed.stop();
  await poolAfterGap(pool, before);
});

it('ioredis 6 facts the feed relies on: after a reshard, a sharded subscriber follows the slot by itself and says so only by subscribersReady', async () => {
  const prefix = 'ioredis-facts';
  const channel = changeChannel(clusterPrefix(prefix));
  const slot = storeSlot(cluster, prefix);
  const source = await cluster.primaryForSlot(slot);
  const destination = (await primaries(cluster)).find((node) => node.port !== source.port);
  if (destination === undefined) throw new Error('no other primary');
  const subscriber = new Cluster(
    cluster.startupNodes.map(({ host, port }) => ({ host, port })),
    { shardedSubscribers: true },
  );
  subscriber.on('error', () => {});
  const publisher = clusterAdmin(cluster.startupNodes);
  try {
    let ready = 0;
    const seen: string[] = [];
    subscriber.on('subscribersReady', () => {
      ready += 1;
    });
    subscriber.on('smessage', (_: string, message: string) => seen.push(message));
    await subscriber.ssubscribe(channel);
    const readyBefore = ready;
    await publisher.spublish(channel, 'before');
    const arrived = async (message: string) => {
      const end = Date.now() + BOUND_MS;
      while (!seen.includes(message) && Date.now() < end) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return seen.includes(message);
    };
    expect(await arrived('before')).toBe(true);
    await cluster.migrateSlot(slot, source.port, destination.port);
    const end = Date.now() + BOUND_MS;
    while (ready === readyBefore && Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(ready).toBeGreaterThan(readyBefore);
    // Published on the new owner, received: ioredis subscribed there by itself.
    const owner = adminClient(destination);
    try {
      await owner.spublish(channel, 'after');
    } finally {
      owner.disconnect();
    }
    expect(await arrived('after')).toBe(true);
  } finally {
    subscriber.disconnect();
    publisher.disconnect();
  }
});

it('an ACL user with the minimal cluster rule follows the feed; one without the channel is refused the write, naming the rule', async () => {
  const channel = changeChannel(clusterPrefix('feed-acl'));
  const minimal = [
    '~{feed-acl}:*',
    'resetchannels',
    `&${channel}`,
    '-@all',
    ...SCRIPT_COMMANDS,
    '+cluster|slots',
  ];
  const noChannel = minimal.filter((rule) => !rule.startsWith('&'));
  await Promise.all(
    cluster.nodes
      .filter((node) => node.running)
      .flatMap((node) => [
        node.redisCli('ACL', 'SETUSER', 'feeder', 'on', '>feeder-secret', ...minimal),
        node.redisCli('ACL', 'SETUSER', 'mute', 'on', '>mute-secret', ...noChannel),
      ]),
  );
  const store = open('feed-acl', { username: 'feeder', password: 'feeder-secret' });
  const feed = recordFeed(store.changeFeed);
  await feed.untilLive(BOUND_MS);
  await store.upsert(features, 'a', item('a', 1));
  await feed.until(() => feed.indexOf(upsertOf('a', 1)) >= 0, BOUND_MS, 'the event');
  expect(feed.error()).toBeUndefined();
  const mute = open('feed-acl', { username: 'mute', password: 'mute-secret' });
  const refused = await mute.upsert(features, 'b', item('b', 1)).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(StowageError.is(refused, StoreErrorCode.Permission)).toBe(true);
  expect((refused as Error).message).toContain(`+spublish &${channel}`);
  expect(await store.get(features, 'b')).toBeUndefined();
  feed.stop();
});

it("the subscriber connection killed on the slot's primary (CLIENT KILL TYPE pubsub): live false, then a reset", async () => {
  const prefix = 'feed-kill-pubsub';
  const writer = open(prefix);
  const reader = open(prefix);
  const feed = recordFeed(reader.changeFeed);
  await feed.untilLive(BOUND_MS);
  const owner = adminClient(await cluster.primaryForSlot(storeSlot(cluster, prefix)));
  try {
    const liveBefore = feed.live.length;
    expect(Number(await owner.call('CLIENT', 'KILL', 'TYPE', 'pubsub'))).toBeGreaterThan(0);
    await expectRecovery(feed, writer, liveBefore, 'the killed subscriber');
  } finally {
    owner.disconnect();
  }
  feed.stop();
});

// Last: the killed node comes back as a replica.
it("kill -9 of the store's slot primary (a failover of its shard): live false, then a reset and events from the promoted replica; a pool of cached stores converges", async () => {
  await cluster.waitForClusterOk();
  const prefix = 'feed-failover';
  const slot = storeSlot(cluster, prefix);
  const { pool, before } = await poolBeforeGap(opened, clusterOptions('{feed-failover}:pool'));
  const writer = open(prefix);
  const reader = open(prefix);
  const feed = recordFeed(reader.changeFeed);
  await feed.untilLive(BOUND_MS);
  await writer.upsert(features, 'before', item('before', 1));
  await feed.until(() => feed.indexOf(upsertOf('before', 1)) >= 0, BOUND_MS, 'the first event');
  const victim = await cluster.primaryForSlot(slot);
  const liveBefore = feed.live.length;
  await cluster.killNode(victim.port);
  try {
    await expectRecovery(feed, writer, liveBefore, 'the failover');
    expect((await cluster.primaryForSlot(slot)).port).not.toBe(victim.port);
    await poolAfterGap(pool, before);
  } finally {
    await victim.restart();
  }
  feed.stop();
});
