import type { DriverDefinition } from '@stowage/core';
import { createRedisDriver } from './createRedisDriver.js';
import { validateRedisOptions } from './options/validateRedisOptions.js';
import type { RedisDriverOptions } from './RedisDriverOptions.js';

/** The options of the `redis` section of the configuration: all but the prefix, set at the top. */
export type RedisDriverConfig = Omit<RedisDriverOptions, 'prefix'>;

/**
 * Makes the Redis driver selectable by configuration as `driver: 'redis'`, with its options in the
 * `redis` section or in `STOWAGE_REDIS_*` variables.
 */
export const redisDriverDefinition: DriverDefinition<RedisDriverConfig> = {
  name: 'redis',
  environment: {
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
  },
  validateOptions(section) {
    const result = validateRedisOptions(section);
    const prefixGiven = typeof section === 'object' && section !== null && 'prefix' in section;
    if (!prefixGiven) return result;
    // One prefix per store: the top-level `prefix` (STOWAGE_PREFIX), never a second one here.
    const issue = { path: 'prefix', message: 'is set at the top level (prefix, STOWAGE_PREFIX)' };
    return { ok: false, issues: [...(result.ok ? [] : result.issues), issue] };
  },
  create: (options, { prefix }) => createRedisDriver({ ...options, prefix }),
};
