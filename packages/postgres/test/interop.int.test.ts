import type { DataKind, PersistentDataStore } from '@stowage/core';
import { createRedisDriver } from '@stowage/redis';
import {
  type PostgresServer,
  type RedisServer,
  startPostgresServer,
  startRedisServer,
} from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDriver } from '../src/index.js';
import { item } from './support/errors.js';

let redis: RedisServer;
let postgres: PostgresServer;
const stores: PersistentDataStore[] = [];

beforeAll(async () => {
  [redis, postgres] = await Promise.all([startRedisServer(), startPostgresServer()]);
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

/** Every kind of `store` with all its items, as `getAll` answers them. */
async function contents(
  store: PersistentDataStore & { listKinds(): Promise<ReadonlyArray<DataKind>> },
) {
  const kinds = await store.listKinds();
  return Promise.all(
    kinds.map(async (kind) => [kind.namespace, await store.getAll(kind)] as const),
  );
}

describe('a store copied from Redis to PostgreSQL', () => {
  it('reads back identically: bodies byte for byte, tombstones, keys with NUL and of 8 KiB', async () => {
    const source = createRedisDriver({ url: redis.url, prefix: 'copy' });
    const target = createPostgresDriver({ url: postgres.url, prefix: 'copy', createTables: true });
    stores.push(source, target);
    const long = `x\u0000${'€'.repeat(2_730)}`;
    await source.init([
      {
        kind: { namespace: 'features' },
        items: [
          ['a', item('a', 3)],
          [long, item('long', 1)],
          ['gone', { version: 7, deleted: true }],
        ],
      },
      {
        kind: { namespace: 'segments' },
        items: [['s', { ...item('s', 2), serializedItem: '{"version":2,"x":"ü"}' }]],
      },
    ]);
    await source.upsert({ namespace: 'features' }, 'a', { version: 4, deleted: true });
    // What `stowage copy` does: the source's kinds, read whole, replaced on the target in one init.
    const read = await contents(source);
    await target.init(
      read.map(([namespace, items]) => ({ kind: { namespace }, items: [...items] })),
    );
    expect(await contents(target)).toEqual(read);
    expect(await target.get({ namespace: 'features' }, long)).toEqual(
      await source.get({ namespace: 'features' }, long),
    );
    expect(await target.isInitialized()).toBe(true);
  });
});
