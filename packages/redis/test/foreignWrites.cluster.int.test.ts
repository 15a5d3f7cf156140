import { StoreErrorCode, StowageError } from '@stowage/core';
import { type RedisCluster, type RedisServer, startCluster } from '@stowage/testing';
import { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createForeignWriteTracker } from '../src/feed/foreignWrites/ForeignWriteTracker.js';
import { trackerTarget } from '../src/feed/foreignWrites/trackerTarget.js';
import { createRedisDriver } from '../src/index.js';
import { clusterPrefix } from '../src/topology/keySlot.js';
import {
  kindsOf,
  PROPAGATION_BOUND_MS,
  recordTracker,
  resetsIn,
  type TrackerRecording,
} from './foreignWritesRecording.js';
import { adminClient } from './support/adminClient.js';
import { primaries, storeSlot } from './support/clusterFaults.js';
import { features, item } from './support/items.js';
import { readOnlyRules } from './support/minimalAcl.js';
import { clusterAdmin } from './support/topologyServers.js';

// The foreign-write tracker in a cluster: both its connections live on the primary serving the
// store's slot, and follow the slot when a live reshard moves it and when a failover promotes the
// shard's replica. Each move is a reset, and writes are reported again afterwards.
/** A reshard is found by the next probe (200 ms here), a failover once the replica is promoted. */
const MOVE_BOUND_MS = 15_000;

let cluster: RedisCluster;
let admin: Cluster;
const closers: Array<() => unknown> = [];

beforeAll(async () => {
  cluster = await startCluster();
  admin = clusterAdmin(cluster.startupNodes);
});

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

afterAll(async () => {
  admin?.disconnect();
  await cluster?.stop();
});

const startupNodes = () => cluster.startupNodes.map(({ host, port }) => ({ host, port }));

/**
 * A cluster client as the driver makes them: no ready check, which would send CLUSTER INFO (and
 * INFO on each node), refused to a minimal ACL user: the client would never become ready.
 */
function clusterClient(
  user: { username?: string; password?: string },
  options: { shardedSubscribers?: boolean; lazyConnect?: boolean } = {},
): Cluster {
  const client = new Cluster(startupNodes(), {
    ...options,
    enableReadyCheck: false,
    redisOptions: { ...user, enableReadyCheck: false },
  });
  client.on('error', () => {});
  return client;
}

/** A tracker of `prefix` wired to a cluster client as RedisStore's main client would be. */
function track(
  prefix: string,
  user: { username?: string; password?: string } = {},
): TrackerRecording {
  const main = clusterClient(user, { lazyConnect: true });
  const effectivePrefix = clusterPrefix(prefix);
  const tracker = createForeignWriteTracker({
    effectivePrefix,
    ...trackerTarget(main, effectivePrefix),
    commandTimeoutMs: 1000,
    probeIntervalMs: 200,
  });
  const recording = recordTracker(tracker);
  closers.push(() => {
    recording.stop();
    tracker.close();
    main.disconnect();
  });
  return recording;
}

/** The ports of the nodes on which a connection has tracking redirected (the tracker's). */
async function nodesTracking(): Promise<number[]> {
  const ports: number[] = [];
  for (const node of cluster.nodes) {
    if (!node.running) continue;
    const client = adminClient(node);
    try {
      const list = String(await client.client('LIST'));
      if (/\bredir=(?!-1\b)\d+/.test(list)) ports.push(node.port);
    } catch {
      // A node just killed: it tracks nothing.
    } finally {
      client.disconnect();
    }
  }
  return ports;
}

async function expectKindEvent(recording: TrackerRecording, prefix: string): Promise<void> {
  const before = recording.events.length;
  await admin.hset(`${clusterPrefix(prefix)}:features`, `f-${before}`, '{}');
  await recording.until(
    () => kindsOf(recording.events.slice(before)).includes('features'),
    PROPAGATION_BOUND_MS,
    'kind event',
  );
}

async function waitForPromotionOf(node: RedisServer): Promise<void> {
  const deadline = performance.now() + MOVE_BOUND_MS;
  const client = adminClient(node);
  try {
    while (((await client.role().catch(() => [])) as unknown[])[0] !== 'master') {
      if (performance.now() > deadline) throw new Error(`${node.port} not promoted`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    client.disconnect();
  }
}

describe('the minimal read-only ACL user in a cluster', () => {
  const prefix = 'fwc-ro';
  const effective = clusterPrefix(prefix);
  const channel = `${effective}:$changes`;
  const rules = readOnlyRules(effective, [
    '+cluster|slots',
    '+client|tracking',
    '+client|id',
    '+subscribe',
    '&__redis__:invalidate',
  ]);
  const reader = { username: 'reader', password: 'reader-secret' };

  it('reads, subscribes to the sharded feed channel and tracks; its writes are refused', async () => {
    await Promise.all(
      cluster.nodes.flatMap((node) => [
        node.redisCli('ACL', 'SETUSER', 'reader', 'on', `>${reader.password}`, ...rules),
        node.redisCli(
          'ACL',
          'SETUSER',
          'noslots',
          'on',
          `>${reader.password}`,
          ...rules.filter((rule) => rule !== '+cluster|slots'),
        ),
      ]),
    );
    const writer = createRedisDriver({ mode: 'cluster', nodes: startupNodes(), prefix });
    closers.push(() => writer.close());
    await writer.init([{ kind: features, items: [['f1', item('f1', 1)]] }]);

    const store = createRedisDriver({ mode: 'cluster', nodes: startupNodes(), prefix, ...reader });
    closers.push(() => store.close());
    expect(await store.isInitialized()).toBe(true);
    expect(await store.get(features, 'f1')).toMatchObject({ version: 1 });
    expect([...(await store.getAll(features)).keys()]).toEqual(['f1']);
    const refused = await store.upsert(features, 'f1', item('f1', 2)).catch((error) => error);
    expect(StowageError.is(refused, StoreErrorCode.Permission), String(refused)).toBe(true);

    // The sharded feed's subscriber, as ioredis runs it for a cluster.
    const subscriber = clusterClient(reader, { shardedSubscribers: true });
    closers.push(() => subscriber.disconnect());
    const message = new Promise<string>((resolve) =>
      subscriber.on('smessage', (_channel: string, text: string) => resolve(text)),
    );
    await subscriber.ssubscribe(channel);
    await admin.spublish(channel, 'hello');
    expect(await message).toBe('hello');

    const raw = clusterClient(reader);
    closers.push(() => raw.disconnect());
    await expect(raw.hset(`${effective}:features`, 'x', '{}')).rejects.toThrow(/^NOPERM/);

    const recording = track(prefix, reader);
    await recording.until(() => recording.lives.at(-1) === true, MOVE_BOUND_MS, 'live');
    await expectKindEvent(recording, prefix);

    // Without CLUSTER SLOTS the cluster client cannot map the slots: nothing works.
    const blind = createRedisDriver({
      mode: 'cluster',
      nodes: startupNodes(),
      prefix,
      username: 'noslots',
      password: reader.password,
      connectTimeoutMs: 1000,
    });
    closers.push(() => blind.close());
    const unmapped = await blind.get(features, 'f1').catch((error) => error);
    console.info(`without +cluster|slots: ${String(unmapped)}`);
    expect(StowageError.is(unmapped)).toBe(true);
  }, 60_000);
});

describe('the foreign-write tracker in a cluster', () => {
  it('tracks on the primary of the store slot, and follows a live reshard of the slot', async () => {
    const prefix = 'fwc-reshard';
    const slot = storeSlot(cluster, prefix);
    const recording = track(prefix);
    await recording.until(() => recording.lives.at(-1) === true, MOVE_BOUND_MS, 'live');
    const source = await cluster.primaryForSlot(slot);
    expect(await nodesTracking()).toEqual([source.port]);
    await expectKindEvent(recording, prefix);

    const destination = (await primaries(cluster)).find((node) => node.port !== source.port);
    if (destination === undefined) throw new Error('no other primary');
    await cluster.migrateSlot(slot, source.port, destination.port);
    const moved = performance.now();
    await recording.until(() => resetsIn(recording.events) === 1, MOVE_BOUND_MS, 'reset');
    console.info(
      `reshard: tracking back on the new owner ${Math.round(performance.now() - moved)} ms after the move`,
    );
    expect(recording.lives.slice(-2)).toEqual([false, true]);
    expect(await nodesTracking()).toEqual([destination.port]);
    await expectKindEvent(recording, prefix);
  }, 60_000);

  it('follows a failover of the store shard (kill -9 of its primary)', async () => {
    await cluster.waitForClusterOk();
    const prefix = 'fwc-failover';
    const slot = storeSlot(cluster, prefix);
    const recording = track(prefix);
    await recording.until(() => recording.lives.at(-1) === true, MOVE_BOUND_MS, 'live');
    const victim = await cluster.primaryForSlot(slot);
    const replicaPort = Number(
      /^slave\d+:ip=[^,]+,port=(\d+)/m.exec(await victim.redisCli('INFO', 'replication'))?.[1],
    );
    const replica = cluster.nodes.find((node) => node.port === replicaPort);
    if (replica === undefined) throw new Error(`no replica of ${victim.port}`);
    const killed = performance.now();
    await cluster.killNode(victim.port);
    await recording.until(() => recording.lives.at(-1) === false, MOVE_BOUND_MS, 'not live');
    await waitForPromotionOf(replica);
    const promoted = performance.now();
    await recording.until(() => resetsIn(recording.events) === 1, MOVE_BOUND_MS, 'reset');
    const [sincePromotion, sinceKill] = [promoted, killed].map((t) => performance.now() - t);
    console.info(
      `failover: tracking back ${Math.round(sinceKill ?? 0)} ms after the kill, ${Math.round(sincePromotion ?? 0)} ms after the promotion was seen`,
    );
    expect(recording.lives.at(-1)).toBe(true);
    expect(await nodesTracking()).toEqual([replica.port]);
    await expectKindEvent(recording, prefix);
    await victim.restart();
  }, 60_000);
});
