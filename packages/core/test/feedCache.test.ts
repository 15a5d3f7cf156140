import { describe, expect, it } from 'vitest';
import { StowageError } from '../src/index.js';
import { drain, feedStore } from './support/feedStore.js';
import { features, flags, item, segments } from './support/fixtures.js';

// The cache follows the driver's change feed: each event drops exactly what it makes stale.
describe('the cache and the change feed', () => {
  it('does no I/O when created, and follows the feed from the first operation', async () => {
    const { driver, store, feedStates } = feedStore();
    expect(driver.listeners).toBe(0);
    expect(store.status.feed).toBe('down');
    await store.get(flags, 'a');
    expect(driver.listeners).toBe(1);
    expect(feedStates()).toEqual(['down', 'live']);
    // The first read, which started the feed, is cached already.
    await store.get(flags, 'a');
    expect(driver.calls.get).toBe(1);
  });

  it("drops an entry another instance's write made stale", async () => {
    const { driver, store, other } = feedStore();
    await other.upsert(features, 'a', item('a', 1));
    expect(await store.get(flags, 'a')).toMatchObject({ version: 1 });
    await other.upsert(features, 'a', item('a', 2));
    expect(await store.get(flags, 'a')).toMatchObject({ version: 2 });
    expect(driver.calls.get).toBe(2);
    expect(await store.get(flags, 'a')).toMatchObject({ version: 2 });
    expect(driver.calls.get).toBe(2);
  });

  it('keeps its own write, announced before it was acknowledged', async () => {
    const { driver, store } = feedStore();
    expect(await store.get(flags, 'a')).toBeUndefined();
    await store.upsert(flags, { key: 'a', version: 2, on: true });
    expect(await store.get(flags, 'a')).toMatchObject({ version: 2, on: true });
    expect(driver.calls.get).toBe(1);
  });

  it('keeps an entry at least as new as the event', async () => {
    const { driver, store, other } = feedStore();
    await other.upsert(features, 'a', item('a', 3));
    await store.get(flags, 'a');
    driver.emit({ type: 'upsert', kind: features, key: 'a', version: 3, deleted: false });
    driver.emit({ type: 'upsert', kind: features, key: 'a', version: 2, deleted: false });
    expect(await store.get(flags, 'a')).toMatchObject({ version: 3 });
    expect(driver.calls.get).toBe(1);
  });

  it('stops holding a kind whole when a key is written by another, not by itself', async () => {
    const { driver, store, other } = feedStore();
    await other.upsert(features, 'a', item('a', 1));
    expect([...(await store.all(flags)).keys()]).toEqual(['a']);
    await store.upsert(flags, { key: 'b', version: 1, on: true });
    expect([...(await store.all(flags)).keys()].sort()).toEqual(['a', 'b']);
    expect(driver.calls.getAll).toBe(1);
    await other.upsert(features, 'c', item('c', 1));
    expect([...(await store.all(flags)).keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(driver.calls.getAll).toBe(2);
    // A key missing from the kind held whole is no longer known absent either.
    await other.upsert(features, 'd', item('d', 1));
    expect(await store.get(flags, 'd')).toMatchObject({ version: 1 });
  });

  it("forgets a kind on another instance's init and on a kind event, not on its own init", async () => {
    const { driver, store, other } = feedStore();
    await store.init([flags.items([{ key: 'a', version: 1, on: true }])]);
    expect(await store.get(flags, 'a')).toMatchObject({ version: 1 });
    expect(driver.calls.get).toBe(0);
    await other.init([{ kind: features, items: [['a', item('a', 5)]] }]);
    expect(await store.get(flags, 'a')).toMatchObject({ version: 5 });
    expect(driver.calls.get).toBe(1);
    await store.raw.get(segments, 's');
    driver.emit({ type: 'kind', kind: features });
    await store.get(flags, 'a');
    await store.raw.get(segments, 's');
    expect(driver.calls.get).toBe(3); // features read again, segments still cached
  });

  it('a read in flight when another write is announced does not cache its older answer', async () => {
    const { driver, store, other } = feedStore();
    await other.upsert(features, 'a', item('a', 1));
    await store.get(flags, 'b'); // the feed is live
    const release = driver.holdNext('get');
    const read = store.get(flags, 'a');
    await other.upsert(features, 'a', item('a', 2));
    release();
    expect(await read).toMatchObject({ version: 1 }); // it started before the write
    expect(await store.get(flags, 'a')).toMatchObject({ version: 2 });
  });

  it('a whole-kind read in flight when a write is announced is not kept as the kind', async () => {
    const { driver, store, other } = feedStore();
    await store.get(flags, 'x');
    const release = driver.holdNext('getAll');
    const read = store.all(flags);
    await other.upsert(features, 'b', item('b', 1));
    release();
    expect((await read).size).toBe(0);
    expect([...(await store.all(flags)).keys()]).toEqual(['b']);
    expect(driver.calls.getAll).toBe(2);
  });

  it("its own write acknowledged after another's newer write was announced is not cached", async () => {
    const { driver, store, other } = feedStore();
    await store.get(flags, 'a');
    const release = driver.holdNext('upsert');
    const write = store.upsert(flags, { key: 'a', version: 2, on: true });
    await drain();
    await other.upsert(features, 'a', item('a', 3));
    release();
    expect((await write).applied).toBe(true);
    expect(await store.get(flags, 'a')).toMatchObject({ version: 3 });
  });

  it('an init does not cache items of keys another instance wrote while it was in flight', async () => {
    const { driver, store, other } = feedStore();
    await store.get(flags, 'x');
    const release = driver.holdNext('init');
    const init = store.init([
      flags.items([
        { key: 'a', version: 1, on: false },
        { key: 'b', version: 1, on: false },
      ]),
    ]);
    await drain();
    await other.upsert(features, 'a', item('a', 2, { on: true }));
    release();
    await init;
    expect(await store.get(flags, 'a')).toMatchObject({ version: 2, on: true });
    expect(await store.get(flags, 'b')).toMatchObject({ version: 1 });
    expect(driver.calls.get).toBe(2); // x, then a; b was primed
  });

  it("an init does not cache a kind another instance's init replaced while it was in flight", async () => {
    const { driver, store, other } = feedStore();
    await store.get(flags, 'x');
    const release = driver.holdNext('init');
    const init = store.init([flags.items([{ key: 'a', version: 1, on: false }])]);
    await drain();
    await other.init([{ kind: features, items: [['a', item('a', 5, { on: true })]] }]);
    release();
    await init;
    expect(await store.get(flags, 'a')).toMatchObject({ version: 5, on: true });
  });

  it('forgets a key whose write was announced though its answer was lost', async () => {
    const { driver, store, other } = feedStore();
    await other.upsert(features, 'a', item('a', 1));
    await store.get(flags, 'a');
    const upsert = driver.inner.upsert.bind(driver.inner);
    driver.inner.upsert = async (kind, key, descriptor) => {
      await upsert(kind, key, descriptor);
      driver.emit({
        type: 'upsert',
        kind,
        key,
        version: descriptor.version,
        deleted: false,
        own: true,
      });
      throw new StowageError('outcome-unknown', 'the answer was lost');
    };
    await expect(store.upsert(flags, { key: 'a', version: 2, on: true })).rejects.toMatchObject({
      code: 'outcome-unknown',
    });
    expect(await store.get(flags, 'a')).toMatchObject({ version: 2 });
  });

  it('forgets the kinds of an init whose outcome is unknown', async () => {
    const { driver, store, other } = feedStore();
    await other.upsert(features, 'a', item('a', 1));
    await store.get(flags, 'a');
    const init = driver.inner.init.bind(driver.inner);
    driver.inner.init = async () => {
      await init([{ kind: features, items: [['a', item('a', 7)]] }]);
      throw Object.assign(new Error('lost'), {});
    };
    await expect(store.init([{ kind: features, items: [['a', item('a', 7)]] }])).rejects.toThrow(
      'lost',
    );
    expect(await store.get(flags, 'a')).toMatchObject({ version: 7 });
  });
});
