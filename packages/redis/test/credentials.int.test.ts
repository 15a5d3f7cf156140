import { type AddressInfo, createServer } from 'node:net';
import { StowageError } from '@stowage/core';
import { type RedisServer, startRedisServer } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisDriver, type RedisDataStore, type RedisDriverOptions } from '../src/index.js';
import { within } from './support/deadline.js';
import { errorChainText, rejectionOf } from './support/errorChain.js';
import { features, item } from './support/items.js';
import { aclRules, SCRIPT_COMMANDS } from './support/minimalAcl.js';

// Failures that retrying will not fix fail fast, with their own code, and leave no secret in the
// error, its message, its cause chain, or their own properties (ioredis attaches the arguments of
// a failed HELLO/AUTH, password included, to its error).
const ADMIN_PASSWORD = 'admin-Pa55-secret';
const APP_PASSWORD = 'app-Pa55-secret';
const WRONG_PASSWORD = 'wrong-Pa55-secret';
const SECRETS = [ADMIN_PASSWORD, APP_PASSWORD, WRONG_PASSWORD, encodeURIComponent(WRONG_PASSWORD)];
const TIMEOUTS = { connectTimeoutMs: 2000, commandTimeoutMs: 1000 } as const;

let secured: RedisServer;
let tlsServer: RedisServer;
const stores: RedisDataStore[] = [];

beforeAll(async () => {
  [secured, tlsServer] = await Promise.all([
    startRedisServer({
      password: ADMIN_PASSWORD,
      users: [
        { name: 'app', password: APP_PASSWORD, rules: aclRules('app:*', SCRIPT_COMMANDS) },
        { name: 'readonly', password: APP_PASSWORD, rules: aclRules('app:*', ['+hget', '+ping']) },
      ],
    }),
    startRedisServer({ tls: {} }),
  ]);
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await Promise.all([secured?.stop(), tlsServer?.stop()]);
});

function open(options: RedisDriverOptions): RedisDataStore {
  const store = createRedisDriver({ ...TIMEOUTS, ...options });
  stores.push(store);
  return store;
}

/** A store on the password-protected server as an ACL user (password APP_PASSWORD). */
function openAs(
  username: string,
  prefix: string,
  options: RedisDriverOptions = {},
): RedisDataStore {
  const { host, port } = secured;
  return open({ host, port, username, password: APP_PASSWORD, prefix, ...options });
}

/** Runs `op`, expects a StowageError with `code` and no secret anywhere in it. */
async function expectTypedFailure(op: Promise<unknown>, code: string): Promise<StowageError> {
  const error = await rejectionOf(op);
  expect(StowageError.is(error), String(error)).toBe(true);
  expect((error as StowageError).code, (error as Error).message).toBe(code);
  const text = errorChainText(error);
  for (const secret of SECRETS) expect(text).not.toContain(secret);
  return error as StowageError;
}

describe('credentials', () => {
  it('a wrong password fails every operation with auth, without the password anywhere', async () => {
    const store = open({
      url: `redis://app:${encodeURIComponent(WRONG_PASSWORD)}@${secured.host}:${secured.port}`,
    });
    // Fails on the server's answer, not at the connect timeout.
    const error = await within(
      expectTypedFailure(store.get(features, 'a'), 'auth'),
      TIMEOUTS.connectTimeoutMs,
      'the failure',
    );
    expect(error.message).toMatch(/credentials/);
    await expectTypedFailure(store.upsert(features, 'a', item('a', 1)), 'auth');
    await expectTypedFailure(store.init([]), 'auth');
    await expectTypedFailure(store.isInitialized(), 'auth');
    expect(await store.isAvailable()).toBe(false);
  });

  it('a wrong password given as an option is scrubbed too', async () => {
    const store = open({
      host: secured.host,
      port: secured.port,
      username: 'app',
      password: WRONG_PASSWORD,
    });
    await expectTypedFailure(store.getAll(features), 'auth');
  });

  it('no password for a server that requires one is an auth error', async () => {
    const store = open({ host: secured.host, port: secured.port });
    await expectTypedFailure(store.get(features, 'a'), 'auth');
  });

  it('the minimal ACL rule ~P:* with the driver commands runs every operation', async () => {
    const store = openAs('app', 'app');
    await store.init([{ kind: features, items: [['a', item('a', 1)]] }]);
    expect(await store.upsert(features, 'a', item('a', 2))).toEqual({ applied: true });
    expect(await store.get(features, 'a')).toEqual(item('a', 2));
    expect((await store.getAll(features)).size).toBe(1);
    expect(await store.isInitialized()).toBe(true);
    expect(await store.isAvailable()).toBe(true);
    expect(await secured.redisCli('HGET', 'app:features', 'a')).toBe(item('a', 2).serializedItem);
  });

  it('a prefix outside the ACL key pattern is a permission error on every operation', async () => {
    const store = openAs('app', 'other');
    await expectTypedFailure(store.get(features, 'a'), 'permission');
    await expectTypedFailure(store.getAll(features), 'permission');
    await expectTypedFailure(store.upsert(features, 'a', item('a', 1)), 'permission');
    await expectTypedFailure(store.init([{ kind: features, items: [] }]), 'permission');
    await expectTypedFailure(store.isInitialized(), 'permission');
    // The server answers; the user only lacks rights.
    expect(await store.isAvailable()).toBe(true);
  });

  it('an ACL user without write commands gets permission errors for writes', async () => {
    const store = openAs('readonly', 'app');
    expect(await store.get(features, 'missing')).toBeUndefined();
    await expectTypedFailure(store.init([{ kind: features, items: [] }]), 'permission');
    // Scripting refused to this user: the driver switches to WATCH, which is refused as well.
    await expectTypedFailure(store.upsert(features, 'a', item('a', 1)), 'permission');
  });

  it('upsertStrategy script does not fall back when scripting is refused', async () => {
    const store = openAs('readonly', 'app', { upsertStrategy: 'script' });
    const error = await expectTypedFailure(store.upsert(features, 'a', item('a', 1)), 'permission');
    expect(error.message).toMatch(/evalsha/i);
  });
});

describe('TLS', () => {
  it('a plain client on a TLS port fails with tls, well before the connect timeout', async () => {
    const store = open({ host: tlsServer.host, port: tlsServer.port });
    const error = await within(
      expectTypedFailure(store.get(features, 'a'), 'tls'),
      TIMEOUTS.connectTimeoutMs,
      'the failure',
    );
    expect(error.message).toMatch(/TLS/);
  });

  it('a certificate signed by another CA fails with tls', async () => {
    const store = open({ url: tlsServer.url, tls: { ca: tlsServer.tls?.otherCa ?? '' } });
    await expectTypedFailure(store.get(features, 'a'), 'tls');
    expect(await store.isAvailable()).toBe(false);
  });

  it("verification is on by default: the harness's private CA is not trusted without ca", async () => {
    const store = open({ url: tlsServer.url });
    await expectTypedFailure(store.getAll(features), 'tls');
  });

  it('a server name the certificate does not cover fails with tls', async () => {
    const store = open({
      url: tlsServer.url,
      tls: { ca: tlsServer.tls?.ca ?? '', servername: 'not-this-host.example' },
    });
    await expectTypedFailure(store.get(features, 'a'), 'tls');
  });

  it('verification can be turned off explicitly', async () => {
    const store = open({ url: tlsServer.url, tls: { rejectUnauthorized: false } });
    expect(await store.get(features, 'a')).toBeUndefined();
  });

  it('a TLS client on a plain port fails within the connect timeout with a typed error', async () => {
    const store = open({
      host: secured.host,
      port: secured.port,
      tls: { ca: tlsServer.tls?.ca ?? '' },
      connectTimeoutMs: 500,
    });
    const error = await expectTypedFailure(store.get(features, 'a'), 'connection');
    expect(error.message).toMatch(/not connected within 500 ms/);
    expect(error.message).toMatch(/never answered the TLS handshake: it may not speak TLS/);
  });

  it('a TLS client answered in plain text fails at once with tls', async () => {
    // What a plain server does when it answers at all: a text reply where a TLS record belongs
    // (OpenSSL reports "wrong version number").
    const plain = createServer((socket) => socket.resume().end('-ERR unknown command\r\n'));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const { port } = plain.address() as AddressInfo;
    const store = open({ host: '127.0.0.1', port, tls: { ca: tlsServer.tls?.ca ?? '' } });
    try {
      const error = await within(
        expectTypedFailure(store.get(features, 'a'), 'tls'),
        TIMEOUTS.connectTimeoutMs / 2,
        'the failure',
      );
      expect(error.message).toMatch(/wrong version number/i);
    } finally {
      await store.close();
      await new Promise((resolve) => plain.close(resolve));
    }
  });

  it('a TLS client on a port nothing listens on is not told about the TLS handshake', async () => {
    // A port the kernel handed out and took back: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const store = open({
      host: '127.0.0.1',
      port,
      tls: { ca: tlsServer.tls?.ca ?? '' },
      connectTimeoutMs: 500,
    });
    const error = await expectTypedFailure(store.get(features, 'a'), 'connection');
    expect(error.message).not.toMatch(/TLS handshake/);
  });
});
