import type { DataStore } from '@stowage/core';
import { type SentinelGroup, startSentinelGroup } from '@stowage/testing';
import { afterAll, beforeAll, it } from 'vitest';
import { createRedisDriver, type RedisDataStore, type RedisDriverOptions } from '../src/index.js';
import { isReset, recordFeed, upsertOf } from './support/feedRecorder.js';
import { expectWritesAnnounced, writeEventually } from './support/feedScenarios.js';
import { features, item } from './support/items.js';
import { waitForReplicaInSync } from './support/nodeState.js';
import { poolAfterGap, poolBeforeGap } from './support/pool.js';

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
/** The cached stores of the pool checks. */
const opened: DataStore[] = [];

beforeAll(async () => {
  group = await startSentinelGroup();
  await group.waitForQuorum();
});

afterAll(async () => {
  await Promise.all([...stores, ...opened].map((store) => store.close()));
  await group?.stop();
});

const sentinelUrl = () =>
  `redis+sentinel://${group.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}/${group.name}`;

function open(prefix: string, options: RedisDriverOptions = {}): RedisDataStore {
  const store = createRedisDriver({
    url: sentinelUrl(),
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
    await expectWritesAnnounced(open(prefix, options), open(prefix), BOUND_MS);
  });
}

// Last: the kill leaves the group with one replica fewer.
it('kill -9 of the primary: live false, then a reset and events from the new primary; a pool of cached stores converges', async () => {
  const { pool, before } = await poolBeforeGap(opened, {
    url: sentinelUrl(),
    prefix: 'sentinel-pool',
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
  });
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
  await writeEventually(writer, 'after', 1, FAILOVER_BOUND_MS);
  await feed.until(
    () => feed.indexOf(upsertOf('after', 1), resetAt) > resetAt,
    BOUND_MS,
    `the write on the new primary ${promoted.port}`,
  );
  feed.stop();
  await poolAfterGap(pool, before);
});
