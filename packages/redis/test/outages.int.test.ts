import { StowageError } from '@stowage/core';
import { type RedisServer, startRedisServer } from '@stowage/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisDriver, type RedisDataStore, type RedisDriverOptions } from '../src/index.js';
import { adminClient } from './support/adminClient.js';
import { within } from './support/deadline.js';
import { features, item } from './support/items.js';

// Every operation fails typed and bounded whatever the server does (frozen, killed, restarted),
// and the store recovers by itself. Timeouts are short so that the file stays quick; the bounds
// asserted are the configured timeouts plus a grace for the event loop, not speed.
const COMMAND_TIMEOUT_MS = 400;
const CONNECT_TIMEOUT_MS = 800;
const GRACE_MS = 1000;
const COMMAND_BOUND_MS = COMMAND_TIMEOUT_MS + GRACE_MS;
const CONNECT_BOUND_MS = CONNECT_TIMEOUT_MS + GRACE_MS;

let server: RedisServer;
let admin: Redis;
const stores: RedisDataStore[] = [];

beforeAll(async () => {
  // DEBUG SLEEP keeps a command in flight on purpose (disabled by default since Redis 7).
  server = await startRedisServer({ args: ['--enable-debug-command', 'yes'] });
  admin = adminClient(server);
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  admin?.disconnect();
  await server?.stop();
});

function open(options: RedisDriverOptions = {}): RedisDataStore {
  const store = createRedisDriver({
    url: server.url,
    prefix: `outage-${stores.length}`,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    ...options,
  });
  stores.push(store);
  return store;
}

interface Settled {
  readonly code?: string;
  readonly value?: unknown;
}

/**
 * How `promise` settled: its value or its error code. With `boundMs`, it must settle within that
 * long (the configured timeout plus a grace), or the test fails naming the bound.
 */
async function settle(promise: Promise<unknown>, boundMs?: number): Promise<Settled> {
  const bounded = boundMs === undefined ? promise : within(promise, boundMs, 'the operation');
  try {
    return { value: await bounded };
  } catch (error) {
    expect(StowageError.is(error), String(error)).toBe(true);
    return { code: (error as StowageError).code };
  }
}

describe('a frozen server (SIGSTOP, like a network partition)', () => {
  it('reads time out, writes say outcome-unknown, within the command timeout; then it recovers', async () => {
    const store = open();
    await store.upsert(features, 'a', item('a', 1));
    server.pause();
    let outcomes: Settled[];
    let available: Settled;
    try {
      outcomes = await Promise.all([
        settle(store.get(features, 'a'), COMMAND_BOUND_MS),
        settle(store.getAll(features), COMMAND_BOUND_MS),
        settle(store.isInitialized(), COMMAND_BOUND_MS),
        settle(store.upsert(features, 'a', item('a', 2)), COMMAND_BOUND_MS),
      ]);
      available = await settle(store.isAvailable(), COMMAND_BOUND_MS);
    } finally {
      server.resume();
    }
    expect(outcomes.map((o) => o.code)).toEqual([
      'timeout',
      'timeout',
      'timeout',
      'outcome-unknown',
    ]);
    expect(available).toEqual({ value: false });
    // The write whose outcome was unknown was applied once the server woke up: that is why the
    // driver cannot call it "failed".
    expect(await store.get(features, 'a')).toEqual(item('a', 2));
    expect(await store.isAvailable()).toBe(true);
  });

  it('a timed-out init says outcome-unknown', async () => {
    const store = open();
    expect(await store.isInitialized()).toBe(false);
    server.pause();
    let outcome: Settled;
    try {
      outcome = await settle(store.init([{ kind: features, items: [['a', item('a', 1)]] }]));
    } finally {
      server.resume();
    }
    expect(outcome.code).toBe('outcome-unknown');
    expect(await store.isInitialized()).toBe(true);
  });

  it('a store that first connects while the server is frozen fails with connection in time', async () => {
    server.pause();
    let outcomes: Settled[];
    try {
      const store = open();
      outcomes = await Promise.all([
        settle(store.get(features, 'a'), CONNECT_BOUND_MS),
        settle(store.upsert(features, 'a', item('a', 1)), CONNECT_BOUND_MS),
        settle(store.isAvailable(), CONNECT_BOUND_MS),
      ]);
    } finally {
      server.resume();
    }
    expect(outcomes.map((o) => o.code ?? o.value)).toEqual(['connection', 'connection', false]);
  });
});

describe('a killed server', () => {
  it('fails every operation with connection within the connect timeout, and recovers after a restart', async () => {
    const store = open();
    await store.init([{ kind: features, items: [['a', item('a', 1)]] }]);
    await server.kill();
    try {
      const outcomes = await Promise.all([
        settle(store.get(features, 'a'), CONNECT_BOUND_MS),
        settle(store.getAll(features), CONNECT_BOUND_MS),
        settle(store.upsert(features, 'a', item('a', 2)), CONNECT_BOUND_MS),
        settle(store.init([]), CONNECT_BOUND_MS),
        settle(store.isInitialized(), CONNECT_BOUND_MS),
        settle(store.isAvailable(), CONNECT_BOUND_MS),
      ]);
      expect(outcomes.map((o) => o.code ?? o.value)).toEqual([
        'connection',
        'connection',
        'connection',
        'connection',
        'connection',
        false,
      ]);
    } finally {
      await server.restart();
    }
    // Nothing is persisted by the test server: the store works again on an empty one.
    expect(await store.get(features, 'a')).toBeUndefined();
    expect(await store.upsert(features, 'a', item('a', 3))).toEqual({ applied: true });
    expect(await store.isAvailable()).toBe(true);
  });

  it('an operation issued while the server restarts waits for it instead of failing at once', async () => {
    const store = open({ connectTimeoutMs: 5000 });
    await store.upsert(features, 'a', item('a', 1));
    await server.kill();
    const pending = settle(store.upsert(features, 'a', item('a', 2)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await server.restart();
    expect(await pending).toMatchObject({ value: { applied: true } });
  });

  it('a write in flight when the connection drops says outcome-unknown; a read says connection', async () => {
    const store = open({ commandTimeoutMs: 5000 });
    await store.upsert(features, 'a', item('a', 1));
    // The server is busy for a while, so the next commands are sent and wait for their answers.
    const sleeping = admin.call('DEBUG', 'SLEEP', '2').catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const write = settle(store.upsert(features, 'a', item('a', 2)));
    const read = settle(store.get(features, 'a'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.kill();
    expect((await write).code).toBe('outcome-unknown');
    expect((await read).code).toBe('connection');
    await sleeping;
    await server.restart();
  });
});

describe('close', () => {
  it('fails operations waiting for a connection with closed, at once', async () => {
    const store = open({ connectTimeoutMs: 10_000 });
    await server.kill();
    try {
      const waiting = settle(store.get(features, 'a'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await store.close();
      // Well before the 10 s connect timeout.
      expect(await within(waiting, GRACE_MS, 'the waiting get')).toEqual({ code: 'closed' });
      expect((await settle(store.get(features, 'a'))).code).toBe('closed');
      expect(await store.isAvailable()).toBe(false);
    } finally {
      await server.restart();
    }
  });
});
