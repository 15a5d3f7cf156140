import { type ConfigIssue, StowageConfigError } from '@stowage/core';
import type { DriverOptionsResult } from '@stowage/core/driver';
import { REDIS_DEFAULTS, type RedisDriverOptions } from '../RedisDriverOptions.js';
import { isRecord } from './optionFields.js';
import { isConnectionString, parseConnectionString } from './parseConnectionString.js';
import { parseRedisUrl } from './parseRedisUrl.js';
import {
  MODES,
  OPTION_NAMES,
  REDIS_OPTION_SCHEMAS,
  type ReadRedisOptions,
  type UrlReading,
} from './redisOptionSchemas.js';

/** Reads the `url` option, whatever its form, once. */
function readUrl(value: unknown): UrlReading {
  if (typeof value !== 'string' || value === '') {
    return { text: '', form: undefined, parts: 'must be a non-empty string' };
  }
  return isConnectionString(value)
    ? { text: value, form: 'connection string', parts: parseConnectionString(value) }
    : { text: value, form: 'URL', parts: parseRedisUrl(value) };
}

/**
 * Validates options of the Redis driver in one pass: the URL is read, the mode it or the `mode`
 * option names picks the schema, and the schema checks everything and yields the settings.
 */
export function readRedisOptions(
  input: unknown,
): ({ readonly ok: true } & ReadRedisOptions) | { readonly ok: false; issues: ConfigIssue[] } {
  const section = input === undefined ? {} : input;
  if (!isRecord(section)) {
    return { ok: false, issues: [{ path: '', message: 'must be an object of options' }] };
  }
  // An option set to undefined is not given (`{ host: process.env.REDIS_HOST }`); an unknown
  // name is still reported, undefined or not, since it is most likely a typo.
  const given = Object.fromEntries(
    Object.entries(section).filter(
      ([name, value]) => value !== undefined || !OPTION_NAMES.has(name),
    ),
  );
  const url = given.url === undefined ? undefined : readUrl(given.url);
  const urlMode = typeof url?.parts === 'object' ? url.parts.mode : undefined;
  const mode = MODES.find((known) => known === given.mode) ?? urlMode ?? REDIS_DEFAULTS.mode;
  const result = REDIS_OPTION_SCHEMAS[mode].safeParse(
    url === undefined ? given : { ...given, url },
  );
  if (result.success) return { ok: true, ...result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    })),
  };
}

/** The options and settings of valid options; throws one error listing every problem otherwise. */
export function readValidRedisOptions(input: unknown): ReadRedisOptions {
  const result = readRedisOptions(input);
  if (!result.ok) throw new StowageConfigError('Invalid Redis driver options', result.issues);
  return result;
}

/**
 * Checks options of the Redis driver completely and reports every problem at once, each with its
 * path (`port`, `tls.ca`, ...). Accepts the string forms environment variables arrive in (`"6380"`,
 * `"true"`) and returns the options with those converted. Never throws, and never repeats a value
 * in a message (it could be a password or a URL carrying one).
 */
export function validateRedisOptions(input: unknown): DriverOptionsResult<RedisDriverOptions> {
  const result = readRedisOptions(input);
  return result.ok ? { ok: true, options: result.options } : result;
}

/**
 * Validates options of the Redis driver (string forms of numbers and booleans accepted) and returns
 * them converted, or throws one `StowageConfigError` listing every problem with its path.
 */
export function parseRedisOptions(input: unknown): RedisDriverOptions {
  return readValidRedisOptions(input).options;
}
