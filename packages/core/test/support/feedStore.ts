import { createMemoryBackend, createMemoryDriver } from '@stowage/memory';
import { type StoreStatus, type WrapDriverOptions, wrapDriver } from '../../src/index.js';
import { FeedBus, feedDriver } from './FeedDriver.js';

/**
 * A store over a driver with a feed ({@link FeedDriver}), with another writer on the same
 * backend and bus (`other`, announcing its writes as another instance's driver would), a writer
 * that announces nothing (`silent`, like a foreign writer), and the status events seen.
 */
export function feedStore(options: WrapDriverOptions = {}, startLive = true) {
  const backend = createMemoryBackend();
  const bus = new FeedBus();
  const driver = feedDriver(backend, bus, 'feed', startLive);
  const store = wrapDriver(driver, { cache: { ttl: '1m' }, ...options });
  const other = feedDriver(backend, bus, 'feed');
  const silent = createMemoryDriver({ prefix: 'feed', backend });
  const statuses: StoreStatus[] = [];
  store.status$.subscribe((status) => statuses.push(status));
  const feedStates = () => statuses.map((status) => status.feed);
  return { backend, bus, driver, store, other, silent, statuses, feedStates };
}

/** Lets every pending promise callback run (a few turns of the microtask queue). */
export async function drain(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
