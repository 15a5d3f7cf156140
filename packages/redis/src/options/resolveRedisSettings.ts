import type { RedisDriverOptions } from '../RedisDriverOptions.js';
import { readValidRedisOptions } from './parseRedisOptions.js';
import type { RedisSettings } from './redisSettings.js';

export type {
  ClusterSettings,
  RedisEndpointSettings,
  RedisSettings,
  SentinelSettings,
} from './redisSettings.js';

/**
 * The settings the driver runs with: the options validated (as `parseRedisOptions` does, so that
 * a driver called directly checks what it is given), with what the URL says and the defaults
 * folded in. Throws one `StowageConfigError` listing every problem.
 */
export function resolveRedisSettings(options: RedisDriverOptions): RedisSettings {
  return readValidRedisOptions(options).settings;
}
