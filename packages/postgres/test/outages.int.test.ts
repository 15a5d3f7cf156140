import { describe, expect, it } from 'vitest';
import { expectCode, item } from './support/errors.js';
import { useTableServer } from './support/tableServer.js';

const kind = { namespace: 'features' };
const TIMEOUTS = { connectTimeoutMs: 1_000, commandTimeoutMs: 1_000 };
/** Connect, then the statement, then the client's margin, then scheduling. */
const BOUND_MS = TIMEOUTS.connectTimeoutMs + TIMEOUTS.commandTimeoutMs + 1_000;
const file = useTableServer();
const open = (prefix: string) => file.open({ prefix, ...TIMEOUTS });

/** The time `promise` takes to settle, in ms. */
async function timed(promise: Promise<unknown>): Promise<number> {
  const start = performance.now();
  await promise.catch(() => undefined);
  return performance.now() - start;
}

describe('a frozen server (SIGSTOP)', () => {
  it('fails a sent write with outcome-unknown, a sent read with timeout, a new connection with connection, all within the timeouts', async () => {
    const store = open('frozen');
    const reader = open('frozen');
    await Promise.all([store.upsert(kind, 'a', item('a', 1)), reader.get(kind, 'a')]);
    const live: boolean[] = [];
    const liveSubscription = store.changeFeed.live$.subscribe((value) => live.push(value));
    const events: string[] = [];
    const eventSubscription = store.changeFeed.events$.subscribe((event) =>
      events.push(event.type),
    );
    await expect.poll(() => live.at(-1), { timeout: 5_000 }).toBe(true);
    file.server.pause();
    try {
      // Pooled connections are open: the statements are sent and their answers never come.
      const [write, read] = await Promise.all([
        timed(expectCode(store.upsert(kind, 'a', item('a', 2)), 'outcome-unknown')),
        timed(expectCode(reader.get(kind, 'a'), 'timeout')),
      ]);
      expect(Math.max(write, read)).toBeLessThan(BOUND_MS);
      // Those connections were dropped; a new one waits for a handshake that never comes.
      expect(await timed(expectCode(store.get(kind, 'a'), 'connection'))).toBeLessThan(BOUND_MS);
      expect(await timed(store.isAvailable())).toBeLessThan(BOUND_MS);
      expect(await store.isAvailable()).toBe(false);
      await expect.poll(() => live.at(-1), { timeout: 5_000 }).toBe(false);
    } finally {
      file.server.resume();
    }
    await expect.poll(() => store.isAvailable(), { timeout: 10_000 }).toBe(true);
    expect((await store.get(kind, 'a'))?.version).toBeGreaterThanOrEqual(1);
    await expect.poll(() => live.at(-1), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => events.includes('reset'), { timeout: 5_000 }).toBe(true);
    liveSubscription.unsubscribe();
    eventSubscription.unsubscribe();
  });
});

describe('a restarted server', () => {
  it('turns the feed not live, then live with a reset; operations work again', async () => {
    const store = open('restarted');
    const other = open('restarted');
    await store.upsert(kind, 'a', item('a', 1));
    const live: boolean[] = [];
    const events: string[] = [];
    const subscriptions = [
      store.changeFeed.live$.subscribe((value) => live.push(value)),
      store.changeFeed.events$.subscribe((event) => events.push(event.type)),
    ];
    await expect.poll(() => live.at(-1), { timeout: 5_000 }).toBe(true);
    await file.server.restart();
    await expect.poll(() => events.includes('reset'), { timeout: 10_000 }).toBe(true);
    expect(live).toContain(false);
    expect(live.at(-1)).toBe(true);
    // The pool's connections died with the server: the first use of each may fail, never hang.
    await expect
      .poll(
        () =>
          store.get(kind, 'a').then(
            (got) => got?.version,
            () => -1,
          ),
        { timeout: 10_000 },
      )
      .toBe(1);
    expect(await other.upsert(kind, 'a', item('a', 2))).toEqual({ applied: true });
    await expect.poll(() => events.at(-1), { timeout: 5_000 }).toBe('upsert');
    for (const subscription of subscriptions) subscription.unsubscribe();
  });
});

describe('a server that is down', () => {
  it('fails with connection within the connect timeout', async () => {
    const store = open('down');
    await store.get(kind, 'a');
    await file.server.kill();
    try {
      expect(await timed(expectCode(store.get(kind, 'a'), 'connection'))).toBeLessThan(BOUND_MS);
      const write = store.upsert(kind, 'a', item('a', 1)).catch((error: unknown) => error);
      expect(['connection', 'outcome-unknown']).toContain(
        ((await write) as { code?: string }).code,
      );
    } finally {
      await file.server.restart();
    }
    await expect.poll(() => store.isAvailable(), { timeout: 10_000 }).toBe(true);
  });
});
