import { createMemoryDriver } from '@stowage/memory';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { drain, feedStore } from './support/feedStore.js';
import { features, flags, item } from './support/fixtures.js';

// A gap in the feed means anything may have changed: the cache resets, and while the backend
// answers but the feed is down, reads bypass the cache.
describe('gaps in the change feed, finite TTL', () => {
  it('bypasses the cache while the feed is down and the backend answers', async () => {
    const { driver, store, silent, feedStates } = feedStore();
    await silent.upsert(features, 'a', item('a', 1));
    await store.get(flags, 'a');
    driver.live.next(false);
    expect(store.status.feed).toBe('down');
    await silent.upsert(features, 'a', item('a', 2)); // missed: the feed is down
    expect(await store.get(flags, 'a')).toMatchObject({ version: 2 });
    expect(await store.get(flags, 'a')).toMatchObject({ version: 2 });
    expect(driver.calls.get).toBe(3); // nothing answered from, or kept in, the cache
    await store.upsert(flags, { key: 'a', version: 3, on: true });
    await store.get(flags, 'a');
    expect(driver.calls.get).toBe(4); // a write does not fill it either
    expect((await store.all(flags)).size).toBe(1);
    expect((await store.all(flags)).size).toBe(1);
    expect(driver.calls.getAll).toBe(2);
    driver.live.next(true);
    expect(feedStates()).toEqual(['down', 'live', 'down', 'live']);
    await store.get(flags, 'a');
    await store.get(flags, 'a');
    expect(driver.calls.get).toBe(5); // cached again once the reset is applied
  });

  it('serves cached reads while the backend does not answer, feed down or not', async () => {
    const { backend, driver, store } = feedStore();
    await store.upsert(flags, { key: 'a', version: 1, on: true });
    await store.get(flags, 'a');
    driver.live.next(false);
    backend.setOffline(true);
    await expect(store.get(flags, 'b')).rejects.toMatchObject({ code: 'connection' });
    expect(store.status).toMatchObject({ available: false, feed: 'down' });
    expect(await store.get(flags, 'a')).toMatchObject({ version: 1 });
    await store.close();
  });

  it('forgets everything when the feed is live again after a gap', async () => {
    const { driver, store, silent } = feedStore();
    await silent.upsert(features, 'a', item('a', 1));
    await store.get(flags, 'a');
    await silent.upsert(features, 'a', item('a', 2));
    driver.live.next(false);
    driver.live.next(true);
    expect(await store.get(flags, 'a')).toMatchObject({ version: 2 });
  });

  it('forgets everything on a reset event, the feed staying live (a silent gap)', async () => {
    const { driver, store, silent, feedStates } = feedStore();
    await silent.upsert(features, 'a', item('a', 1));
    expect((await store.all(flags)).size).toBe(1);
    await silent.upsert(features, 'b', item('b', 1));
    driver.emit({ type: 'reset' });
    expect((await store.all(flags)).size).toBe(2);
    expect(feedStates()).toEqual(['down', 'live', 'down', 'live']);
  });

  it('never forgets that the store is initialized', async () => {
    const { driver, store, other } = feedStore();
    await other.init([]);
    expect(await store.isInitialized()).toBe(true);
    driver.emit({ type: 'reset' });
    driver.live.next(false);
    driver.live.next(true);
    expect(await store.isInitialized()).toBe(true);
    expect(driver.calls.isInitialized).toBe(1);
  });

  it('ignores the feed with feed: off', async () => {
    const { driver, store, silent } = feedStore({ feed: 'off' });
    await silent.upsert(features, 'a', item('a', 1));
    await store.get(flags, 'a');
    await silent.upsert(features, 'a', item('a', 2));
    expect(await store.get(flags, 'a')).toMatchObject({ version: 1 }); // TTL-stale, as before
    expect(driver.listeners).toBe(0);
    expect(store.status.feed).toBe('off');
  });
});

describe('gaps in the change feed, infinite TTL', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('checks the marker and forgets, writing nothing back, when the backend kept its data', async () => {
    const { driver, store, silent } = feedStore({ cache: { ttl: 'infinite' } });
    await store.init([flags.items([{ key: 'a', version: 1, on: true }])]);
    await silent.upsert(features, 'a', item('a', 2));
    driver.live.next(false);
    driver.live.next(true);
    expect(store.status.feed).toBe('down'); // until the marker is checked
    await drain();
    expect(driver.checks).toBe(1);
    expect(store.status.feed).toBe('live');
    expect(driver.calls.upsert).toBe(0);
    expect(await store.get(flags, 'a')).toMatchObject({ version: 2 });
  });

  it('writes back and restores the marker when the backend lost its data', async () => {
    const { backend, driver, store, statuses } = feedStore({ cache: { ttl: 'infinite' } });
    await store.init([flags.items([{ key: 'a', version: 1, on: true }])]);
    driver.live.next(false);
    backend.clearPrefix('feed'); // a restart without persistence
    driver.live.next(true);
    await vi.waitFor(() => expect(store.status.feed).toBe('live'));
    const fresh = createMemoryDriver({ prefix: 'feed', backend });
    expect((await fresh.get(features, 'a'))?.version).toBe(1);
    expect(await fresh.isInitialized()).toBe(true);
    expect(statuses.at(-1)).toMatchObject({ feed: 'live', needsRefresh: false });
  });

  it('asks for a refresh when the backend lost data it cannot vouch for', async () => {
    const { backend, driver, store, other, statuses } = feedStore({ cache: { ttl: 'infinite' } });
    await other.init([{ kind: features, items: [['a', item('a', 1)]] }]);
    expect((await store.all(flags)).size).toBe(1);
    driver.live.next(false);
    backend.clearPrefix('feed');
    driver.live.next(true);
    await vi.waitFor(() => expect(store.status.feed).toBe('live'));
    const fresh = createMemoryDriver({ prefix: 'feed', backend });
    expect((await fresh.get(features, 'a'))?.version).toBe(1); // written back all the same
    expect(await fresh.isInitialized()).toBe(false);
    expect(statuses.at(-1)).toMatchObject({ feed: 'live', needsRefresh: true });
  });

  it('writes back what it took while the backend was down before forgetting', async () => {
    vi.useFakeTimers();
    const { backend, driver, store, silent } = feedStore({ cache: { ttl: 'infinite' } });
    await store.init([]);
    await store.get(flags, 'x');
    driver.live.next(false);
    backend.setOffline(true);
    await expect(store.upsert(flags, { key: 'a', version: 2, on: true })).rejects.toMatchObject({
      code: 'connection',
    });
    backend.setOffline(false);
    driver.live.next(true); // before the status poll found the backend back
    await vi.advanceTimersByTimeAsync(0);
    expect((await silent.get(features, 'a'))?.version).toBe(2);
    expect(store.status.feed).toBe('live');
    expect(await store.get(flags, 'a')).toMatchObject({ version: 2 });
  });

  it('stays down while the check fails, and retries when the backend is back', async () => {
    vi.useFakeTimers();
    const { backend, driver, store, silent, statuses } = feedStore({
      cache: { ttl: 'infinite' },
    });
    await store.upsert(flags, { key: 'a', version: 1, on: true });
    driver.live.next(false);
    backend.setOffline(true);
    driver.live.next(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(driver.checks).toBe(1);
    // The failed check made the store unavailable: cached reads are served meanwhile.
    expect(store.status).toMatchObject({ available: false, feed: 'down' });
    expect(await store.get(flags, 'a')).toMatchObject({ version: 1 });
    backend.setOffline(false);
    await silent.upsert(features, 'a', item('a', 5));
    await vi.advanceTimersByTimeAsync(500);
    expect(store.status).toMatchObject({ available: true, feed: 'live' });
    expect(driver.checks).toBe(2);
    expect(await store.get(flags, 'a')).toMatchObject({ version: 5 });
    // In order: the backend is back before the feed is live again.
    expect(statuses.map((status) => [status.available, status.feed])).toEqual([
      [true, 'down'],
      [true, 'live'],
      [true, 'down'],
      [false, 'down'],
      [true, 'down'],
      [true, 'live'],
    ]);
  });

  it("a write-back answered after another's newer write was announced is not cached", async () => {
    vi.useFakeTimers();
    const { backend, driver, store, other } = feedStore({ cache: { ttl: 'infinite' } });
    await store.get(flags, 'x'); // the feed is live, and stays so
    backend.setOffline(true);
    await store.upsert(flags, { key: 'a', version: 2, on: true }).catch(() => undefined);
    backend.setOffline(false);
    const release = driver.holdNext('upsert');
    await vi.advanceTimersByTimeAsync(500); // the poll starts the write-back, held
    expect(driver.calls.upsert).toBe(2);
    await other.upsert(features, 'a', item('a', 3));
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.status.available).toBe(true);
    expect(await store.get(flags, 'a')).toMatchObject({ version: 3 });
  });

  it('read-only: a reset forgets without asking or writing anything', async () => {
    const { driver, store, silent } = feedStore({ cache: { ttl: 'infinite' }, readOnly: true });
    await silent.upsert(features, 'a', item('a', 1));
    await store.get(flags, 'a');
    await silent.upsert(features, 'a', item('a', 2));
    driver.emit({ type: 'reset' });
    expect(driver.checks).toBe(0);
    expect(store.status.feed).toBe('live');
    expect(await store.get(flags, 'a')).toMatchObject({ version: 2 });
    expect(driver.calls).toMatchObject({ init: 0, upsert: 0 });
  });
});
