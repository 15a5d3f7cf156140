import { type DriverDefinition, REDIS_ENVIRONMENT } from '@stowage/core';
import { createRedisDriver } from './createRedisDriver.js';
import { validateRedisOptions } from './options/parseRedisOptions.js';
import type { RedisDriverOptions } from './RedisDriverOptions.js';

/** The options of the `redis` section of the configuration: all but the prefix, set at the top. */
export type RedisDriverConfig = Omit<RedisDriverOptions, 'prefix'>;

/**
 * Makes the Redis driver selectable by configuration as `driver: 'redis'`, with its options in the
 * `redis` section or in `STOWAGE_REDIS_*` variables.
 */
export const redisDriverDefinition: DriverDefinition<RedisDriverConfig> = {
  name: 'redis',
  // One table, in core, so that configuration knows these variables without loading this package.
  environment: REDIS_ENVIRONMENT,
  validateOptions(section) {
    const result = validateRedisOptions(section);
    const prefixGiven = typeof section === 'object' && section !== null && 'prefix' in section;
    if (!prefixGiven) return result;
    // One prefix per store: the top-level `prefix` (STOWAGE_PREFIX), never a second one here.
    const issue = { path: 'prefix', message: 'is set at the top level (prefix, STOWAGE_PREFIX)' };
    return { ok: false, issues: [...(result.ok ? [] : result.issues), issue] };
  },
  load:
    async () =>
    (options, { prefix }) =>
      createRedisDriver({ ...options, prefix }),
};
