import { StowageConfigError } from '@stowage/core';
import type { RedisDriverOptions } from '../RedisDriverOptions.js';
import { validateRedisOptions } from './validateRedisOptions.js';

/**
 * Validates options of the Redis driver (string forms of numbers and booleans accepted) and returns
 * them converted, or throws one `StowageConfigError` listing every problem with its path.
 */
export function parseRedisOptions(input: unknown): RedisDriverOptions {
  const result = validateRedisOptions(input);
  if (!result.ok) throw new StowageConfigError('Invalid Redis driver options', result.issues);
  return result.options;
}
