import type { interfaces, LDClientContext, LDFeatureStore } from '@launchdarkly/node-server-sdk';
import { RedisFeatureStore } from '@launchdarkly/node-server-sdk-redis';
import { StoreErrorCode, StowageError } from '@stowage/core';
import { type RedisServer, startRedisServer } from '@stowage/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createForeignWriteTracker,
  type ForeignWriteTracker,
} from '../src/feed/foreignWrites/ForeignWriteTracker.js';
import { storeTracker } from '../src/feed/foreignWrites/storeTracker.js';
import { trackerTarget } from '../src/feed/foreignWrites/trackerTarget.js';
import { createRedisDriver } from '../src/index.js';
import { resolveRedisSettings } from '../src/options/resolveRedisSettings.js';
import {
  kindsOf,
  PROPAGATION_BOUND_MS,
  recordTracker,
  resetsIn,
  type TrackerRecording,
} from './foreignWritesRecording.js';
import { adminClient } from './support/adminClient.js';

// The foreign-write tracker against a real server: writes that announce nothing (a raw HSET,
// LaunchDarkly's Redis store) become kind events; a lost connection, either one, turns live off
// until tracking is set up again, then a reset; close leaves nothing behind.
/** A lost connection is found at once (its socket closes) and tracking set up again at once. */
const RECOVERY_BOUND_MS = 3000;

let server: RedisServer;
let admin: Redis;
/** What each test opened: closed after it, so that the next one sees only its own connections. */
const closers: Array<() => unknown> = [];

beforeAll(async () => {
  server = await startRedisServer({
    users: [
      ...[
        '+client|tracking +subscribe &__redis__:invalidate',
        '+client|id +subscribe &__redis__:invalidate',
        '+client|id +client|tracking &__redis__:invalidate',
        '+client|id +client|tracking +subscribe',
      ].map((rules, n) => ({
        name: `lacks-${n}`,
        password: 'pw',
        rules: ['~*', 'resetchannels', '-@all', '+ping', '+exists', ...rules.split(' ')],
      })),
    ],
  });
  admin = adminClient(server);
});

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
});

/** The store's own client, as RedisStore holds it: the tracker duplicates it. */
function mainClient(user?: { username: string; password: string }): Redis {
  const client = new Redis({ host: server.host, port: server.port, lazyConnect: true, ...user });
  client.on('error', () => {});
  closers.push(() => client.disconnect());
  return client;
}

function openTracker(prefix: string, main = mainClient()): ForeignWriteTracker {
  const tracker = createForeignWriteTracker({
    effectivePrefix: prefix,
    ...trackerTarget(main, prefix),
    commandTimeoutMs: 1000,
    probeIntervalMs: 200,
  });
  closers.push(() => tracker.close());
  return tracker;
}

/** The tracker's connections, as the server lists them: the tracking one names its redirect. */
async function trackerClients(): Promise<{ tracking: string[]; subscribers: string[] }> {
  const list = String(await admin.client('LIST'))
    .trim()
    .split('\n');
  const field = (line: string, name: string) => new RegExp(`\\b${name}=(\\S*)`).exec(line)?.[1];
  const tracking = list.filter((line) => (field(line, 'redir') ?? '-1') !== '-1');
  const redirects = tracking.map((line) => field(line, 'redir'));
  return {
    tracking: tracking.map((line) => field(line, 'id') ?? ''),
    subscribers: list
      .filter((line) => redirects.includes(field(line, 'id')))
      .map((line) => field(line, 'id') ?? ''),
  };
}

/** Waits until the server lists no connection of a tracker (a disconnect reaches it shortly after). */
async function noTrackerClientsLeft(): Promise<void> {
  const deadline = performance.now() + RECOVERY_BOUND_MS;
  let clients = await trackerClients();
  while (clients.tracking.length + clients.subscribers.length > 0) {
    if (performance.now() > deadline)
      throw new Error(`tracker connections left: ${JSON.stringify(clients)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
    clients = await trackerClients();
  }
}

/**
 * Milliseconds from sending `write` until a kind event of `namespace` arrived (the tracker's
 * report may come before the writer's own reply).
 */
async function timeToKindEvent(
  recording: TrackerRecording,
  namespace: string,
  write: () => Promise<unknown>,
): Promise<number> {
  const before = recording.events.length;
  const start = performance.now();
  await write();
  const index = () =>
    recording.events.findIndex(
      (event, n) => n >= before && event.type === 'kind' && event.kind.namespace === namespace,
    );
  await recording.until(() => index() >= 0, PROPAGATION_BOUND_MS, `kind event of ${namespace}`);
  return (recording.arrivals[index()] ?? Number.NaN) - start;
}

const silent = { error() {}, warn() {}, info() {}, debug() {} };

function openLaunchDarkly(prefix: string): LDFeatureStore {
  const factory = RedisFeatureStore({
    prefix,
    cacheTTL: 0,
    redisOpts: { host: server.host, port: server.port },
  });
  const store = factory({ basicConfiguration: { logger: silent } } as unknown as LDClientContext);
  closers.push(() => store.close());
  return store;
}

describe('the foreign-write tracker', () => {
  it('reports a raw HSET and a LaunchDarkly upsert as kind events, and nothing outside the prefix', async () => {
    const prefix = 'fw-raw';
    const recording = recordTracker(openTracker(prefix));
    await recording.until(() => recording.lives.at(-1) === true, RECOVERY_BOUND_MS, 'live');
    const latencies = [
      await timeToKindEvent(recording, 'features', () =>
        admin.hset(`${prefix}:features`, 'f', '{}'),
      ),
      await timeToKindEvent(recording, 'segments', () =>
        admin.hset(`${prefix}:segments`, 's', '{}'),
      ),
      await timeToKindEvent(recording, 'segments', () => admin.hdel(`${prefix}:segments`, 's')),
    ];
    const ld = openLaunchDarkly(prefix);
    const kind: interfaces.DataKind = { namespace: 'features' };
    latencies.push(
      await timeToKindEvent(
        recording,
        'features',
        () =>
          new Promise<void>((resolve) =>
            ld.upsert(
              kind,
              { key: 'f2', version: 3 } as Parameters<LDFeatureStore['upsert']>[1],
              () => resolve(),
            ),
          ),
      ),
    );
    console.info(
      `foreign write to kind event: ${latencies.map((ms) => ms.toFixed(2)).join(', ')} ms`,
    );
    // Other prefixes and a longer prefix of another store are not this store's writes.
    const before = recording.events.length;
    await admin.hset('fw-other:features', 'f', '{}');
    await admin.hset(`${prefix}:sub:features`, 'f', '{}');
    await timeToKindEvent(recording, 'last', () => admin.hset(`${prefix}:last`, 'f', '{}'));
    expect(kindsOf(recording.events.slice(before))).toEqual(['last']);
    expect(resetsIn(recording.events)).toBe(0);
    recording.stop();
  });

  it('reports a flush and a change of the marker as a reset', async () => {
    const prefix = 'fw-flush';
    const recording = recordTracker(openTracker(prefix));
    await recording.until(() => recording.lives.at(-1) === true, RECOVERY_BOUND_MS, 'live');
    await admin.set(`${prefix}:$inited`, '');
    await recording.until(
      () => resetsIn(recording.events) === 1,
      PROPAGATION_BOUND_MS,
      'marker reset',
    );
    await admin.flushall();
    await recording.until(
      () => resetsIn(recording.events) === 2,
      PROPAGATION_BOUND_MS,
      'flush reset',
    );
    recording.stop();
  });

  it.each(['tracking', 'subscriber'] as const)(
    'goes not live when its %s connection is killed, then live with a reset, and tracks again',
    async (victim) => {
      const prefix = `fw-kill-${victim}`;
      const recording = recordTracker(openTracker(prefix));
      await recording.until(() => recording.lives.at(-1) === true, RECOVERY_BOUND_MS, 'live');
      const before = await trackerClients();
      expect(before.tracking).toHaveLength(1);
      expect(before.subscribers).toHaveLength(1);
      const id = victim === 'tracking' ? before.tracking[0] : before.subscribers[0];
      await admin.client('KILL', 'ID', String(id));
      await recording.until(() => resetsIn(recording.events) === 1, RECOVERY_BOUND_MS, 'reset');
      expect(recording.lives).toEqual([false, true, false, true]);
      expect(recording.lives.at(-1)).toBe(true);
      // Both connections are new: the redirect names the new subscriber.
      const after = await trackerClients();
      expect(after.tracking).toHaveLength(1);
      expect(after.subscribers).toHaveLength(1);
      expect(after.tracking).not.toEqual(before.tracking);
      expect(after.subscribers).not.toEqual(before.subscribers);
      await timeToKindEvent(recording, 'features', () =>
        admin.hset(`${prefix}:features`, 'f', '{}'),
      );
      recording.stop();
    },
  );

  it('converges after every one of repeated kills, with one pair of connections each time', async () => {
    const prefix = 'fw-kills';
    const recording = recordTracker(openTracker(prefix));
    await recording.until(() => recording.lives.at(-1) === true, RECOVERY_BOUND_MS, 'live');
    // Bounded: 10 kills, alternating the victim, each followed by a write that must be reported.
    for (let round = 1; round <= 10; round++) {
      const clients = await trackerClients();
      expect(clients.tracking, `round ${round}`).toHaveLength(1);
      expect(clients.subscribers, `round ${round}`).toHaveLength(1);
      const victim = round % 2 === 0 ? clients.tracking[0] : clients.subscribers[0];
      await admin.client('KILL', 'ID', String(victim));
      await recording.until(
        () => resetsIn(recording.events) === round && recording.lives.at(-1) === true,
        RECOVERY_BOUND_MS,
        `reset ${round}`,
      );
      await timeToKindEvent(recording, 'features', () =>
        admin.hset(`${prefix}:features`, 'f', `${round}`),
      );
    }
    recording.stop();
  });

  it('goes not live while the server hangs, and comes back with a reset', async () => {
    const prefix = 'fw-pause';
    const recording = recordTracker(openTracker(prefix));
    await recording.until(() => recording.lives.at(-1) === true, RECOVERY_BOUND_MS, 'live');
    server.pause();
    try {
      // The next probe (every 200 ms here) times out after the command timeout (1 s here).
      await recording.until(() => recording.lives.at(-1) === false, RECOVERY_BOUND_MS, 'not live');
    } finally {
      server.resume();
    }
    await recording.until(() => resetsIn(recording.events) === 1, RECOVERY_BOUND_MS, 'reset');
    expect(recording.lives.at(-1)).toBe(true);
    await timeToKindEvent(recording, 'features', () => admin.hset(`${prefix}:features`, 'f', '{}'));
    recording.stop();
  });

  it('comes back after a server restart, with a reset', async () => {
    const prefix = 'fw-restart';
    const recording = recordTracker(openTracker(prefix));
    await recording.until(() => recording.lives.at(-1) === true, RECOVERY_BOUND_MS, 'live');
    await server.restart();
    await recording.until(
      () => resetsIn(recording.events) === 1,
      RECOVERY_BOUND_MS + 2000,
      'reset',
    );
    expect(recording.lives.at(-1)).toBe(true);
    await timeToKindEvent(recording, 'features', () => admin.hset(`${prefix}:features`, 'f', '{}'));
    recording.stop();
  });

  it('after close: completes, reports nothing, and leaves no connection behind', async () => {
    const prefix = 'fw-close';
    const tracker = openTracker(prefix);
    const recording = recordTracker(tracker);
    await recording.until(() => recording.lives.at(-1) === true, RECOVERY_BOUND_MS, 'live');
    tracker.close();
    expect(recording.completed).toBe(true);
    expect(recording.lives.at(-1)).toBe(false);
    await admin.hset(`${prefix}:features`, 'f', '{}');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(recording.events).toEqual([]);
    await noTrackerClientsLeft();
    expect(await admin.pubsub('NUMSUB', '__redis__:invalidate')).toEqual([
      '__redis__:invalidate',
      0,
    ]);
    // A subscription after close completes at once and connects nothing.
    const late = recordTracker(tracker);
    expect(late.completed).toBe(true);
  });

  it('connects with the first subscription and disconnects with the last', async () => {
    const tracker = openTracker('fw-refcount');
    expect((await trackerClients()).tracking).toEqual([]);
    const first = recordTracker(tracker);
    const second = recordTracker(tracker);
    await first.until(() => first.lives.at(-1) === true, RECOVERY_BOUND_MS, 'live');
    expect((await trackerClients()).tracking).toHaveLength(1);
    first.stop();
    expect((await trackerClients()).tracking).toHaveLength(1);
    second.stop();
    await first.until(() => second.lives.at(-1) === false, RECOVERY_BOUND_MS, 'not live');
    await noTrackerClientsLeft();
    const third = recordTracker(tracker);
    await third.until(() => third.lives.at(-1) === true, RECOVERY_BOUND_MS, 'live again');
    await timeToKindEvent(third, 'features', () => admin.hset('fw-refcount:features', 'f', '{}'));
    expect(resetsIn(third.events)).toBe(0);
    third.stop();
  });

  it.each([
    [0, '+client|id'],
    [1, '+client|tracking'],
    [2, '+subscribe'],
    [3, '&__redis__:invalidate'],
  ])('fails with a permission error naming the rule a user lacks (%i: %s)', async (n, rule) => {
    const main = mainClient({ username: `lacks-${n}`, password: 'pw' });
    const recording = recordTracker(openTracker(`fw-acl-${n}`, main));
    await recording.until(() => recording.error !== undefined, RECOVERY_BOUND_MS, 'error');
    expect(StowageError.is(recording.error, StoreErrorCode.Permission)).toBe(true);
    expect((recording.error as Error).message).toContain(`ACL rule ${rule}:`);
    expect(recording.lives.at(-1)).toBe(false);
    await noTrackerClientsLeft();
  });

  it('is made for a store only with trackForeignWrites, and leaves a client handed in alone', async () => {
    const app = mainClient();
    await app.connect();
    const off = resolveRedisSettings({ client: app, prefix: 'fw-app' });
    expect(storeTracker(app, off, 'fw-app')).toBeUndefined();
    const settings = resolveRedisSettings({
      client: app,
      prefix: 'fw-app',
      trackForeignWrites: true,
    });
    const tracker = storeTracker(app, settings, 'fw-app');
    if (tracker === undefined) throw new Error('no tracker with trackForeignWrites');
    closers.push(() => tracker.close());
    const recording = recordTracker(tracker);
    await recording.until(() => recording.lives.at(-1) === true, RECOVERY_BOUND_MS, 'live');
    await timeToKindEvent(recording, 'features', () => app.hset('fw-app:features', 'f', '{}'));
    tracker.close();
    await noTrackerClientsLeft();
    // The application's own client was duplicated, never used nor closed.
    expect(app.status).toBe('ready');
    expect(await app.hget('fw-app:features', 'f')).toBe('{}');
  });
  it("is part of the store's change feed with trackForeignWrites: its own writes announced, others as kinds", async () => {
    const prefix = 'fw-store';
    const store = createRedisDriver({ url: server.url, prefix, trackForeignWrites: true });
    closers.push(() => store.close());
    const recording = recordTracker(store.changeFeed);
    // Live only once both the channel and the tracking are.
    await recording.until(() => recording.lives.at(-1) === true, RECOVERY_BOUND_MS, 'live');
    await timeToKindEvent(recording, 'features', () =>
      admin.hset(`${prefix}:features`, 'raw', '{}'),
    );
    await store.upsert({ namespace: 'segments' }, 's', {
      version: 2,
      deleted: false,
      serializedItem: '{"key":"s","version":2}',
    });
    await recording.until(
      () => recording.events.some((event) => event.type === 'upsert' && event.key === 's'),
      PROPAGATION_BOUND_MS,
      'the announced upsert',
    );
    // BCAST reports every write to the prefix, the store's own included.
    await recording.until(
      () => kindsOf(recording.events).includes('segments'),
      PROPAGATION_BOUND_MS,
      'the tracked write of the store itself',
    );
    await store.close();
    await noTrackerClientsLeft();
    expect(recording.completed).toBe(true);
    recording.stop();
  });
});
