import { createDataStore, type DataStore, defineKind } from '@stowage/core';
import type { ChangeEvent } from '@stowage/core/driver';
import { DataStoreToken, StowageModule } from '@stowage/core/inversify';
import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { postgresDriverDefinition } from '../src/definition.js';
import { changeChannel, type PostgresDataStore } from '../src/index.js';
import { item } from './support/errors.js';
import { useTableServer } from './support/tableServer.js';

const kind = { namespace: 'features' };
const file = useTableServer();
const open = (prefix: string) => file.open({ prefix });

/** Every event of `store`'s feed, recorded from once it is live. */
async function record(store: PostgresDataStore): Promise<ChangeEvent[]> {
  const events: ChangeEvent[] = [];
  store.changeFeed.events$.subscribe((event) => events.push(event));
  let live = false;
  store.changeFeed.live$.subscribe((value) => {
    live = value;
  });
  await expect.poll(() => live, { timeout: 5_000 }).toBe(true);
  return events;
}

describe('the change feed over LISTEN/NOTIFY', () => {
  it('announces an upsert whose message exceeds a NOTIFY payload as a kind event', async () => {
    const writer = open('big-keys');
    const events = await record(open('big-keys'));
    const key = 'k'.repeat(8_000);
    expect(await writer.upsert(kind, key, item('x', 1))).toEqual({ applied: true });
    await expect.poll(() => events, { timeout: 5_000 }).toEqual([{ type: 'kind', kind }]);
  });

  it('announces one init event per kind, on commit, after the data is readable', async () => {
    const writer = open('inits');
    const reader = open('inits');
    const events = await record(reader);
    const seenAtEvent: number[] = [];
    reader.changeFeed.events$.subscribe(() => {
      void reader.getAll(kind).then((all) => seenAtEvent.push(all.size));
    });
    const items = Array.from(
      { length: 2_000 },
      (_, index) => [`k${index}`, item(`k${index}`, 1)] as const,
    );
    await writer.init([
      { kind, items },
      { kind: { namespace: 'other' }, items: [] },
    ]);
    await expect
      .poll(() => events.map((event) => event.type), { timeout: 5_000 })
      .toEqual(['init', 'init']);
    expect(events).toEqual([
      { type: 'init', kind, own: false },
      { type: 'init', kind: { namespace: 'other' }, own: false },
    ]);
    await expect.poll(() => seenAtEvent, { timeout: 5_000 }).toEqual([2_000, 2_000]);
  });

  it('uses a channel within the 63-byte identifier limit for any prefix', async () => {
    const prefix = `p${'é'.repeat(255)}`;
    expect(changeChannel('"public"."stowage_items"', prefix)).toMatch(/^stowage_[0-9a-f]{40}$/);
    const writer = open(prefix);
    const events = await record(open(prefix));
    await writer.upsert(kind, 'a', item('a', 1));
    await expect.poll(() => events.length, { timeout: 5_000 }).toBe(1);
  });

  it('announces only the writes applied, in commit order', async () => {
    const events = await record(open('order'));
    const writers = [open('order'), open('order'), open('order')];
    await Promise.all(
      Array.from({ length: 60 }, (_, index) =>
        (writers[index % 3] as PostgresDataStore).upsert(kind, 'k', item('k', (index % 20) + 1)),
      ),
    );
    await expect.poll(() => events.at(-1), { timeout: 5_000 }).toMatchObject({ version: 20 });
    const versions = events.map((event) => (event as { version: number }).version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
  });
});

describe('configuration by name', () => {
  it('creates the store from STOWAGE_DRIVER=postgres and STOWAGE_POSTGRES_URL', async () => {
    const things = defineKind<{ key: string; version: number }>('things');
    const store = await createDataStore(
      {},
      {
        env: {
          STOWAGE_DRIVER: 'postgres',
          STOWAGE_POSTGRES_URL: file.server.url,
          STOWAGE_PREFIX: 'by-name',
        },
        drivers: [postgresDriverDefinition],
      },
    );
    await store.upsert(things, { key: 'a', version: 1 });
    expect(await store.get(things, 'a')).toEqual({ key: 'a', version: 1 });
    const { rows } = await file.server.query(
      "SELECT count(*)::int AS n FROM stowage_items WHERE prefix = 'by-name'",
    );
    expect(rows[0]).toEqual({ n: 1 });
    await store.close();
  });
});

describe('dependency injection by name', () => {
  it('binds a cached store on PostgreSQL, kept coherent by the feed', async () => {
    const things = defineKind<{ key: string; version: number }>('things');
    const stowage = await StowageModule.fromConfig(
      {
        driver: 'postgres',
        prefix: 'di',
        postgres: { url: file.server.url },
        cache: { ttl: 'infinite' },
      },
      { env: {}, drivers: [postgresDriverDefinition] },
    );
    const container = new Container();
    await container.load(stowage.containerModule);
    const store = container.get<DataStore>(DataStoreToken);
    await store.init([things.items([{ key: 'a', version: 1 }])]);
    expect(await store.get(things, 'a')).toEqual({ key: 'a', version: 1 });
    // A write by another instance reaches the cache through NOTIFY.
    await open('di').upsert({ namespace: 'things' }, 'a', {
      version: 2,
      deleted: false,
      serializedItem: JSON.stringify({ key: 'a', version: 2 }),
    });
    await expect
      .poll(() => store.get(things, 'a').then((got) => got?.version), { timeout: 5_000 })
      .toBe(2);
    await container.unbindAllAsync();
  });
});
