import { createMemoryDriver } from '@stowage/memory';
import { describe, expect, it } from 'vitest';
import { CachingDataStore, StowageConfigError, StowageError } from '../src/index.js';
import { cachedMemory, features, item, segments } from './support/fixtures.js';

const TTL = 10_000;

describe('CachingDataStore, finite TTL', () => {
  it('serves an item, a not-found result and a whole kind from the cache until the TTL ends', async () => {
    const { cache, driver, clock } = cachedMemory({ ttl: TTL });
    await driver.inner.upsert(features, 'a', item('a', 1));
    expect((await cache.get(features, 'a'))?.version).toBe(1);
    expect(await cache.get(features, 'missing')).toBeUndefined();
    expect((await cache.getAll(segments)).size).toBe(0);
    await driver.inner.upsert(features, 'a', item('a', 2));
    await driver.inner.upsert(features, 'missing', item('missing', 1));
    await driver.inner.upsert(segments, 's', item('s', 1));
    clock.advance(TTL - 1);
    expect((await cache.get(features, 'a'))?.version).toBe(1);
    expect(await cache.get(features, 'missing')).toBeUndefined();
    expect((await cache.getAll(segments)).size).toBe(0);
    expect(driver.calls).toMatchObject({ get: 2, getAll: 1 });
    clock.advance(1);
    expect((await cache.get(features, 'a'))?.version).toBe(2);
    expect((await cache.get(features, 'missing'))?.version).toBe(1);
    expect((await cache.getAll(segments)).size).toBe(1);
    expect(driver.calls).toMatchObject({ get: 4, getAll: 2 });
  });

  it('a successful upsert updates the item and the whole-kind entry', async () => {
    const { cache, driver } = cachedMemory({ ttl: TTL });
    await cache.init([{ kind: features, items: [['a', item('a', 1)]] }]);
    expect(await cache.upsert(features, 'a', item('a', 2))).toEqual({ applied: true });
    expect(await cache.upsert(features, 'b', item('b', 1))).toEqual({ applied: true });
    expect((await cache.get(features, 'a'))?.version).toBe(2);
    const all = await cache.getAll(features);
    expect([...all].map(([key, d]) => [key, d.version])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(driver.calls).toMatchObject({ get: 0, getAll: 0 });
  });

  it('init flushes only the kinds it is given, then primes them from its input', async () => {
    const { cache, driver } = cachedMemory({ ttl: TTL });
    await driver.inner.upsert(segments, 's', item('s', 1));
    expect((await cache.get(segments, 's'))?.version).toBe(1);
    await cache.init([{ kind: features, items: [['a', item('a', 3)]] }]);
    await driver.inner.upsert(segments, 's', item('s', 2));
    expect((await cache.get(segments, 's'))?.version).toBe(1);
    expect((await cache.get(features, 'a'))?.version).toBe(3);
    expect(await cache.get(features, 'b')).toBeUndefined();
    expect((await cache.getAll(features)).size).toBe(1);
    expect(driver.calls).toMatchObject({ get: 1, getAll: 0 });
  });

  it('init changes nothing cached when the backend refuses it', async () => {
    const { cache, driver, backend } = cachedMemory({ ttl: TTL });
    await driver.inner.upsert(features, 'a', item('a', 1));
    await cache.get(features, 'a');
    backend.setOffline(true);
    await expect(cache.init([{ kind: features, items: [] }])).rejects.toMatchObject({
      code: 'connection',
    });
    backend.setOffline(false);
    expect((await cache.get(features, 'a'))?.version).toBe(1);
    expect(driver.calls.get).toBe(1);
  });

  it('a failed write reports the error and leaves the cache as it was', async () => {
    const { cache, driver, backend } = cachedMemory({ ttl: TTL });
    await driver.inner.upsert(features, 'a', item('a', 1));
    await cache.get(features, 'a');
    backend.setOffline(true);
    await expect(cache.upsert(features, 'a', item('a', 2))).rejects.toMatchObject({
      code: 'connection',
    });
    expect((await cache.get(features, 'a'))?.version).toBe(1);
    backend.setOffline(false);
    expect(await cache.get(features, 'a')).toMatchObject({ version: 1 });
    expect(driver.calls.get).toBe(1);
  });

  it('a rejected upsert leaves the cache holding what the store holds', async () => {
    const { cache, driver, backend } = cachedMemory({ ttl: TTL });
    await driver.inner.upsert(features, 'a', item('a', 1));
    await cache.get(features, 'a');
    // Another instance writes a newer version behind this cache's back.
    await createMemoryDriver({ prefix: 'test', backend }).upsert(features, 'a', item('a', 5));
    expect(await cache.upsert(features, 'a', item('a', 3))).toMatchObject({
      applied: false,
      current: { version: 5 },
    });
    expect((await cache.get(features, 'a'))?.version).toBe(5);
    expect(driver.calls.get).toBe(1);
  });

  it('two un-awaited upserts, newer first, leave the newer one cached', async () => {
    const { cache } = cachedMemory({ ttl: TTL });
    await Promise.all([
      cache.upsert(features, 'a', item('a', 12)),
      cache.upsert(features, 'a', item('a', 11)),
    ]);
    expect((await cache.get(features, 'a'))?.version).toBe(12);
  });

  it('concurrent misses for one key, or one kind, make one backend call', async () => {
    const { cache, driver } = cachedMemory({ ttl: TTL });
    await driver.inner.upsert(features, 'a', item('a', 1));
    const gets = await Promise.all(Array.from({ length: 20 }, () => cache.get(features, 'a')));
    const alls = await Promise.all(Array.from({ length: 20 }, () => cache.getAll(features)));
    expect(gets.every((d) => d?.version === 1)).toBe(true);
    expect(new Set(alls).size).toBe(20); // every caller gets a map of its own
    expect(alls.every((all) => all.size === 1)).toBe(true);
    expect(driver.calls).toMatchObject({ get: 1, getAll: 1 });
  });

  it('isInitialized: true is remembered, false is asked again at most once a second', async () => {
    const { cache, driver, clock, backend } = cachedMemory({ ttl: TTL });
    expect(await cache.isInitialized()).toBe(false);
    expect(await cache.isInitialized()).toBe(false);
    clock.advance(999);
    expect(await cache.isInitialized()).toBe(false);
    expect(driver.calls.isInitialized).toBe(1);
    await createMemoryDriver({ prefix: 'test', backend }).init([]);
    clock.advance(1);
    expect(await cache.isInitialized()).toBe(true);
    backend.setOffline(true);
    expect(await cache.isInitialized()).toBe(true);
    expect(driver.calls.isInitialized).toBe(2);
  });

  it('bounds the entries, evicting the least recently used first', async () => {
    const { cache, driver } = cachedMemory({ ttl: TTL, maxEntries: 2 });
    for (const key of ['a', 'b', 'c']) await driver.inner.upsert(features, key, item(key, 1));
    await cache.get(features, 'a');
    await cache.get(features, 'b');
    await cache.get(features, 'a'); // a is now more recent than b
    await cache.get(features, 'c'); // evicts b
    expect(cache.size).toBe(2);
    expect(driver.calls.get).toBe(3);
    await cache.get(features, 'a');
    expect(driver.calls.get).toBe(3);
    await cache.get(features, 'b');
    expect(driver.calls.get).toBe(4);
  });

  it('never passes a kind with evicted items for the whole kind', async () => {
    const { cache, driver } = cachedMemory({ ttl: TTL, maxEntries: 2 });
    for (const key of ['a', 'b', 'c']) await driver.inner.upsert(features, key, item(key, 1));
    expect((await cache.getAll(features)).size).toBe(3);
    expect((await cache.getAll(features)).size).toBe(3);
    expect(driver.calls.getAll).toBe(2);
  });

  it('rejects a bound combined with an infinite TTL, and bad durations, all at once', () => {
    const driver = createMemoryDriver();
    const error = (() => {
      try {
        new CachingDataStore(driver, { ttl: 'infinite', maxEntries: 10 });
      } catch (caught) {
        return caught;
      }
    })();
    expect(StowageConfigError.is(error)).toBe(true);
    expect((error as StowageConfigError).issues.map((i) => i.path)).toEqual(['maxEntries']);
    expect(() => new CachingDataStore(driver, { ttl: '10 parsecs', maxEntries: -1 })).toThrow(
      expect.objectContaining({ issues: [expect.anything(), expect.anything()] }),
    );
  });

  it('answers nothing from the cache once closed', async () => {
    const { cache } = cachedMemory({ ttl: TTL });
    await cache.init([{ kind: features, items: [['a', item('a', 1)]] }]);
    await cache.close();
    const error = await cache.get(features, 'a').catch((caught: unknown) => caught);
    expect(StowageError.is(error, 'closed')).toBe(true);
  });
});

describe('CachingDataStore, TTL 0 and infinite', () => {
  it('TTL 0 sends every call to the driver', async () => {
    const { cache, driver } = cachedMemory({ ttl: 0 });
    await cache.init([{ kind: features, items: [['a', item('a', 1)]] }]);
    await cache.get(features, 'a');
    await cache.get(features, 'a');
    await cache.getAll(features);
    await cache.getAll(features);
    await cache.isInitialized();
    await cache.isInitialized();
    expect(driver.calls).toMatchObject({ get: 2, getAll: 2, isInitialized: 2 });
    expect(cache.size).toBe(0);
  });

  it('an infinite TTL never expires anything', async () => {
    const { cache, driver, clock } = cachedMemory({ ttl: 'infinite' });
    await driver.inner.upsert(features, 'a', item('a', 1));
    await cache.get(features, 'a');
    await cache.getAll(segments);
    clock.advance(365 * 24 * 3_600_000);
    await cache.get(features, 'a');
    await cache.getAll(segments);
    expect(driver.calls).toMatchObject({ get: 1, getAll: 1 });
  });
});

describe('CachingDataStore, memory bound without maxEntries', () => {
  it('sweeps out expired entries, so keys read once do not accumulate for ever', async () => {
    const { cache, clock } = cachedMemory({ ttl: TTL });
    // Session-like traffic: every key is read once, then never again.
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 1000; i++) await cache.get(features, `session-${round}-${i}`);
      clock.advance(TTL);
    }
    // 20,000 keys were cached; live ones are at most the last round's 1,000. The sweep runs when
    // the count doubles, so at most about twice the live entries (and never below 1,024) remain.
    expect(cache.size).toBeLessThanOrEqual(2 * 1024);
    expect(cache.size).toBeGreaterThan(0);
  });

  it('never sweeps an entry before it expires', async () => {
    const { cache, driver } = cachedMemory({ ttl: TTL });
    for (let i = 0; i < 5000; i++) await cache.get(features, `k-${i}`);
    expect(cache.size).toBe(5000);
    const calls = driver.calls.get;
    for (let i = 0; i < 5000; i++) await cache.get(features, `k-${i}`);
    expect(driver.calls.get).toBe(calls);
  });
});

describe('CachingDataStore, refresh-ahead', () => {
  it('answers a hit near expiry from the cache and reloads it once in the background', async () => {
    const { cache, driver, clock } = cachedMemory({ ttl: TTL, refreshAhead: 0.2 });
    await driver.inner.upsert(features, 'a', item('a', 1));
    expect((await cache.get(features, 'a'))?.version).toBe(1);
    await driver.inner.upsert(features, 'a', item('a', 2));
    clock.advance(TTL * 0.5);
    expect((await cache.get(features, 'a'))?.version).toBe(1);
    expect(driver.calls.get).toBe(1);
    clock.advance(TTL * 0.4);
    // In the last fifth of its life: still answered from the cache, reloaded behind it.
    const hits = await Promise.all([cache.get(features, 'a'), cache.get(features, 'a')]);
    expect(hits.map((d) => d?.version)).toEqual([1, 1]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(driver.calls.get).toBe(2);
    expect((await cache.get(features, 'a'))?.version).toBe(2);
    // The reload renewed the entry: when the old one would have expired, no miss happens.
    clock.advance(TTL * 0.2);
    expect((await cache.get(features, 'a'))?.version).toBe(2);
    expect(driver.calls.get).toBe(2);
  });

  it('is off by default: an entry expires into a miss', async () => {
    const { cache, driver, clock } = cachedMemory({ ttl: TTL });
    await driver.inner.upsert(features, 'a', item('a', 1));
    await cache.get(features, 'a');
    clock.advance(TTL - 1);
    await cache.get(features, 'a');
    await new Promise((resolve) => setImmediate(resolve));
    expect(driver.calls.get).toBe(1);
  });

  it('a failed background reload leaves the entry to expire and reports nothing to the caller', async () => {
    const { cache, driver, backend, clock } = cachedMemory({ ttl: TTL, refreshAhead: 0.5 });
    await driver.inner.upsert(features, 'a', item('a', 1));
    await cache.get(features, 'a');
    backend.setOffline(true);
    clock.advance(TTL * 0.6);
    expect((await cache.get(features, 'a'))?.version).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(TTL * 0.4);
    await expect(cache.get(features, 'a')).rejects.toMatchObject({ code: 'connection' });
  });
});
