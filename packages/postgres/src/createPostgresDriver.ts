import { resolvePostgresSettings } from './connection/postgresSettings.js';
import type { PostgresDataStore } from './PostgresDataStore.js';
import type { PostgresDriverOptions } from './PostgresDriverOptions.js';
import { PostgresStore } from './store/PostgresStore.js';

/**
 * Creates the PostgreSQL driver: a `PersistentDataStore` on one table shared by every store
 * (rows keyed by prefix, kind and key hash), through a bounded pg pool.
 *
 * Options are validated first, completely, into one `StowageConfigError`. Creating the store
 * does no I/O; the first operation connects and checks the table's layout. Every operation fails
 * with a typed `StowageError` within the configured timeouts, and `close()` leaves a pool handed
 * in by the application open.
 *
 * @example
 * const store = createPostgresDriver({ url: 'postgresql://app@db/app', prefix: 'app' });
 */
export function createPostgresDriver(options: PostgresDriverOptions = {}): PostgresDataStore {
  return new PostgresStore(resolvePostgresSettings(options));
}
