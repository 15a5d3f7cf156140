import { createMemoryBackend, createMemoryDriver } from '@stowage/memory';
import { describe, expect, it } from 'vitest';
import {
  createDataStore,
  type DriverDefinition,
  type KindStoreChange,
  type StoreChange,
  StowageError,
  wrapDriver,
} from '../src/index.js';
import { ControlledDriver } from './support/ControlledDriver.js';
import { FeedBus, feedDriver } from './support/FeedDriver.js';
import { feedStore } from './support/feedStore.js';
import { type Flag, features, flags, item, segments } from './support/fixtures.js';

function record<T>(source: { subscribe(observer: object): { unsubscribe(): void } }) {
  const seen: T[] = [];
  let completed = false;
  let failed: unknown;
  const subscription = source.subscribe({
    next: (value: T) => seen.push(value),
    complete: () => (completed = true),
    error: (error: unknown) => (failed = error),
  });
  return {
    seen,
    subscription,
    completed: () => completed,
    failed: () => failed,
  };
}

describe('changes$ and changesOf', () => {
  it('reports every write, init, kind change and gap, by namespace', async () => {
    const { driver, store, other } = feedStore();
    const changes = record<StoreChange>(store.changes$);
    await store.upsert(flags, { key: 'a', version: 1, on: true });
    await other.upsert(features, 'b', item('b', 2));
    await store.delete(flags, 'a', 3);
    await other.init([{ kind: segments, items: [] }]);
    driver.emit({ type: 'kind', kind: features });
    driver.emit({ type: 'reset' });
    expect(changes.seen).toEqual([
      { type: 'upsert', namespace: 'features', key: 'a', version: 1, deleted: false },
      { type: 'upsert', namespace: 'features', key: 'b', version: 2, deleted: false },
      { type: 'upsert', namespace: 'features', key: 'a', version: 3, deleted: true },
      { type: 'init', namespace: 'segments' },
      { type: 'kind', namespace: 'features' },
      { type: 'reset' },
    ]);
  });

  it('changesOf gives one kind, typed by its definition, and every reset', async () => {
    const { driver, store, other } = feedStore();
    const changes = record<KindStoreChange<Flag>>(store.changesOf(flags));
    await other.upsert(segments, 's', item('s', 1));
    await other.upsert(features, 'a', item('a', 4));
    driver.emit({ type: 'reset' });
    expect(changes.seen).toEqual([
      { type: 'upsert', kind: flags, key: 'a', version: 4, deleted: false },
      { type: 'reset' },
    ]);
    expect(() => store.changesOf({ namespace: 'no spaces' } as typeof flags)).toThrow(
      expect.objectContaining({ code: 'invalid-kind' }),
    );
  });

  it('has the cache updated before a subscriber hears of a change', async () => {
    const { store, other } = feedStore();
    await other.upsert(features, 'a', item('a', 1));
    await store.get(flags, 'a');
    const reads: Array<Promise<unknown>> = [];
    store.changes$.subscribe(() => reads.push(store.get(flags, 'a')));
    await other.upsert(features, 'a', item('a', 2));
    expect(await reads[0]).toMatchObject({ version: 2 });
  });

  it('works without a cache, listening only while subscribed', async () => {
    const { driver, store, other } = feedStore({ cache: { ttl: 0 } });
    await store.get(flags, 'a');
    expect(driver.listeners).toBe(0);
    const changes = record<StoreChange>(store.changes$);
    expect(driver.listeners).toBe(1);
    expect(store.status.feed).toBe('live');
    await other.upsert(features, 'a', item('a', 1));
    expect(changes.seen).toHaveLength(1);
    changes.subscription.unsubscribe();
    expect(driver.listeners).toBe(0);
    expect(store.status.feed).toBe('down');
  });

  it('with a cache, keeps listening after the last subscriber leaves, until close', async () => {
    const { driver, store } = feedStore();
    expect(store.raw.changeFeed?.events$).toBe(driver.changeFeed.events$);
    const changes = record<StoreChange>(store.changes$);
    expect(driver.listeners).toBe(1);
    changes.subscription.unsubscribe();
    expect(driver.listeners).toBe(1);
    expect(store.status.feed).toBe('live');
    await store.close();
    expect(driver.listeners).toBe(0);
  });

  it('completes on close, with no event after it', async () => {
    const { store, other } = feedStore();
    const changes = record<StoreChange>(store.changes$);
    await store.close();
    expect(changes.completed()).toBe(true);
    await other.upsert(features, 'a', item('a', 1));
    expect(changes.seen).toEqual([]);
    const late = record<StoreChange>(store.changes$);
    expect(late.completed()).toBe(true);
  });

  it('never emits with the feed off or unsupported, and completes on close', async () => {
    for (const setUp of [
      () => feedStore({ feed: 'off' }),
      () => {
        const backend = createMemoryBackend();
        // ControlledDriver passes no feed on: a driver without one.
        const store = wrapDriver(
          new ControlledDriver(createMemoryDriver({ prefix: 'feed', backend })),
        );
        return { store, other: createMemoryDriver({ prefix: 'feed', backend }) };
      },
    ]) {
      const { store, other } = setUp();
      const changes = record<StoreChange>(store.changes$);
      await other.upsert(features, 'a', item('a', 1));
      await store.upsert(flags, { key: 'b', version: 1, on: true });
      expect(changes.seen).toEqual([]);
      expect(['off', 'unsupported']).toContain(store.status.feed);
      await store.close();
      expect(changes.completed()).toBe(true);
    }
  });
});

describe('the feed option in configuration', () => {
  const feedy: DriverDefinition = {
    name: 'feedy',
    environment: {},
    validateOptions: () => ({ ok: true, options: {} }),
    load:
      async () =>
      (_options, { prefix }) =>
        feedDriver(createMemoryBackend(), new FeedBus(), prefix),
  };

  it('turns the feed off for a driver that has one', async () => {
    const off = await createDataStore(
      { driver: 'feedy', feed: 'off' },
      { env: {}, drivers: [feedy] },
    );
    expect(off.status.feed).toBe('off');
    const on = await createDataStore({ driver: 'feedy' }, { env: {}, drivers: [feedy] });
    expect(on.status.feed).toBe('down');
    await on.get(flags, 'a');
    expect(on.status.feed).toBe('live');
    await Promise.all([off.close(), on.close()]);
  });
});

describe('a fatal failure of the feed', () => {
  it('fails every later operation with its error, and the feed stays down', async () => {
    const { driver, store } = feedStore();
    await store.upsert(flags, { key: 'a', version: 1, on: true });
    const changes = record<StoreChange>(store.changes$);
    const refused = new StowageError('permission', 'NOPERM: add +spublish &feed:* to the user');
    driver.failFeed(refused);
    expect(changes.failed()).toBe(refused);
    const calls = { ...driver.calls };
    await expect(store.get(flags, 'a')).rejects.toBe(refused); // cached, all the same
    await expect(store.all(flags)).rejects.toBe(refused);
    await expect(store.upsert(flags, { key: 'a', version: 2, on: true })).rejects.toBe(refused);
    await expect(store.init([])).rejects.toBe(refused);
    await expect(store.isInitialized()).rejects.toBe(refused);
    await expect(store.raw.get(features, 'a')).rejects.toBe(refused);
    expect(driver.calls).toEqual(calls);
    expect(store.status.feed).toBe('down');
    expect(record(store.changes$).failed()).toBe(refused);
  });

  it('fails a store without a cache the same way', async () => {
    const { driver, store } = feedStore({ cache: { ttl: 0 } });
    record<StoreChange>(store.changes$);
    driver.failFeed(new StowageError('permission', 'NOPERM'));
    await expect(store.get(flags, 'a')).rejects.toMatchObject({ code: 'permission' });
    await expect(store.raw.upsert(features, 'a', item('a', 1))).rejects.toMatchObject({
      code: 'permission',
    });
    expect(store.status.feed).toBe('down');
  });
});
