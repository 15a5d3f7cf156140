import { createMemoryBackend, createMemoryDriver } from '@stowage/memory';
import { describe, expect, it } from 'vitest';
import { defineKind, type ItemCodec, jsonItemCodec, wrapDriver } from '../src/index.js';
import { ControlledDriver } from './support/ControlledDriver.js';
import { type Flag, features, item } from './support/fixtures.js';

// A whole kind is converted and cached in slices that give the event loop a turn, so other calls
// land in the middle of a fill. Whatever lands there must win as it would against an atomic fill:
// a write, an init, and a read that answers after an init's data was stored.

const COUNT = 1_024;
const keyAt = (i: number) => `k${String(i).padStart(4, '0')}`;
const LAST = keyAt(COUNT - 1);

// 0.05 ms per item: a slice (8 ms, the clock checked every 256 items) ends after 256 items.
function slowCodec() {
  const json = jsonItemCodec<Flag>();
  const counts = { deserialize: 0 };
  const codec: ItemCodec<Flag> = {
    serialize: (flag) => json.serialize(flag),
    deserialize: (text) => {
      counts.deserialize += 1;
      const until = performance.now() + 0.05;
      while (performance.now() < until) {}
      return json.deserialize(text);
    },
  };
  return { codec, counts };
}

function setUp() {
  const backend = createMemoryBackend();
  const driver = new ControlledDriver(createMemoryDriver({ prefix: 'fill', backend }));
  const store = wrapDriver(driver, { cache: { ttl: '1h' } });
  const { codec, counts } = slowCodec();
  const slow = defineKind<Flag>('features', { codec });
  const flags = Array.from({ length: COUNT }, (_, i) => ({ key: keyAt(i), version: 1, on: true }));
  const other = createMemoryDriver({ prefix: 'fill', backend });
  return { driver, store, slow, counts, flags, other };
}

/** Waits until a fill has run its first slice and yielded, and checks it is not done. */
async function midFill(counts: { deserialize: number }, from: number, total: number) {
  while (counts.deserialize === from) await new Promise((resolve) => setImmediate(resolve));
  expect(counts.deserialize - from).toBeLessThan(total);
}

describe('a chunked fill of the cache', () => {
  it('gives other callbacks turns while it fills a large kind', async () => {
    const { store, slow, flags, other } = setUp();
    await other.init([slow.items(flags)]);
    let turns = 0;
    const ticker = setInterval(() => {
      turns += 1;
    }, 0);
    try {
      expect((await store.all(slow)).size).toBe(COUNT);
    } finally {
      clearInterval(ticker);
    }
    expect(turns).toBeGreaterThan(0);
  });

  it('keeps a write that lands during a fill from getAll, and the kind stays whole', async () => {
    const { driver, store, slow, counts, flags, other } = setUp();
    await other.init([slow.items(flags)]);
    const all = store.all(slow);
    await midFill(counts, 0, COUNT);
    expect(await store.upsert(slow, { key: LAST, version: 2, on: false })).toEqual({
      applied: true,
    });
    expect((await all).get(LAST)).toMatchObject({ version: 1 }); // it started before the write
    expect(await store.get(slow, LAST)).toMatchObject({ version: 2, on: false });
    expect((await store.all(slow)).get(LAST)).toMatchObject({ version: 2 });
    expect(driver.calls).toMatchObject({ get: 0, getAll: 1 });
  });

  it('lets an init that lands during a fill from getAll replace the kind', async () => {
    const { driver, store, slow, counts, flags, other } = setUp();
    await other.init([slow.items(flags)]);
    const all = store.all(slow);
    await midFill(counts, 0, COUNT);
    await store.init([slow.items([{ key: LAST, version: 7, on: false }])]);
    await all;
    expect(await store.get(slow, keyAt(0))).toBeUndefined();
    expect(await store.get(slow, LAST)).toMatchObject({ version: 7 });
    expect([...(await store.all(slow)).keys()]).toEqual([LAST]);
    expect(driver.calls).toMatchObject({ get: 0, getAll: 1 });
  });

  it('keeps a write that lands while an init primes the cache, and the kind stays whole', async () => {
    const { driver, store, slow, counts, flags } = setUp();
    // The typed init serializes with the codec; priming deserializes, slowly.
    const init = store.init([slow.items(flags)]);
    await midFill(counts, 0, COUNT);
    expect(await store.upsert(slow, { key: LAST, version: 2, on: false })).toEqual({
      applied: true,
    });
    await init;
    expect(await store.get(slow, LAST)).toMatchObject({ version: 2, on: false });
    expect((await store.all(slow)).size).toBe(COUNT);
    expect(driver.calls).toMatchObject({ get: 0, getAll: 0 });
  });

  it('keeps what a read answered during the priming of an init over the init data', async () => {
    const { driver, store, slow, counts, flags, other } = setUp();
    const init = store.init([slow.items(flags)]);
    await midFill(counts, 0, COUNT);
    // Another instance writes after the init; this instance reads it before priming gets there.
    await other.upsert(features, LAST, item(LAST, 9, { on: false }));
    expect(await store.get(slow, LAST)).toMatchObject({ version: 9 });
    await init;
    expect(await store.get(slow, LAST)).toMatchObject({ version: 9 });
    expect(driver.calls.get).toBe(1);
  });

  it('lets an init that lands while an init primes the cache replace the kind', async () => {
    const { driver, store, slow, counts, flags } = setUp();
    const first = store.init([slow.items(flags)]);
    await midFill(counts, 0, COUNT);
    await store.init([slow.items([{ key: keyAt(0), version: 3, on: false }])]);
    await first;
    expect([...(await store.all(slow)).values()]).toEqual([
      { key: keyAt(0), version: 3, on: false },
    ]);
    expect(await store.get(slow, LAST)).toBeUndefined();
    expect(driver.calls).toMatchObject({ get: 0, getAll: 0 });
  });
});
