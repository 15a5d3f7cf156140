import {
  type DataStore,
  defineKind,
  type StoreStatus,
  type VersionedItem,
  type WrapDriverOptions,
  wrapDriver,
} from '@stowage/core';
import { createRedisDriver, type RedisDriverOptions } from '../../src/index.js';

// A pool of application instances for the feed's tests: stores as applications get them
// (wrapDriver over a driver of their own, so each has its own connections and cache), with the
// statuses each reported, and bounded waits on what the pool sees.

/** The items of the pool's tests. */
export interface Flag extends VersionedItem {
  readonly on: boolean;
}
export const flags = defineKind<Flag>('features');
export const flag = (key: string, version: number, on = false): Flag => ({ key, version, on });

/** How long an instance may take to reconnect and apply its reset (a restart, a failover). */
export const RECOVERY_MS = 30_000;

/** One instance: its store and every status it reported. */
export interface PoolInstance {
  readonly store: DataStore;
  readonly statuses: StoreStatus[];
}

/** Opens an instance; `opened` collects it for closing. */
export function openInstance(
  opened: DataStore[],
  options: RedisDriverOptions,
  wrap: WrapDriverOptions = { cache: { ttl: 'infinite' } },
): PoolInstance {
  const store = wrapDriver(createRedisDriver(options), {
    status: { pollIntervalMs: 100 },
    ...wrap,
  });
  opened.push(store);
  const statuses: StoreStatus[] = [];
  store.status$.subscribe((status) => statuses.push(status));
  return { store, statuses };
}

/** Resolves once `check` holds (polled every 10 ms); rejects naming `what` after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function versionOf(store: DataStore, key: string): Promise<number | undefined> {
  return (await store.get(flags, key))?.version;
}

/** Waits until every instance reads `version` for `key`, failures (an outage) retried. */
export async function converged(
  stores: ReadonlyArray<DataStore>,
  key: string,
  version: number,
  ms = RECOVERY_MS,
) {
  for (const store of stores) {
    await until(
      () =>
        versionOf(store, key).then(
          (seen) => seen === version,
          () => false,
        ),
      ms,
      `${key} at v${version}`,
    );
  }
}

/** The feed states an instance reported from `from` on (repeats removed). */
export function feedStates(statuses: ReadonlyArray<StoreStatus>, from: number): string[] {
  const states: string[] = [];
  for (const { feed } of statuses.slice(from)) if (states.at(-1) !== feed) states.push(feed);
  return states;
}

/** Where each instance's status history stands now, for {@link everyInstanceReset}. */
export function marks(pool: ReadonlyArray<PoolInstance>): number[] {
  return pool.map(({ statuses }) => statuses.length);
}

/** Waits until every instance has been live and reported its feed down since `from`, live again. */
export async function everyInstanceReset(
  pool: ReadonlyArray<PoolInstance>,
  from: ReadonlyArray<number>,
  ms = RECOVERY_MS,
) {
  await until(
    () =>
      pool.every(
        ({ store, statuses }, i) =>
          store.status.feed === 'live' && feedStates(statuses, from[i]!).includes('down'),
      ),
    ms,
    'every instance reset',
  );
}

/** Waits until every instance's feed is live. */
export async function allLive(pool: ReadonlyArray<PoolInstance>, ms = RECOVERY_MS) {
  await until(() => pool.every(({ store }) => store.status.feed === 'live'), ms, 'every feed live');
}

/**
 * Three instances on `options`, each holding `f` at v1 in its infinite-TTL cache, every feed live:
 * a pool about to meet a gap. Returns the pool and where each status history stood.
 */
export async function poolBeforeGap(
  opened: DataStore[],
  options: RedisDriverOptions,
): Promise<{ pool: PoolInstance[]; before: number[] }> {
  const pool = [0, 1, 2].map(() => openInstance(opened, options));
  for (const { store } of pool) await store.isInitialized();
  await allLive(pool);
  await pool[0]!.store.init([flags.items([flag('f', 1)])]);
  for (const { store } of pool) await converged([store], 'f', 1);
  return { pool, before: marks(pool) };
}

/**
 * After the gap: every instance reported its reset and is live again, a write made afterwards
 * (retried while the deployment settles) reaches every instance's cache.
 */
export async function poolAfterGap(pool: ReadonlyArray<PoolInstance>, before: number[]) {
  await everyInstanceReset(pool, before);
  const writer = pool[0]!.store;
  await until(
    () =>
      writer.upsert(flags, flag('f', 2, true)).then(
        () => true,
        () => false,
      ),
    RECOVERY_MS,
    'a write after the gap',
  );
  await converged(
    pool.map(({ store }) => store),
    'f',
    2,
  );
}
