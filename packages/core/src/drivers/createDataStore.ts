import { type LoadConfigOptions, loadConfig } from '../config/loadConfig.js';
import { StowageConfig } from '../config/StowageConfig.js';
import type { StowageConfigInput } from '../config/StowageConfigInput.js';
import type { DataStore } from '../typed/DataStore.js';
import { wrapDriver } from '../typed/wrapDriver.js';

/**
 * The store a validated configuration describes: its driver wrapped in status tracking, the
 * cache and the typed API. Creating it does no I/O (drivers connect lazily).
 */
export function storeFromConfig(config: StowageConfig): DataStore {
  return wrapDriver(config.createDriver(), {
    cache: {
      ttl: config.cache.ttlMs,
      refreshAhead: config.cache.refreshAhead,
      ...(config.cache.maxEntries === undefined ? {} : { maxEntries: config.cache.maxEntries }),
    },
    status: { pollIntervalMs: config.status.pollIntervalMs },
    feed: config.feed,
    readOnly: config.readOnly,
  });
}

/**
 * Creates the application's store from configuration, for apps without dependency injection:
 *
 * ```ts
 * const store = await createDataStore(); // STOWAGE_* variables; memory when none is set
 * const store = await createDataStore({ driver: 'redis', redis: { url: 'redis://localhost:6379' } });
 * const store = await createDataStore({}, { drivers: [redisDriverDefinition] }); // a bundled app
 * ```
 *
 * `config` has the highest precedence, above the environment, a `STOWAGE_CONFIG_FILE` and the
 * defaults (see `loadConfig`). Only the selected driver's package is imported. Rejects with one
 * `StowageConfigError` listing every problem.
 */
export async function createDataStore(
  config: StowageConfigInput | StowageConfig = {},
  options: LoadConfigOptions = {},
): Promise<DataStore> {
  const resolved = config instanceof StowageConfig ? config : await loadConfig(config, options);
  return storeFromConfig(resolved);
}
