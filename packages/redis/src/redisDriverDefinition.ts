import type { DriverDefinition } from '@stowage/core/driver';
import { validateRedisOptions } from './options/parseRedisOptions.js';
import type { RedisDriverOptions } from './RedisDriverOptions.js';

// This module is also the `@stowage/redis/definition` entry: configuration imports it to check
// the `redis` section, so nothing it imports may load ioredis. `load()` brings in the driver.

/** The options of the `redis` section of the configuration: all but the prefix, set at the top. */
export type RedisDriverConfig = Omit<RedisDriverOptions, 'prefix'>;

/** The `STOWAGE_REDIS_*` variables, each with the option (path in the `redis` section) it sets. */
const REDIS_ENVIRONMENT: Readonly<Record<string, string>> = {
  STOWAGE_REDIS_URL: 'url',
  STOWAGE_REDIS_HOST: 'host',
  STOWAGE_REDIS_PORT: 'port',
  STOWAGE_REDIS_USERNAME: 'username',
  STOWAGE_REDIS_PASSWORD: 'password',
  STOWAGE_REDIS_DB: 'db',
  STOWAGE_REDIS_MODE: 'mode',
  STOWAGE_REDIS_TLS: 'tls.enabled',
  STOWAGE_REDIS_TLS_CA: 'tls.ca',
  STOWAGE_REDIS_TLS_CERT: 'tls.cert',
  STOWAGE_REDIS_TLS_KEY: 'tls.key',
  STOWAGE_REDIS_TLS_SERVERNAME: 'tls.servername',
  STOWAGE_REDIS_TLS_REJECT_UNAUTHORIZED: 'tls.rejectUnauthorized',
  STOWAGE_REDIS_CONNECT_TIMEOUT_MS: 'connectTimeoutMs',
  STOWAGE_REDIS_COMMAND_TIMEOUT_MS: 'commandTimeoutMs',
  STOWAGE_REDIS_UPSERT_STRATEGY: 'upsertStrategy',
  STOWAGE_REDIS_TRACK_FOREIGN_WRITES: 'trackForeignWrites',
};

/**
 * Makes the Redis driver selectable by configuration as `driver: 'redis'`, with its options in the
 * `redis` section or in `STOWAGE_REDIS_*` variables. Importable as `@stowage/redis/definition`
 * without loading ioredis: options are checked first, and the driver is loaded only once they are
 * valid.
 */
export const redisDriverDefinition: DriverDefinition<RedisDriverConfig> = {
  name: 'redis',
  environment: REDIS_ENVIRONMENT,
  validateOptions(section) {
    const result = validateRedisOptions(section);
    const prefixGiven = typeof section === 'object' && section !== null && 'prefix' in section;
    if (!prefixGiven) return result;
    // One prefix per store: the top-level `prefix` (STOWAGE_PREFIX), never a second one here.
    const issue = { path: 'prefix', message: 'is set at the top level (prefix, STOWAGE_PREFIX)' };
    return { ok: false, issues: [...(result.ok ? [] : result.issues), issue] };
  },
  async load() {
    const { createRedisDriver } = await import('./createRedisDriver.js');
    return (options, { prefix }) => createRedisDriver({ ...options, prefix });
  },
};
