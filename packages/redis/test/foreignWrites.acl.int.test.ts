import { StoreErrorCode, StowageError } from '@stowage/core';
import { type RedisServer, startRedisServer } from '@stowage/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createForeignWriteTracker } from '../src/feed/foreignWrites/ForeignWriteTracker.js';
import { trackerTarget } from '../src/feed/foreignWrites/trackerTarget.js';
import { createRedisDriver, type RedisDataStore } from '../src/index.js';
import {
  kindsOf,
  PROPAGATION_BOUND_MS,
  recordTracker,
  type TrackerRecording,
} from './foreignWritesRecording.js';
import { adminClient } from './support/adminClient.js';
import { features, item } from './support/items.js';

// The minimal ACL of a read-only (daemon-mode) instance, as the README documents it, on one
// server: reads, the change feed's channel and foreign-write tracking work as that user, writes
// are refused; and each rule of it is needed (without it, what uses it fails with `permission`).
const PREFIX = 'ro';
const CHANNEL = `${PREFIX}:$changes`;
const PASSWORD = 'reader-secret';

/** The read-only rule: the store's keys and feed channel, the read commands, SSUBSCRIBE. */
const READ_RULES = ['+ping', '+exists', '+hget', '+hgetall', '+ssubscribe', `&${CHANNEL}`];
/** What tracking foreign writes adds. */
const TRACKING_RULES = ['+client|tracking', '+client|id', '+subscribe', '&__redis__:invalidate'];
const RULES = [...READ_RULES, ...TRACKING_RULES];

/** A user with the minimal read-only rule, less `without`. */
const reader = (name: string, without?: string) => ({
  name,
  password: PASSWORD,
  rules: [`~${PREFIX}:*`, 'resetchannels', '-@all', ...RULES.filter((rule) => rule !== without)],
});

let server: RedisServer;
let admin: Redis;
const closers: Array<() => unknown> = [];

beforeAll(async () => {
  server = await startRedisServer({
    users: [reader('reader'), ...RULES.map((rule, n) => reader(`without-${n}`, rule))],
  });
  admin = adminClient(server);
  const writer = createRedisDriver({ url: server.url, prefix: PREFIX });
  await writer.init([{ kind: features, items: [['f1', item('f1', 1)]] }]);
  await writer.close();
});

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
});

const as = (user: string) => ({ username: user, password: PASSWORD });

function openStore(user: string): RedisDataStore {
  const store = createRedisDriver({
    host: server.host,
    port: server.port,
    prefix: PREFIX,
    ...as(user),
  });
  closers.push(() => store.close());
  return store;
}

function client(user: string): Redis {
  // No ready check: it sends INFO, which the user is not granted (as the driver's clients).
  const connection = new Redis({
    host: server.host,
    port: server.port,
    lazyConnect: true,
    enableReadyCheck: false,
    ...as(user),
  });
  connection.on('error', () => {});
  closers.push(() => connection.disconnect());
  return connection;
}

function track(user: string): TrackerRecording {
  const tracker = createForeignWriteTracker({
    effectivePrefix: PREFIX,
    ...trackerTarget(client(user), PREFIX),
    probeIntervalMs: 100,
  });
  const recording = recordTracker(tracker);
  closers.push(() => tracker.close());
  return recording;
}

/** Resolves with the first message SPUBLISHed to the feed's channel after the subscription. */
async function feedMessage(user: string): Promise<string> {
  const subscriber = client(user);
  const message = new Promise<string>((resolve) =>
    subscriber.on('smessage', (_channel: string, text: string) => resolve(text)),
  );
  await subscriber.ssubscribe(CHANNEL);
  await admin.spublish(CHANNEL, 'hello');
  return message;
}

/** The error `attempt` fails with. */
async function failureOf(attempt: () => Promise<unknown>): Promise<unknown> {
  try {
    await attempt();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('the minimal read-only ACL user', () => {
  it('reads, subscribes to the feed channel and tracks foreign writes', async () => {
    const store = openStore('reader');
    expect(await store.isInitialized()).toBe(true);
    expect(await store.get(features, 'f1')).toMatchObject({ version: 1 });
    expect([...(await store.getAll(features)).keys()]).toEqual(['f1']);
    expect(await feedMessage('reader')).toBe('hello');
    const recording = track('reader');
    await recording.until(() => recording.lives.at(-1) === true, 3000, 'live');
    await admin.hset(`${PREFIX}:features`, 'f2', JSON.stringify({ key: 'f2', version: 1 }));
    await recording.until(
      () => kindsOf(recording.events).includes('features'),
      PROPAGATION_BOUND_MS,
      'kind event',
    );
  });

  it('is refused every write: HSET by hand, and the driver writes with permission errors', async () => {
    await expect(client('reader').hset(`${PREFIX}:features`, 'x', '{}')).rejects.toThrow(/^NOPERM/);
    const store = openStore('reader');
    for (const write of [
      () => store.upsert(features, 'f1', item('f1', 2)),
      () => store.init([{ kind: features, items: [] }]),
    ]) {
      const error = await failureOf(write);
      expect(StowageError.is(error, StoreErrorCode.Permission), String(error)).toBe(true);
    }
    expect(await admin.hget(`${PREFIX}:features`, 'f1')).toContain('"version":1');
  });

  // Each rule, taken away, breaks what uses it: the rule is minimal.
  const uses: Record<string, (user: string) => Promise<unknown>> = {
    '+exists': (user) => openStore(user).isInitialized(),
    '+hget': (user) => openStore(user).get(features, 'f1'),
    '+hgetall': (user) => openStore(user).getAll(features),
    '+ssubscribe': (user) => feedMessage(user),
    [`&${CHANNEL}`]: (user) => feedMessage(user),
  };
  it.each(RULES.map((rule, n) => [rule, n] as const))('needs %s', async (rule, n) => {
    const user = `without-${n}`;
    const use = uses[rule];
    if (use !== undefined) {
      const error = await failureOf(() => use(user));
      // The store's reads fail typed; the raw subscription with the server's reply.
      if (!StowageError.is(error, StoreErrorCode.Permission)) {
        expect(String((error as Error).message)).toMatch(/^NOPERM/);
      }
      return;
    }
    // +ping (the tracker's probe of its subscriber) and the tracking rules: the tracker stops
    // with a permission error naming the rule.
    const recording = track(user);
    await recording.until(() => recording.error !== undefined, 3000, 'tracker error');
    expect(StowageError.is(recording.error, StoreErrorCode.Permission)).toBe(true);
    expect((recording.error as Error).message).toContain(`ACL rule ${rule}:`);
  });
});
