import { createMemoryBackend, createMemoryDriver } from '@stowage/memory';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type StoreStatus, wrapDriver } from '../src/index.js';
import { ControlledDriver } from './support/ControlledDriver.js';
import { features, flags, item, segments } from './support/fixtures.js';

// Infinite TTL: the cache is the source of truth while the backend is down, and is written back
// with version-checked upserts when it returns (never init, never a partial kind as a whole).
function setUp() {
  const backend = createMemoryBackend();
  const driver = new ControlledDriver(createMemoryDriver({ prefix: 'wb', backend }));
  const store = wrapDriver(driver, { cache: { ttl: 'infinite' } });
  // Another process sharing the backend, without a cache.
  const other = createMemoryDriver({ prefix: 'wb', backend });
  const events: StoreStatus[] = [];
  store.status$.subscribe((status) => events.push(status));
  return { backend, driver, store, other, events };
}

async function recover(backend: ReturnType<typeof createMemoryBackend>) {
  backend.setOffline(false);
  await vi.advanceTimersByTimeAsync(500);
}

describe('write-back after an outage (infinite TTL)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('takes a failed write into the cache, reports the error, and writes it back on recovery', async () => {
    const { backend, store, other, events } = setUp();
    backend.setOffline(true);
    await expect(store.upsert(flags, { key: 'a', version: 2, on: true })).rejects.toMatchObject({
      code: 'connection',
    });
    expect(await store.get(flags, 'a')).toMatchObject({ version: 2, on: true });
    await recover(backend);
    expect((await other.get(features, 'a'))?.version).toBe(2);
    // This instance never ran an init, so it cannot vouch for the whole data set.
    expect(events.at(-1)).toMatchObject({ available: true, needsRefresh: true });
  });

  it('writes back every kind it holds whole (the backend came back empty)', async () => {
    const { backend, store, other, driver } = setUp();
    await store.init([
      flags.items([
        { key: 'a', version: 1, on: true },
        { key: 'b', version: 4, on: false },
      ]),
    ]);
    backend.setOffline(true);
    backend.clearPrefix('wb'); // e.g. a Redis restart without persistence
    await expect(store.raw.getAll(segments)).rejects.toMatchObject({ code: 'connection' });
    const inits = vi.spyOn(driver.inner, 'init');
    await recover(backend);
    expect(
      Object.fromEntries([...(await other.getAll(features))].map(([k, d]) => [k, d.version])),
    ).toEqual({ a: 1, b: 4 });
    // The marker comes back through an init of no kind: recovery never replaces a kind.
    expect(inits.mock.calls).toEqual([[[]]]);
    expect(await createMemoryDriver({ prefix: 'wb', backend }).isInitialized()).toBe(true);
    expect(store.status).toMatchObject({ available: true, needsRefresh: false });
  });

  it('leaves the marker absent and asks for a refresh when it ran no init of its own', async () => {
    const { backend, store, other, driver } = setUp();
    await other.init([{ kind: features, items: [['a', item('a', 1)]] }]);
    expect(await store.isInitialized()).toBe(true);
    expect((await store.all(flags)).size).toBe(1); // the kind is held whole
    backend.setOffline(true);
    backend.clearPrefix('wb');
    await expect(store.raw.getAll(segments)).rejects.toMatchObject({ code: 'connection' });
    await recover(backend);
    expect((await other.get(features, 'a'))?.version).toBe(1);
    expect(driver.calls.init).toBe(0);
    expect(await createMemoryDriver({ prefix: 'wb', backend }).isInitialized()).toBe(false);
    expect(store.status).toMatchObject({ available: true, needsRefresh: true });
  });

  it('never writes a kind it holds in part as if whole, and writes only what changed in it', async () => {
    const { backend, store, other, driver } = setUp();
    for (const key of ['s1', 's2', 's3']) await other.upsert(segments, key, item(key, 1));
    // Only s1 is cached, and s2 is written during the outage: segments is held in part.
    expect(await store.raw.get(segments, 's1')).toMatchObject({ version: 1 });
    backend.setOffline(true);
    await store.raw.upsert(segments, 's2', item('s2', 2)).catch(() => undefined);
    const upsertsBefore = driver.calls.upsert;
    await recover(backend);
    expect(driver.calls.upsert - upsertsBefore).toBe(1); // s2 alone
    expect(driver.calls.init).toBe(0);
    expect(
      Object.fromEntries([...(await other.getAll(segments))].map(([k, d]) => [k, d.version])),
    ).toEqual({ s1: 1, s2: 2, s3: 1 });
  });

  it('does not clobber newer data another instance wrote meanwhile, and caches it', async () => {
    const { backend, store, other, driver } = setUp();
    await store.init([flags.items([{ key: 'a', version: 1, on: false }])]);
    backend.setOffline(true);
    await store.upsert(flags, { key: 'a', version: 2, on: true }).catch(() => undefined);
    backend.setOffline(false);
    // Another instance gets there first, with a newer version.
    await other.upsert(features, 'a', item('a', 5, { on: false }));
    await vi.advanceTimersByTimeAsync(500);
    expect((await other.get(features, 'a'))?.version).toBe(5);
    const gets = driver.calls.get;
    expect(await store.get(flags, 'a')).toMatchObject({ version: 5, on: false });
    expect(driver.calls.get).toBe(gets);
  });

  it('stays unavailable, keeping what it took, while the write-back fails', async () => {
    const { backend, store, other, events } = setUp();
    backend.setOffline(true);
    await store.upsert(flags, { key: 'a', version: 3, on: true }).catch(() => undefined);
    // The backend answers the probe but fails the write-back: still down.
    const probe = vi.spyOn(backend, 'offline', 'get');
    probe.mockReturnValueOnce(false);
    await vi.advanceTimersByTimeAsync(500);
    probe.mockRestore();
    expect(store.status.available).toBe(false);
    await recover(backend);
    expect((await other.get(features, 'a'))?.version).toBe(3);
    expect(events.map((e) => e.available)).toEqual([true, false, true]);
  });

  it('asks for a refresh when an init was taken while the backend was down', async () => {
    const { backend, store, other, events } = setUp();
    backend.setOffline(true);
    await expect(store.init([flags.items([{ key: 'n', version: 1, on: true }])])).rejects.toThrow();
    expect(await store.get(flags, 'n')).toMatchObject({ on: true });
    await recover(backend);
    expect((await other.get(features, 'n'))?.version).toBe(1);
    expect(events.at(-1)).toMatchObject({ available: true, needsRefresh: true });
  });
});
