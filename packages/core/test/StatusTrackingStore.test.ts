import { createMemoryBackend, createMemoryDriver } from '@stowage/memory';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type StoreStatus, StowageError, wrapDriver } from '../src/index.js';
import { ControlledDriver } from './support/ControlledDriver.js';
import { features, flags, item } from './support/fixtures.js';

function setUp(ttl: number | string = 0, pollIntervalMs?: number) {
  const backend = createMemoryBackend();
  const driver = new ControlledDriver(createMemoryDriver({ prefix: 'status', backend }));
  const store = wrapDriver(driver, {
    cache: { ttl },
    status: pollIntervalMs === undefined ? {} : { pollIntervalMs },
  });
  const events: StoreStatus[] = [];
  store.status$.subscribe((status) => events.push(status));
  return { backend, driver, store, events };
}

describe('availability status', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts available and tells a subscriber at once', () => {
    const { events, store } = setUp();
    expect(events).toEqual([expect.objectContaining({ available: true, needsRefresh: false })]);
    expect(store.status.available).toBe(true);
  });

  it('flips once on the first failures, polls every 500 ms, and only the poll flips it back', async () => {
    const { backend, driver, store, events } = setUp();
    backend.setOffline(true);
    for (let i = 0; i < 5; i++) {
      await expect(store.get(flags, 'a')).rejects.toMatchObject({ code: 'connection' });
    }
    expect(events.map((e) => e.available)).toEqual([true, false]);
    expect(StowageError.is(events[1]?.error, 'connection')).toBe(true);
    await vi.advanceTimersByTimeAsync(499);
    expect(driver.calls.isAvailable).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(driver.calls.isAvailable).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(driver.calls.isAvailable).toBe(3);

    backend.setOffline(false);
    // A call that succeeds does not announce recovery: the poll does.
    expect(await store.get(flags, 'a')).toBeUndefined();
    expect(events.map((e) => e.available)).toEqual([true, false]);
    await vi.advanceTimersByTimeAsync(500);
    expect(events.map((e) => e.available)).toEqual([true, false, true]);
    // No cache: writes made during the outage were lost, so the data source should refresh.
    expect(events[2]).toMatchObject({ available: true, needsRefresh: true });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(driver.calls.isAvailable).toBe(4);
    expect(events).toHaveLength(3);
  });

  it('uses the configured poll interval', async () => {
    const { backend, driver, store } = setUp(0, 2_000);
    backend.setOffline(true);
    await store.isInitialized().catch(() => undefined);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(driver.calls.isAvailable).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(driver.calls.isAvailable).toBe(1);
  });

  it('ignores failures that do not mean the backend is gone', async () => {
    const { backend, store, events } = setUp();
    backend.writeRaw('status', 'features', 'corrupt', 'not json');
    await expect(store.get(flags, 'corrupt')).rejects.toMatchObject({ code: 'serialization' });
    await expect(store.get(flags, '')).rejects.toMatchObject({ code: 'invalid-key' });
    await expect(store.raw.upsert(features, 'a', item('a', -1))).rejects.toMatchObject({
      code: 'invalid-descriptor',
    });
    await store.close();
    await expect(store.get(flags, 'a')).rejects.toMatchObject({ code: 'closed' });
    expect(events.map((e) => e.available)).toEqual([true]);
  });

  it('announces recovery with needsRefresh under a finite TTL, serving cached reads meanwhile', async () => {
    const { backend, store, events } = setUp('1m');
    await store.upsert(flags, { key: 'a', version: 1, on: true });
    backend.setOffline(true);
    expect(await store.get(flags, 'a')).toMatchObject({ version: 1 });
    await expect(store.get(flags, 'b')).rejects.toMatchObject({ code: 'connection' });
    expect(await store.get(flags, 'a')).toMatchObject({ version: 1 });
    backend.setOffline(false);
    await vi.advanceTimersByTimeAsync(500);
    expect(events.map((e) => [e.available, e.needsRefresh])).toEqual([
      [true, false],
      [false, false],
      [true, true],
    ]);
  });

  it('stops polling and completes the stream on close', async () => {
    const { backend, driver, store } = setUp();
    let completed = false;
    store.status$.subscribe({ complete: () => (completed = true) });
    backend.setOffline(true);
    await store.get(flags, 'a').catch(() => undefined);
    await store.close();
    expect(completed).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(driver.calls.isAvailable).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('availability status with real timers', () => {
  it('never keeps the process alive while it polls', async () => {
    const created: NodeJS.Timeout[] = [];
    const original = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((
      callback: () => void,
      ms?: number,
    ) => {
      const timer = original(callback, ms);
      if (ms === 20) created.push(timer);
      return timer;
    }) as typeof setTimeout);
    const { backend, store } = setUp(0, 20);
    backend.setOffline(true);
    await store.get(flags, 'a').catch(() => undefined);
    await vi.waitFor(() => expect(created.length).toBeGreaterThan(1));
    expect(created.every((timer) => !timer.hasRef())).toBe(true);
    backend.setOffline(false);
    await vi.waitFor(() => expect(store.status.available).toBe(true));
    spy.mockRestore();
    await store.close();
  });
});
