import { createMemoryBackend, createMemoryDriver } from '@stowage/memory';
import { describe, expect, it } from 'vitest';
import {
  defineKind,
  type ItemCodec,
  jsonItemCodec,
  StowageError,
  StowageSerializationError,
  wrapDriver,
} from '../src/index.js';
import { ControlledDriver } from './support/ControlledDriver.js';
import { type Flag, features, flags, item } from './support/fixtures.js';

const itemOf = (key: string, version: number) => item(key, version, { on: true });

function countingCodec() {
  const json = jsonItemCodec<Flag>();
  const counts = { serialize: 0, deserialize: 0 };
  const codec: ItemCodec<Flag> = {
    serialize: (flag) => {
      counts.serialize += 1;
      return json.serialize(flag);
    },
    deserialize: (text) => {
      counts.deserialize += 1;
      return json.deserialize(text);
    },
  };
  return { codec, counts };
}

function setUp(ttl: number | string = '1m') {
  const backend = createMemoryBackend();
  const driver = new ControlledDriver(createMemoryDriver({ prefix: 'typed', backend }));
  return { backend, driver, store: wrapDriver(driver, { cache: { ttl } }) };
}

describe('the typed store', () => {
  it('reads, writes, deletes and initializes typed items', async () => {
    const { store } = setUp();
    await store.init([
      flags.items([
        { key: 'a', version: 1, on: true },
        { key: 'b', version: 1, on: false },
      ]),
    ]);
    expect(await store.isInitialized()).toBe(true);
    expect(await store.get(flags, 'a')).toEqual({ key: 'a', version: 1, on: true });
    expect(await store.upsert(flags, { key: 'a', version: 2, on: false })).toEqual({
      applied: true,
    });
    expect(await store.delete(flags, 'b', 2)).toEqual({ applied: true });
    expect(await store.get(flags, 'b')).toBeUndefined();
    expect([...(await store.all(flags)).keys()]).toEqual(['a']);
    expect(await store.get(flags, 'a')).toMatchObject({ version: 2, on: false });
  });

  it('rejects an older or same-version delete and says what is stored', async () => {
    const { store } = setUp();
    await store.upsert(flags, { key: 'a', version: 5, on: true });
    expect(await store.delete(flags, 'a', 5)).toEqual({
      applied: false,
      current: { deleted: false, version: 5, item: { key: 'a', version: 5, on: true } },
    });
    expect(await store.delete(flags, 'a', 6)).toEqual({ applied: true });
    expect(await store.upsert(flags, { key: 'a', version: 6, on: true })).toEqual({
      applied: false,
      current: { deleted: true, version: 6 },
    });
    expect(await store.delete(flags, 'never-there', 1)).toEqual({ applied: true });
    expect(await store.raw.get(features, 'never-there')).toMatchObject({ deleted: true });
  });

  it('hands out deep-frozen items, unaffected by changes to what was written', async () => {
    const { store } = setUp();
    const written = { key: 'a', version: 1, on: true, rules: [{ variation: 0 }] };
    await store.upsert(flags, written);
    written.rules[0] = { variation: 9 };
    const read = await store.get(flags, 'a');
    expect(read?.rules?.[0]?.variation).toBe(0);
    expect(Object.isFrozen(read)).toBe(true);
    expect(Object.isFrozen(read?.rules)).toBe(true);
    expect(Object.isFrozen(read?.rules?.[0])).toBe(true);
    expect(() => {
      (read as { on: boolean }).on = false;
    }).toThrow(TypeError);
    expect(await store.get(flags, 'a')).toBe(read);
  });

  it('deserializes nothing on a cache hit', async () => {
    const { store, driver, backend } = setUp();
    const { codec, counts } = countingCodec();
    const counted = defineKind<Flag>('counted', { codec });
    await createMemoryDriver({ prefix: 'typed', backend }).upsert(
      counted,
      'a',
      item('a', 1, { on: true }),
    );
    await store.get(counted, 'a');
    expect(counts.deserialize).toBe(1);
    for (let i = 0; i < 10; i++) await store.get(counted, 'a');
    await store.all(counted);
    const afterAll = counts.deserialize;
    for (let i = 0; i < 10; i++) await store.all(counted);
    expect(counts.deserialize).toBe(afterAll);
    expect(driver.calls).toMatchObject({ get: 1, getAll: 1 });
  });

  it('deserializes on every read with TTL 0 (no cache), and still freezes', async () => {
    const { store } = setUp(0);
    const { codec, counts } = countingCodec();
    const counted = defineKind<Flag>('counted', { codec });
    await store.upsert(counted, { key: 'a', version: 1, on: true });
    const first = await store.get(counted, 'a');
    await store.get(counted, 'a');
    expect(counts.deserialize).toBe(2);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('reports a body its codec cannot read as a serialization error naming kind and key', async () => {
    const { store, backend } = setUp();
    backend.writeRaw('typed', 'features', 'odd', '{"version":1}');
    backend.writeRaw('typed', 'features', 'ok', '{"key":"ok","version":1,"on":true}');
    const error = await store.get(flags, 'odd').catch((caught: unknown) => caught);
    expect(StowageError.is(error, 'serialization')).toBe(true);
    expect((error as Error).message).toContain('"odd"');
    const allError = await store.all(flags).catch((caught: unknown) => caught);
    expect(StowageSerializationError.is(allError)).toBe(true);
    expect((allError as StowageSerializationError).keys).toEqual(['odd']);
    expect([...(allError as StowageSerializationError).parsed.keys()]).toEqual(['ok']);
  });

  it('refuses one namespace used with two codecs', async () => {
    const { store } = setUp();
    await store.get(flags, 'a');
    const again = defineKind<Flag>('features', countingCodec());
    await expect(store.get(again, 'a')).rejects.toMatchObject({ code: 'invalid-kind' });
    // The same default codec is the same kind, however often it is defined.
    expect(await store.get(defineKind<Flag>('features'), 'a')).toBeUndefined();
  });

  it('checks a namespace when the kind is defined', () => {
    expect(() => defineKind('bad:kind')).toThrow(expect.objectContaining({ code: 'invalid-kind' }));
  });

  it('works the same under an infinite TTL', async () => {
    const { store, driver } = setUp('infinite');
    await store.upsert(flags, { key: 'a', version: 1, on: true });
    expect(await store.get(flags, 'a')).toMatchObject({ on: true });
    expect((await store.all(flags)).size).toBe(1);
    expect(driver.calls.get).toBe(0);
  });

  it.each(['1m', 'infinite'])(
    'refuses an item whose deleted flag is not a boolean, caching nothing of it (TTL %s)',
    async (ttl) => {
      const { backend, store } = setUp(ttl);
      const odd = { key: 'a', version: 9, on: true, deleted: 'yes' } as unknown as Flag;
      await expect(store.upsert(flags, odd)).rejects.toMatchObject({ code: 'invalid-descriptor' });
      await expect(store.init([flags.items([odd])])).rejects.toMatchObject({
        code: 'invalid-descriptor',
      });
      backend.setOffline(true);
      await expect(store.upsert(flags, odd)).rejects.toMatchObject({ code: 'invalid-descriptor' });
      backend.setOffline(false);
      expect(await store.get(flags, 'a')).toBeUndefined();
      const fresh = wrapDriver(createMemoryDriver({ prefix: 'typed', backend }));
      expect(await fresh.get(flags, 'a')).toBeUndefined();
      expect(await fresh.isInitialized()).toBe(false);
    },
  );

  it('joins a raw read in flight on the first typed use of a kind: one backend read', async () => {
    const { driver, store } = setUp();
    await driver.inner.upsert(features, 'a', itemOf('a', 1));
    const release = driver.holdNext('get');
    const raw = store.raw.get(features, 'a');
    const typed = store.get(flags, 'a');
    release();
    expect(await raw).toMatchObject({ version: 1, deleted: false });
    expect(await typed).toEqual({ key: 'a', version: 1, on: true });
    expect(driver.calls.get).toBe(1);
    expect(await store.get(flags, 'a')).toBe(await typed);
    expect(driver.calls.get).toBe(1);

    const releaseAll = driver.holdNext('getAll');
    const rawAll = store.raw.getAll(features);
    const typedAll = store.all(flags);
    releaseAll();
    expect((await rawAll).get('a')).toMatchObject({ version: 1 });
    expect((await typedAll).get('a')).toEqual({ key: 'a', version: 1, on: true });
    expect(driver.calls.getAll).toBe(1);
  });
});
