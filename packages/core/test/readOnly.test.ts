import { createMemoryBackend, createMemoryDriver } from '@stowage/memory';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDataStore, type Duration, wrapDriver } from '../src/index.js';
import { ControlledDriver } from './support/ControlledDriver.js';
import { features, flags, item, segments } from './support/fixtures.js';

function readOnlyStore(ttl: Duration) {
  const backend = createMemoryBackend();
  const driver = new ControlledDriver(createMemoryDriver({ prefix: 'ro', backend }));
  const store = wrapDriver(driver, { cache: { ttl }, readOnly: true });
  const writer = createMemoryDriver({ prefix: 'ro', backend });
  return { backend, driver, store, writer };
}

// A read-only (daemon) instance reads a store another process fills: its writes are refused
// before anything reaches the driver.
describe('read-only mode', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  for (const ttl of [0, '30s', 'infinite'] as const) {
    it(`refuses init, upsert and delete, typed and raw, sending nothing (TTL ${ttl})`, async () => {
      const { driver, store, writer } = readOnlyStore(ttl);
      await writer.upsert(features, 'a', item('a', 1));
      const refused = { code: 'read-only' };
      await expect(store.upsert(flags, { key: 'a', version: 2, on: true })).rejects.toMatchObject(
        refused,
      );
      await expect(store.delete(flags, 'a', 2)).rejects.toMatchObject(refused);
      await expect(store.init([flags.items([])])).rejects.toMatchObject(refused);
      await expect(store.raw.upsert(features, 'a', item('a', 2))).rejects.toMatchObject(refused);
      await expect(store.raw.init([])).rejects.toMatchObject(refused);
      expect(driver.calls).toMatchObject({ init: 0, upsert: 0 });
      expect(await store.get(flags, 'a')).toMatchObject({ version: 1 });
      expect(store.status.available).toBe(true);
    });
  }

  it('never writes an infinite-TTL cache back after an outage, and forgets it instead', async () => {
    vi.useFakeTimers();
    const { backend, driver, store, writer } = readOnlyStore('infinite');
    await writer.init([{ kind: features, items: [['a', item('a', 1)]] }]);
    expect((await store.all(flags)).size).toBe(1);
    backend.setOffline(true);
    backend.clearPrefix('ro');
    await expect(store.raw.get(segments, 'zz')).rejects.toMatchObject({ code: 'connection' });
    backend.setOffline(false);
    await vi.advanceTimersByTimeAsync(500);
    expect(store.status).toMatchObject({ available: true, needsRefresh: true });
    expect(driver.calls).toMatchObject({ init: 0, upsert: 0 });
    expect(await writer.get(features, 'a')).toBeUndefined();
    expect((await store.all(flags)).size).toBe(0);
  });

  it('is set by configuration', async () => {
    const store = await createDataStore({ readOnly: true }, { env: {} });
    await expect(store.upsert(flags, { key: 'a', version: 1, on: true })).rejects.toMatchObject({
      code: 'read-only',
    });
    await store.close();
  });
});
