import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import { type RedisServer, startRedisServer } from '@stowage/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisDriver, type RedisDataStore, type RedisDriverOptions } from '../src/index.js';
import { adminClient } from './support/adminClient.js';
import { features, item } from './support/items.js';

// Connection handling that the contract does not spell out: clients handed in, lazy connection,
// the start-up race, database selection, the script cache, the key layout.
const run = promisify(execFile);

let server: RedisServer;
let admin: Redis;
const stores: RedisDataStore[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  admin = adminClient(server);
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  admin?.disconnect();
  await server?.stop();
});

function open(options: RedisDriverOptions): RedisDataStore {
  const store = createRedisDriver(options);
  stores.push(store);
  return store;
}

describe('a client handed in by the application', () => {
  it('is used, and stays open after close()', async () => {
    const client = new Redis({ host: server.host, port: server.port });
    try {
      const store = open({ client, prefix: 'handed' });
      await store.init([{ kind: features, items: [['a', item('a', 1)]] }]);
      expect(await store.get(features, 'a')).toEqual(item('a', 1));
      await store.close();
      await expect(store.get(features, 'a')).rejects.toMatchObject({ code: 'closed' });
      expect(client.status).toBe('ready');
      expect(await client.hget('handed:features', 'a')).toBe(item('a', 1).serializedItem);
      // The store left no listener behind on the application's client.
      expect(client.listenerCount('error')).toBe(0);
    } finally {
      client.disconnect();
    }
  });

  it('a lazy client is connected on first use; a WATCH upsert uses connections of its own', async () => {
    const client = new Redis({ host: server.host, port: server.port, lazyConnect: true });
    try {
      const store = open({ client, prefix: 'handed-watch', upsertStrategy: 'watch' });
      expect(await store.upsert(features, 'a', item('a', 1))).toEqual({ applied: true });
      expect(await store.upsert(features, 'a', item('a', 1))).toMatchObject({ applied: false });
      await store.close();
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it('one already closed by the application fails operations with connection, at once', async () => {
    const client = new Redis({ host: server.host, port: server.port });
    await client.quit();
    const store = open({ client, prefix: 'handed-closed', connectTimeoutMs: 60_000 });
    await expect(store.get(features, 'a')).rejects.toMatchObject({ code: 'connection' });
    expect(await store.isAvailable()).toBe(false);
  });
});

describe('connecting', () => {
  let listener: Server;
  let accepted = 0;
  let port = 0;

  beforeAll(async () => {
    listener = createServer((socket) => {
      accepted += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => listener.close(resolve));
  });

  it('creating a store does no I/O; the first operation connects', async () => {
    const store = open({ host: '127.0.0.1', port, connectTimeoutMs: 300 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(accepted).toBe(0);
    await expect(store.get(features, 'a')).rejects.toMatchObject({ code: 'connection' });
    expect(accepted).toBeGreaterThan(0);
  });

  it('operations issued before the connection is ready wait for it instead of failing', async () => {
    const store = open({ url: server.url, prefix: 'race' });
    const results = await Promise.all([
      store.upsert(features, 'a', item('a', 1)),
      store.get(features, 'b'),
      store.isInitialized(),
      store.isAvailable(),
      ...Array.from({ length: 50 }, (_, i) => store.upsert(features, `k${i}`, item(`k${i}`, i))),
    ]);
    expect(results.slice(0, 4)).toEqual([{ applied: true }, undefined, false, true]);
    expect((await store.getAll(features)).size).toBe(51);
  });

  it('close() after a failed connection lets the process exit at once', async () => {
    // A child process, since what is measured is whether anything keeps the event loop alive.
    const driver = new URL('../dist/index.js', import.meta.url).href;
    // A port nothing listens on: the connection is refused, again and again.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closedPort = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const program = `
      const { createRedisDriver } = await import(${JSON.stringify(driver)});
      const store = createRedisDriver({ host: '127.0.0.1', port: ${closedPort}, connectTimeoutMs: 300 });
      await store.get({ namespace: 'f' }, 'a').catch((error) => console.log(error.code));
      await store.close();
      const closed = performance.now();
      process.on('exit', () => console.log(Math.round(performance.now() - closed)));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', program]);
    const [code, exitMs] = stdout.trim().split('\n');
    expect(code).toBe('connection');
    expect(Number(exitMs)).toBeLessThan(500);
  });

  it('the database of the URL path is used', async () => {
    const store = open({ url: `${server.url}/3`, prefix: 'db' });
    await store.upsert(features, 'a', item('a', 1));
    const db3 = new Redis({ host: server.host, port: server.port, db: 3 });
    try {
      expect(await db3.hget('db:features', 'a')).toBe(item('a', 1).serializedItem);
      expect(await admin.exists('db:features')).toBe(0);
    } finally {
      db3.disconnect();
    }
  });
});

describe('layout and scripts', () => {
  it('writes the shared layout: P:KIND hashes of the stored strings and an empty P:$inited', async () => {
    const store = open({ url: server.url, prefix: 'layout' });
    expect(store.effectivePrefix).toBe('layout');
    await store.init([
      { kind: features, items: [['a', item('a', 1)]] },
      { kind: { namespace: 'segments' }, items: [] },
    ]);
    await store.upsert(features, 'gone', { version: 4, deleted: true });
    expect(await admin.get('layout:$inited')).toBe('');
    expect(await admin.hgetall('layout:features')).toEqual({
      a: item('a', 1).serializedItem,
      gone: '{"key":"gone","version":4,"deleted":true}',
    });
    expect(await admin.exists('layout:segments')).toBe(0);
  });

  it('keys that are names of Object.prototype members round-trip through getAll', async () => {
    const store = open({ url: server.url, prefix: 'proto' });
    const keys = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
    await store.init([{ kind: features, items: keys.map((k) => [k, item(k, 1)] as const) }]);
    const all = await store.getAll(features);
    expect([...all.keys()].sort()).toEqual([...keys].sort());
    expect(all.get('__proto__')).toEqual(item('__proto__', 1));
  });

  it('reloads the compare-and-set script when the server lost it (SCRIPT FLUSH)', async () => {
    const store = open({ url: server.url, prefix: 'flush' });
    expect(await store.upsert(features, 'a', item('a', 1))).toEqual({ applied: true });
    await admin.script('FLUSH');
    expect(await store.upsert(features, 'a', item('a', 2))).toEqual({ applied: true });
    expect(await store.upsert(features, 'a', item('a', 2))).toMatchObject({ applied: false });
  });

  it('stores a body verbatim where Lua would re-encode it', async () => {
    const store = open({ url: server.url, prefix: 'verbatim' });
    const body = '{"version":3,"key":"a","path":"a\\/b","list":[],"big":12345678901234567890}';
    await store.upsert(features, 'a', { version: 3, deleted: false, serializedItem: body });
    expect(await admin.hget('verbatim:features', 'a')).toBe(body);
  });
});
