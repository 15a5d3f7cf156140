import { describe, expect, it } from 'vitest';
import { cachedMemory, features, item } from './support/fixtures.js';

// A read that started before a write of this instance must never put its older answer into the
// cache once the write is done (it would resurrect the old value for a whole TTL).
describe('CachingDataStore races', () => {
  it('an in-flight miss racing an upsert does not bring back the old version', async () => {
    const { cache, driver } = cachedMemory({ ttl: 60_000 });
    await driver.inner.upsert(features, 'a', item('a', 1));
    const release = driver.holdNext('get');
    const read = cache.get(features, 'a');
    await cache.upsert(features, 'a', item('a', 2));
    release();
    expect((await read)?.version).toBe(1); // it started before the write: either answer is fair
    expect((await cache.get(features, 'a'))?.version).toBe(2);
    expect(driver.calls.get).toBe(1);
  });

  it('an in-flight "not found" racing an upsert does not hide the new item', async () => {
    const { cache, driver } = cachedMemory({ ttl: 60_000 });
    const release = driver.holdNext('get');
    const read = cache.get(features, 'a');
    await cache.upsert(features, 'a', item('a', 1));
    release();
    expect(await read).toBeUndefined();
    expect((await cache.get(features, 'a'))?.version).toBe(1);
  });

  it('a caller arriving after the write does not join the older in-flight read', async () => {
    const { cache, driver } = cachedMemory({ ttl: 60_000 });
    await driver.inner.upsert(features, 'a', item('a', 1));
    const release = driver.holdNext('get');
    const early = cache.get(features, 'a');
    await cache.upsert(features, 'a', item('a', 2));
    const late = cache.get(features, 'a');
    expect((await late)?.version).toBe(2);
    release();
    await early;
  });

  it('an in-flight getAll racing an upsert caches neither its old item nor a stale whole kind', async () => {
    const { cache, driver } = cachedMemory({ ttl: 60_000 });
    await driver.inner.upsert(features, 'a', item('a', 1));
    const release = driver.holdNext('getAll');
    const read = cache.getAll(features);
    await cache.upsert(features, 'a', item('a', 2));
    await cache.upsert(features, 'b', item('b', 1));
    release();
    expect((await read).get('a')?.version).toBe(1);
    expect((await cache.get(features, 'a'))?.version).toBe(2);
    const all = await cache.getAll(features);
    expect([...all].map(([key, d]) => [key, d.version])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(driver.calls.getAll).toBe(2);
  });

  it('an in-flight read racing an init does not bring back what init removed', async () => {
    const { cache, driver } = cachedMemory({ ttl: 60_000 });
    await driver.inner.upsert(features, 'a', item('a', 7));
    const release = driver.holdNext('get');
    const read = cache.get(features, 'a');
    await cache.init([{ kind: features, items: [] }]);
    release();
    expect((await read)?.version).toBe(7);
    expect(await cache.get(features, 'a')).toBeUndefined();
    expect(driver.calls.get).toBe(1);
  });

  it('an older read answering after a newer write never lowers the cached version', async () => {
    const { cache, driver } = cachedMemory({ ttl: 60_000 });
    await driver.inner.upsert(features, 'a', item('a', 1));
    const release = driver.holdNext('get');
    const read = cache.get(features, 'a');
    await Promise.all([
      cache.upsert(features, 'a', item('a', 3)),
      cache.upsert(features, 'a', item('a', 2)),
    ]);
    release();
    await read;
    expect((await cache.get(features, 'a'))?.version).toBe(3);
  });
});
