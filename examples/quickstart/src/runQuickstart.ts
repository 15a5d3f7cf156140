import {
  createDataStore,
  type DataStore,
  defineKind,
  loadConfig,
  type StowageConfig,
  StowageError,
  type VersionedItem,
} from '@stowage/core';
import { createMemoryBackend } from '@stowage/memory';

/** The items of the demo: feature flags. */
interface Flag extends VersionedItem {
  readonly on: boolean;
  readonly description: string;
}

/** Defined once; the store serializes, caches and freezes flags for us. */
const features = defineKind<Flag>('features');
/** A kind this demo never loads, so reading it needs the backend. */
const segments = defineKind<VersionedItem>('segments');

/**
 * A second instance of the app, as another server of a pool would run it: the same configuration,
 * a cache of its own. It reads a flag (now cached), then this instance changes the flag: the other
 * one hears of it on its change feed, its cache has already dropped the old value, and its next
 * read returns the new one, without waiting for the cache's TTL.
 */
async function showAnotherInstance(
  store: DataStore,
  config: StowageConfig,
  print: (line: string) => void,
): Promise<void> {
  const other = await createDataStore(config);
  try {
    print(
      `instance B reads new-checkout: ${describeFlag(await other.get(features, 'new-checkout'))}`,
    );
    let heard: (() => void) | undefined;
    const changed = new Promise<void>((resolve) => {
      heard = resolve;
    });
    const subscription = other.changesOf(features).subscribe((change) => {
      if (change.type !== 'upsert' || change.key !== 'new-checkout') return;
      print(`instance B hears: ${change.kind.namespace} ${change.key} is now v${change.version}`);
      heard?.();
    });
    const written = await store.upsert(features, {
      key: 'new-checkout',
      version: 3,
      on: false,
      description: 'One-page checkout (paused)',
    });
    print(`instance A writes new-checkout v3: ${written.applied ? 'applied' : 'rejected'}`);
    if (other.status.feed === 'live' || other.status.feed === 'down') {
      await withDeadline(changed, 5_000, 'instance B did not hear of the write');
    }
    subscription.unsubscribe();
    print(
      `instance B reads new-checkout: ${describeFlag(await other.get(features, 'new-checkout'))}`,
    );
  } finally {
    await other.close();
  }
}

/** `promise`, or a rejection after `ms`. */
async function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the quick start needs from the outside world, so a test can run it. */
export interface QuickstartOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Keep running and report status changes until interrupted (for a Redis you stop and start). */
  readonly watch: boolean;
  readonly print: (line: string) => void;
  /** Resolves when a `--watch` run should stop (e.g. on Ctrl-C). */
  readonly stopped?: Promise<void>;
}

const describeFlag = (flag: Flag | undefined) =>
  flag === undefined ? '(none)' : `v${flag.version} ${flag.on ? 'on ' : 'off'} ${flag.description}`;

async function printAll(store: DataStore, print: (line: string) => void): Promise<void> {
  const all = await store.all(features);
  for (const key of [...all.keys()].sort())
    print(`  ${key.padEnd(14)} ${describeFlag(all.get(key))}`);
}

/**
 * The quick start: picks its driver from configuration (memory unless `STOWAGE_DRIVER` says
 * otherwise), loads a few feature flags, changes them, reads them back, and shows the status
 * stream while the backend goes away and comes back.
 */
export async function runQuickstart({ env, watch, print, stopped }: QuickstartOptions) {
  // With memory, the demo keeps the backend so it can take it offline; with Redis it is unused.
  const backend = createMemoryBackend();
  // The backend is the memory driver's option: handed in only when memory is the driver chosen
  // (an option of a driver that is not selected is a configuration error).
  const chosen = await loadConfig({}, { env });
  const config =
    chosen.driver === 'memory' ? await loadConfig({ memory: { backend } }, { env }) : chosen;
  print(`config: ${config}`); // secrets are redacted by the config itself
  const store = await createDataStore(config);
  let whenAvailable: (() => void) | undefined;
  // One event per change of availability or of the change feed's state (`live` while every
  // instance's writes reach this one's cache; `down` while they may not).
  store.status$.subscribe((status) => {
    if (status.available) whenAvailable?.();
    const refresh = status.needsRefresh ? ' (needs refresh: re-init from the source)' : '';
    const reason = status.error === undefined ? '' : ` (${status.error.code})`;
    const backend = status.available ? 'available' : 'unavailable';
    print(`status: ${backend}${reason}, feed ${status.feed}${refresh}`);
  });

  await store.init([
    features.items([
      { key: 'dark-mode', version: 1, on: false, description: 'Dark theme' },
      { key: 'new-checkout', version: 1, on: false, description: 'One-page checkout' },
      { key: 'old-banner', version: 1, on: true, description: 'Legacy promo banner' },
    ]),
  ]);
  print('after init:');
  await printAll(store, print);

  const upserted = await store.upsert(features, {
    key: 'new-checkout',
    version: 2,
    on: true,
    description: 'One-page checkout',
  });
  print(`upsert new-checkout v2: ${upserted.applied ? 'applied' : 'rejected'}`);
  const stale = await store.upsert(features, {
    key: 'new-checkout',
    version: 1,
    on: false,
    description: 'stale write',
  });
  print(
    `upsert new-checkout v1: ${stale.applied ? 'applied' : `rejected, stored is v${stale.current?.version}`}`,
  );
  const deleted = await store.delete(features, 'old-banner', 2);
  print(`delete old-banner v2: ${deleted.applied ? 'applied' : 'rejected'}`);
  print(`get old-banner: ${describeFlag(await store.get(features, 'old-banner'))}`);
  print(`get new-checkout: ${describeFlag(await store.get(features, 'new-checkout'))}`);
  print('after changes:');
  await printAll(store, print);

  await showAnotherInstance(store, config, print);

  if (config.driver === 'memory') {
    print('taking the memory backend offline');
    backend.setOffline(true);
    print(`cached read while offline: ${describeFlag(await store.get(features, 'dark-mode'))}`);
    try {
      await store.get(segments, 'beta-testers');
    } catch (error) {
      print(`uncached read while offline fails: ${StowageError.is(error) ? error.code : error}`);
    }
    // The store polls the backend every 500 ms and announces its return on the status stream.
    const recovered = new Promise<void>((resolve) => {
      whenAvailable = resolve;
    });
    print('bringing the memory backend back');
    backend.setOffline(false);
    // The store's poll never keeps a process alive on its own (a library must not): this app
    // waits on purpose, and gives up after ten seconds.
    await withDeadline(recovered, 10_000, 'the store did not recover');
  } else if (watch) {
    print(
      'watching: stop the server for longer than the connect timeout (5 s by default), then ' +
        'start it again, to see the status change; Ctrl-C to quit',
    );
    // Every tick writes a heartbeat (a write always reaches the server, so an outage shows on the
    // status stream; a shorter outage only delays it, as the store waits for the reconnection)
    // and reads a flag (served from the cache, outage or not).
    const timer = setInterval(() => {
      const heartbeat = { key: 'heartbeat', version: Date.now(), on: true, description: 'alive' };
      store.upsert(features, heartbeat).then(
        () => print(`write: heartbeat v${heartbeat.version}`),
        (error: unknown) => print(`write failed: ${StowageError.is(error) ? error.code : error}`),
      );
      store.get(features, 'new-checkout').then(
        (flag) => print(`read: new-checkout ${describeFlag(flag)}`),
        (error: unknown) => print(`read failed: ${StowageError.is(error) ? error.code : error}`),
      );
    }, 2_000);
    await stopped;
    clearInterval(timer);
  }
  await store.close();
  print('closed');
}
