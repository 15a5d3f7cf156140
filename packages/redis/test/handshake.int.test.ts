import { createDataStore, type DataStore, defineKind, type VersionedItem } from '@stowage/core';
import {
  type RedisServer,
  type SentinelGroup,
  startRedisServer,
  startSentinelGroup,
} from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisDriver, type RedisDataStore, type RedisDriverOptions } from '../src/index.js';
import { within } from './support/deadline.js';
import { errorChainText, rejectionOf } from './support/errorChain.js';
import { features, item } from './support/items.js';
import { aclRules, SCRIPT_COMMANDS } from './support/minimalAcl.js';

// Every step of a connection's set-up that decides who the connection is or where its data goes
// (HELLO with AUTH, SELECT) fails the operations with a typed error naming the step, and nothing
// is written anywhere else: ioredis itself only emits a refused SELECT and carries on, on database
// 0. Informational steps (CLIENT SETINFO) are not sent at all.
const PASSWORD = 'handshake-Pa55-secret';
const TIMEOUTS = { connectTimeoutMs: 2000, commandTimeoutMs: 1000 } as const;

let server: RedisServer;
let group: SentinelGroup;
const stores: Array<RedisDataStore | DataStore> = [];

beforeAll(async () => {
  [server, group] = await Promise.all([
    startRedisServer({
      password: PASSWORD,
      users: [
        // Every driver command, but not SELECT: a refused database selection.
        { name: 'noselect', password: PASSWORD, rules: aclRules('hs:*', SCRIPT_COMMANDS) },
      ],
    }),
    startSentinelGroup(),
  ]);
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await Promise.all([server?.stop(), group?.stop()]);
});

function open(options: RedisDriverOptions): RedisDataStore {
  const store = createRedisDriver({ ...TIMEOUTS, prefix: 'hs', ...options });
  stores.push(store);
  return store;
}

/** Every operation of `store` fails at once with `code`, naming `step`, without the password. */
async function expectRefused(store: RedisDataStore, code: string, step: string): Promise<void> {
  const operations: ReadonlyArray<() => Promise<unknown>> = [
    () => store.init([{ kind: features, items: [['a', item('a', 1)]] }]),
    () => store.upsert(features, 'a', item('a', 2)),
    () => store.get(features, 'a'),
    () => store.getAll(features),
    () => store.isInitialized(),
  ];
  for (const operation of operations) {
    const error = await within(rejectionOf(operation()), TIMEOUTS.connectTimeoutMs, step);
    expect(error, String(error)).toMatchObject({ code });
    expect((error as Error).message).toContain(`refused ${step}`);
    expect(errorChainText(error)).not.toContain(PASSWORD);
  }
}

/** Nothing of the prefix `hs` reached database 0 (or any other) of `node`. */
async function expectNothingWritten(node: RedisServer): Promise<void> {
  for (let db = 0; db < 16; db++) {
    const keys = await node.redisCli('-n', String(db), '--scan', '--pattern', 'hs:*');
    expect(keys.trim(), `database ${db}`).toBe('');
  }
}

describe('the connection handshake, standalone', () => {
  it('a database the server does not have fails every operation with config, writing nothing', async () => {
    const url = `redis://:${PASSWORD}@${server.host}:${server.port}/99`;
    await expectRefused(open({ url }), 'config', 'SELECT');
    await expectRefused(
      open({ host: server.host, port: server.port, password: PASSWORD, db: 20 }),
      'config',
      'SELECT',
    );
    await expectNothingWritten(server);
  });

  it('the WATCH strategy refuses too: its own connections select the same database', async () => {
    const store = open({
      host: server.host,
      port: server.port,
      password: PASSWORD,
      db: 20,
      upsertStrategy: 'watch',
    });
    await expectRefused(store, 'config', 'SELECT');
    await expectNothingWritten(server);
  });

  it('an ACL user refused SELECT fails every operation with permission, writing nothing', async () => {
    const store = open({
      host: server.host,
      port: server.port,
      username: 'noselect',
      password: PASSWORD,
      db: 2,
    });
    await expectRefused(store, 'permission', 'SELECT');
    await expectNothingWritten(server);
  });

  it('wrong credentials name the step that refused them (HELLO with AUTH)', async () => {
    const store = open({ host: server.host, port: server.port, password: 'not-it' });
    await expectRefused(store, 'auth', 'HELLO');
  });

  it('STOWAGE_REDIS_DB out of range stops an app configured from the environment', async () => {
    interface Flag extends VersionedItem {
      readonly on: boolean;
    }
    const flags = defineKind<Flag>('features');
    const store = await createDataStore(
      {},
      {
        env: {
          STOWAGE_DRIVER: 'redis',
          STOWAGE_PREFIX: 'hs',
          STOWAGE_REDIS_URL: `redis://:${PASSWORD}@${server.host}:${server.port}`,
          STOWAGE_REDIS_DB: '20',
          STOWAGE_REDIS_CONNECT_TIMEOUT_MS: '2000',
        },
      },
    );
    stores.push(store);
    await expect(
      store.init([flags.items([{ key: 'a', version: 1, on: true }])]),
    ).rejects.toMatchObject({
      code: 'config',
    });
    await expect(store.upsert(flags, { key: 'a', version: 2, on: true })).rejects.toMatchObject({
      code: 'config',
    });
    await expectNothingWritten(server);
  });

  it('sends no informational step a server may reject: no error reply on a fresh server', async () => {
    const fresh = await startRedisServer();
    try {
      const store = open({ host: fresh.host, port: fresh.port, db: 1 });
      await store.init([{ kind: features, items: [['a', item('a', 1)]] }]);
      expect(await store.upsert(features, 'a', item('a', 2))).toEqual({ applied: true });
      expect(await store.get(features, 'a')).toEqual(item('a', 2));
      // Redis 7.0 rejects CLIENT SETINFO (added in 7.2) with an ERR reply; the one error reply
      // expected is the script cache's NOSCRIPT, answered by sending the script once.
      const errors = await fresh.redisCli('INFO', 'errorstats');
      expect(errors).not.toMatch(/errorstat_ERR/);
      expect(errors).toMatch(/errorstat_NOSCRIPT:count=1\b/);
      expect(await fresh.redisCli('INFO', 'commandstats')).not.toMatch(/cmdstat_client/);
    } finally {
      await fresh.stop();
    }
  });
});

describe('the connection handshake, Sentinel', () => {
  it('a database the primary does not have fails every operation with config, writing nothing', async () => {
    const sentinels = group.sentinels.map(({ host, port }) => `${host}:${port}`).join(',');
    await expectRefused(
      open({ url: `redis+sentinel://${sentinels}/${group.name}/99` }),
      'config',
      'SELECT',
    );
    const [first] = group.sentinels;
    if (first === undefined) throw new Error('no sentinel');
    await expectRefused(
      open({
        mode: 'sentinel',
        sentinels: [{ host: first.host, port: first.port }],
        name: group.name,
        db: 20,
      }),
      'config',
      'SELECT',
    );
    for (const node of group.nodes) await expectNothingWritten(node);
  });
});
