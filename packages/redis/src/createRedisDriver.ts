import { resolveRedisSettings } from './options/resolveRedisSettings.js';
import type { RedisDataStore } from './RedisDataStore.js';
import type { RedisDriverOptions } from './RedisDriverOptions.js';
import { RedisStore } from './store/RedisStore.js';
import { createTopology } from './topology/createTopology.js';

/**
 * Creates the Redis driver: a `PersistentDataStore` on ioredis, using the key layout other writers
 * of the schema share (`P:KIND` hashes, `P:$inited` marker).
 *
 * Options are validated first, completely: every problem is reported at once, with its path, in
 * one `StowageConfigError`. Creating the store does no I/O; the first operation connects. Every
 * operation fails with a typed `StowageError` within the configured timeouts, and `close()` leaves
 * a client handed in by the application open.
 *
 * @example
 * const store = createRedisDriver({ url: 'redis://localhost:6379', prefix: 'app' });
 */
export function createRedisDriver(options: RedisDriverOptions = {}): RedisDataStore {
  const settings = resolveRedisSettings(options);
  return new RedisStore(settings, createTopology(settings));
}
