import type { ChangeEvent, ChangeFeed, PersistentDataStore } from '@stowage/core';
import { createMemoryBackend, createMemoryDriver, type MemoryBackend } from '@stowage/memory';
import { afterEach, describe, expect, it } from 'vitest';

const features = { namespace: 'features' };
const segments = { namespace: 'segments' };

const item = (key: string, version: number, deleted = false) => ({
  version,
  deleted,
  serializedItem: JSON.stringify(deleted ? { key, version, deleted } : { key, version }),
});

interface Recording {
  /** Events and live states, in the order they arrived. */
  readonly log: Array<ChangeEvent | { live: boolean } | 'events complete' | 'live complete'>;
  readonly events: () => ChangeEvent[];
}

const subscriptions: Array<{ unsubscribe(): void }> = [];
afterEach(() => {
  for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
});

function feedOf(store: PersistentDataStore): ChangeFeed {
  const feed = store.changeFeed;
  if (feed === undefined) throw new Error('the memory driver has a change feed');
  return feed;
}

function record(store: PersistentDataStore): Recording {
  const log: Recording['log'] = [];
  const feed = feedOf(store);
  subscriptions.push(
    feed.events$.subscribe({
      next: (e) => log.push(e),
      complete: () => log.push('events complete'),
    }),
    feed.live$.subscribe({
      next: (live) => log.push({ live }),
      complete: () => log.push('live complete'),
    }),
  );
  return {
    log,
    events: () => log.filter((e): e is ChangeEvent => typeof e === 'object' && 'type' in e),
  };
}

function pair(prefix = 'app'): [MemoryBackend, PersistentDataStore, PersistentDataStore] {
  const backend = createMemoryBackend();
  return [
    backend,
    createMemoryDriver({ prefix, backend }),
    createMemoryDriver({ prefix, backend }),
  ];
}

describe('the memory change feed', () => {
  it('delivers a write to every driver of the prefix before the write settles, own in its writer only', async () => {
    const [, writer, other] = pair();
    const [mine, theirs] = [record(writer), record(other)];
    const written = writer.upsert(features, 'a', item('a', 3));
    const expected = { type: 'upsert', kind: features, key: 'a', version: 3, deleted: false };
    expect(mine.events()).toEqual([{ ...expected, own: true }]);
    expect(theirs.events()).toEqual([{ ...expected, own: false }]);
    expect(await written).toEqual({ applied: true });
  });

  it('announces tombstones with their version, and nothing for rejected or failed writes', async () => {
    const [backend, writer, other] = pair();
    const theirs = record(other);
    await writer.upsert(features, 'a', item('a', 2));
    await writer.upsert(features, 'a', item('a', 2));
    await writer.upsert(features, 'a', item('a', 1));
    await expect(writer.upsert(features, 'a', { version: -1, deleted: false })).rejects.toThrow();
    backend.writeRaw('app', 'features', 'corrupt', 'not json');
    await expect(writer.upsert(features, 'corrupt', item('corrupt', 9))).rejects.toThrow();
    await writer.upsert(features, 'a', { version: 5, deleted: true });
    expect(
      theirs.events().map((e) => e.type === 'upsert' && [e.key, e.version, e.deleted]),
    ).toEqual([
      ['a', 2, false],
      ['a', 5, true],
    ]);
  });

  it('announces one init event per kind given, a kind given twice once, and no item', async () => {
    const [, writer, other] = pair();
    const [mine, theirs] = [record(writer), record(other)];
    await writer.init([
      { kind: features, items: [['a', item('a', 1)]] },
      { kind: segments, items: [] },
      { kind: features, items: [['b', item('b', 1)]] },
    ]);
    await writer.init([]);
    expect(mine.events()).toEqual([
      { type: 'init', kind: features, own: true },
      { type: 'init', kind: segments, own: true },
    ]);
    expect(theirs.events()).toEqual([
      { type: 'init', kind: features, own: false },
      { type: 'init', kind: segments, own: false },
    ]);
  });

  it('keeps prefixes apart, nested and sibling ones included', async () => {
    const backend = createMemoryBackend();
    const outer = record(createMemoryDriver({ prefix: 'app', backend }));
    await createMemoryDriver({ prefix: 'app:x', backend }).upsert(features, 'a', item('a', 1));
    await createMemoryDriver({ prefix: 'appx', backend }).upsert(features, 'a', item('a', 1));
    await createMemoryBackend().announce('app', { type: 'reset' });
    expect(outer.events()).toEqual([]);
  });

  it('is live while the backend is online; coming back emits live, then a reset the store can act on', async () => {
    const [backend, store] = pair();
    await store.init([]);
    const recording = record(store);
    let markerOnReset: boolean | undefined;
    subscriptions.push(
      feedOf(store).events$.subscribe(async (event) => {
        if (event.type === 'reset') markerOnReset = await feedOf(store).checkInitialized();
      }),
    );
    backend.setOffline(true);
    backend.setOffline(true);
    await expect(store.upsert(features, 'a', item('a', 1))).rejects.toMatchObject({
      code: 'connection',
    });
    backend.setOffline(false);
    backend.setOffline(false);
    expect(recording.log).toEqual([
      { live: true },
      { live: false },
      { live: true },
      { type: 'reset' },
    ]);
    await Promise.resolve();
    expect(markerOnReset).toBe(true);
  });

  it('simulates a server restart without its data: a reset, then no marker', async () => {
    const [backend, store] = pair();
    await store.init([{ kind: features, items: [['a', item('a', 1)]] }]);
    const recording = record(store);
    backend.setOffline(true);
    backend.clearPrefix('app');
    backend.setOffline(false);
    expect(recording.events()).toEqual([{ type: 'reset' }]);
    expect(await feedOf(store).checkInitialized()).toBe(false);
    expect(await store.isInitialized()).toBe(true);
  });

  it('delivers announced changes to every driver as another writer’s, changing nothing stored', async () => {
    const [backend, one, two] = pair();
    const [first, second] = [record(one), record(two)];
    backend.announce('app', { type: 'kind', kind: features });
    backend.announce('app', {
      type: 'upsert',
      kind: features,
      key: 'a',
      version: 7,
      deleted: false,
      own: true,
    });
    backend.announce('app', { type: 'init', kind: segments });
    backend.setOffline(true);
    backend.announce('app', { type: 'kind', kind: segments });
    const expected = [
      { type: 'kind', kind: features },
      { type: 'upsert', kind: features, key: 'a', version: 7, deleted: false, own: false },
      { type: 'init', kind: segments, own: false },
    ];
    expect(first.events()).toEqual(expected);
    expect(second.events()).toEqual(expected);
    backend.setOffline(false);
    expect(await one.get(features, 'a')).toBeUndefined();
  });

  it('announces neither raw writes nor cleared prefixes', async () => {
    const [backend, store] = pair();
    const recording = record(store);
    backend.writeRaw('app', 'features', 'a', JSON.stringify({ key: 'a', version: 4 }));
    backend.clearPrefix('app');
    expect(recording.events()).toEqual([]);
  });

  it('completes on close: live false, no event afterwards, a later subscription ends at once', async () => {
    const [, closing, other] = pair();
    const recording = record(closing);
    const stillOpen = record(other);
    await closing.close();
    await closing.close();
    await other.upsert(features, 'a', item('a', 1));
    expect(recording.log).toEqual([
      { live: true },
      'events complete',
      { live: false },
      'live complete',
    ]);
    const late = record(closing);
    expect(late.log).toEqual(['events complete', { live: false }, 'live complete']);
    expect(stillOpen.events()).toHaveLength(1);
  });

  it('checkInitialized asks the backend now and fails as reads do', async () => {
    const [backend, reader, writer] = pair();
    expect(await feedOf(reader).checkInitialized()).toBe(false);
    await writer.init([]);
    expect(await feedOf(reader).checkInitialized()).toBe(true);
    expect(await reader.isInitialized()).toBe(true);
    backend.clearPrefix('app');
    expect(await feedOf(reader).checkInitialized()).toBe(false);
    expect(await reader.isInitialized()).toBe(true);
    backend.setOffline(true);
    await expect(feedOf(reader).checkInitialized()).rejects.toMatchObject({ code: 'connection' });
    backend.setOffline(false);
    await reader.close();
    await expect(feedOf(reader).checkInitialized()).rejects.toMatchObject({ code: 'closed' });
  });
});

describe('the memory change feed, with observers that write as they are told', () => {
  it('keeps per-key order for every observer when one writes while an event is delivered', async () => {
    const [, writer, reactor] = pair();
    // Subscribed before the observer, so it writes before the observer has seen the first event.
    subscriptions.push(
      feedOf(reactor).events$.subscribe((event) => {
        if (event.type === 'upsert' && event.version < 3) {
          void reactor.upsert(features, 'a', item('a', event.version + 1));
        }
      }),
    );
    const observer = record(writer);
    await writer.upsert(features, 'a', item('a', 1));
    expect(observer.events().map((e) => e.type === 'upsert' && [e.version, e.own])).toEqual([
      [1, true],
      [2, false],
      [3, false],
    ]);
  });

  it('delivers the reset before what an observer of live$ writes', async () => {
    const [backend, writer, other] = pair();
    let lives = 0;
    subscriptions.push(
      feedOf(writer).live$.subscribe((live) => {
        lives += live ? 1 : 0;
        if (lives === 2) void writer.upsert(features, 'a', item('a', 1));
      }),
    );
    backend.setOffline(true);
    const observer = record(other);
    backend.setOffline(false);
    expect(observer.log).toEqual([
      { live: false },
      { live: true },
      { type: 'reset' },
      { type: 'upsert', kind: features, key: 'a', version: 1, deleted: false, own: false },
    ]);
  });
});
