import { HarnessError, HarnessErrorCode } from './HarnessError.js';

/** Where `startRedisServer` runs Redis: a local process (the default) or a container. */
export type RedisProvider = 'process' | 'container';

/** The variable that picks the provider when the options do not. */
export const REDIS_PROVIDER_VARIABLE = 'REDIS_TEST_PROVIDER';

/**
 * The provider to use: the option when given, else `REDIS_TEST_PROVIDER` (`process` or
 * `container`), else `process`. Any other value is an `INVALID_OPTIONS` error, not a silent default.
 */
export function resolveRedisProvider(
  option?: RedisProvider,
  env: NodeJS.ProcessEnv = process.env,
): RedisProvider {
  const value = option ?? (env[REDIS_PROVIDER_VARIABLE] || undefined) ?? 'process';
  if (value !== 'process' && value !== 'container') {
    throw new HarnessError(
      HarnessErrorCode.InvalidOptions,
      `${option === undefined ? REDIS_PROVIDER_VARIABLE : 'provider'} must be "process" or "container", not "${value}"`,
    );
  }
  return value;
}
