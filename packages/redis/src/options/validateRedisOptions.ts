import { type DriverOptionsResult, prefixProblem } from '@stowage/core/driver';
import type { Redis } from 'ioredis';
import {
  REDIS_DEFAULTS,
  type RedisDriverOptions,
  type RedisMode,
  type RedisTlsOptions,
  type UpsertStrategy,
} from '../RedisDriverOptions.js';
import { expandConnectionString } from './expandConnectionString.js';
import { isRecord, OptionReader } from './optionReaders.js';
import { parseRedisUrl } from './parseRedisUrl.js';
import { isTopologyUrl, parseTopologyUrl } from './parseTopologyUrl.js';
import { readModeOptions } from './readModeOptions.js';

const OPTION_NAMES = [
  'mode',
  'url',
  'host',
  'port',
  'username',
  'password',
  'db',
  'tls',
  'prefix',
  'connectTimeoutMs',
  'commandTimeoutMs',
  'client',
  'upsertStrategy',
  'upsertHook',
  'maxUpsertAttempts',
  'sentinels',
  'name',
  'sentinelUsername',
  'sentinelPassword',
  'failoverDetector',
  'nodes',
  'natMap',
  'waitForReplicas',
] as const;

const TLS_NAMES = ['enabled', 'ca', 'cert', 'key', 'servername', 'rejectUnauthorized'] as const;

/** Options that describe a connection: meaningless next to a client handed in. */
const CONNECTION_NAMES = ['url', 'host', 'port', 'username', 'password', 'db', 'tls'] as const;

const MODES: ReadonlyArray<RedisMode> = ['standalone', 'sentinel', 'cluster'];
const STRATEGIES: ReadonlyArray<UpsertStrategy> = ['auto', 'script', 'watch'];
const MAX_TIMEOUT_MS = 600_000;

// Duck-typed, not `instanceof`: the application may have its own copy of ioredis.
const isClient = (value: unknown): value is Redis =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Redis).status === 'string' &&
  typeof (value as Redis).hget === 'function' &&
  typeof (value as Redis).duplicate === 'function';

function readTls(reader: OptionReader, value: unknown): boolean | RedisTlsOptions | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean' || typeof value === 'string') return reader.boolean('tls', value);
  if (!isRecord(value)) {
    reader.problem('tls', 'must be true, false or an object of TLS settings');
    return undefined;
  }
  const tls = new OptionReader(reader.path('tls'));
  tls.unknownKeys(value, TLS_NAMES, 'the TLS settings');
  const result: Record<string, unknown> = {
    enabled: tls.boolean('enabled', value.enabled),
    ca: tls.string('ca', value.ca, { pem: true }),
    cert: tls.string('cert', value.cert, { pem: true }),
    key: tls.string('key', value.key, { pem: true }),
    servername: tls.string('servername', value.servername),
    rejectUnauthorized: tls.boolean('rejectUnauthorized', value.rejectUnauthorized),
  };
  if ((value.cert === undefined) !== (value.key === undefined)) {
    tls.problem(value.cert === undefined ? 'cert' : 'key', 'cert and key must be given together');
  }
  if (result.enabled === false) {
    for (const name of TLS_NAMES) {
      if (name !== 'enabled' && value[name] !== undefined) {
        tls.problem(name, 'is given while TLS is turned off (tls.enabled is false)');
      }
    }
  }
  reader.issues.push(...tls.issues);
  return withoutUndefined(result) as RedisTlsOptions;
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  for (const name of Object.keys(record)) if (record[name] === undefined) delete record[name];
  return record;
}

const tlsEnabled = (tls: boolean | RedisTlsOptions | undefined): boolean | undefined =>
  typeof tls === 'object' ? tls.enabled !== false : tls;

/**
 * Checks options of the Redis driver completely and reports every problem at once, each with its
 * path (`port`, `tls.ca`, ...). Accepts the string forms environment variables arrive in (`"6380"`,
 * `"true"`) and returns the options with those converted. Never throws, and never repeats a value
 * in a message (it could be a password or a URL carrying one).
 */
export function validateRedisOptions(input: unknown): DriverOptionsResult<RedisDriverOptions> {
  if (input === undefined) return { ok: true, options: {} };
  if (!isRecord(input)) {
    return { ok: false, issues: [{ path: '', message: 'must be an object of options' }] };
  }
  const expanded = expandConnectionString(input);
  if ('issues' in expanded) return { ok: false, issues: expanded.issues };
  return validateExpanded(expanded.input);
}

function validateExpanded(input: Record<string, unknown>): DriverOptionsResult<RedisDriverOptions> {
  const reader = new OptionReader('');
  reader.unknownKeys(input, OPTION_NAMES, 'the redis driver');

  const url = reader.string('url', input.url);
  const parsedUrl =
    url === undefined ? undefined : isTopologyUrl(url) ? parseTopologyUrl(url) : parseRedisUrl(url);
  if (typeof parsedUrl === 'string') reader.problem('url', parsedUrl);
  const fromUrl = typeof parsedUrl === 'object' ? parsedUrl : undefined;
  const urlMode: RedisMode | undefined =
    fromUrl === undefined ? undefined : 'mode' in fromUrl ? fromUrl.mode : 'standalone';
  const mode = reader.oneOf('mode', input.mode, MODES);
  if (mode !== undefined && urlMode !== undefined && mode !== urlMode) {
    reader.problem('url', `is a ${urlMode} URL, but mode is '${mode}'`);
  }
  const commandTimeoutMs = reader.integer(
    'commandTimeoutMs',
    input.commandTimeoutMs,
    1,
    MAX_TIMEOUT_MS,
  );

  const options: Record<string, unknown> = {
    mode,
    url,
    host: reader.string('host', input.host),
    port: reader.integer('port', input.port, 1, 65_535),
    username: reader.string('username', input.username),
    password: reader.string('password', input.password),
    db: reader.integer('db', input.db, 0, 2 ** 31 - 1),
    tls: readTls(reader, input.tls),
    prefix: input.prefix,
    connectTimeoutMs: reader.integer('connectTimeoutMs', input.connectTimeoutMs, 1, MAX_TIMEOUT_MS),
    commandTimeoutMs,
    upsertStrategy: reader.oneOf('upsertStrategy', input.upsertStrategy, STRATEGIES),
    maxUpsertAttempts: reader.integer('maxUpsertAttempts', input.maxUpsertAttempts, 1, 1000),
  };
  if (input.prefix !== undefined) {
    const problem = prefixProblem(input.prefix);
    if (problem !== undefined) reader.problem('prefix', problem);
  }
  if (typeof input.host === 'string' && /\s/.test(input.host)) {
    reader.problem('host', 'must not contain whitespace');
  }
  if (input.client !== undefined) {
    if (!isClient(input.client)) reader.problem('client', 'must be an ioredis Redis client');
    else if ((input.client.options as { keyPrefix?: unknown } | undefined)?.keyPrefix) {
      // ioredis would put its keyPrefix in front of every key: the layout would no longer be P:KIND.
      reader.problem('client', 'must not have a keyPrefix: use the prefix option instead');
    } else options.client = input.client;
    for (const name of CONNECTION_NAMES) {
      if (input[name] !== undefined) {
        reader.problem(name, 'cannot be combined with client (the client brings its connection)');
      }
    }
  }
  // Options of one mode given in another are errors: the mode is never guessed from them.
  Object.assign(
    options,
    readModeOptions(reader, input, {
      mode: mode ?? urlMode ?? REDIS_DEFAULTS.mode,
      url: fromUrl,
      commandTimeoutMs: commandTimeoutMs ?? REDIS_DEFAULTS.commandTimeoutMs,
    }),
  );
  if (input.upsertHook !== undefined) {
    if (typeof input.upsertHook === 'function') options.upsertHook = input.upsertHook;
    else reader.problem('upsertHook', 'must be a function');
  }

  if (url !== undefined) {
    for (const name of ['host', 'port'] as const) {
      if (input[name] !== undefined) reader.problem(name, 'cannot be combined with url');
    }
  }
  if (fromUrl !== undefined) {
    for (const name of [
      'username',
      'password',
      'db',
      'sentinelUsername',
      'sentinelPassword',
    ] as const) {
      if (
        (fromUrl as unknown as Record<string, unknown>)[name] !== undefined &&
        input[name] !== undefined
      ) {
        reader.problem(name, 'is also given in url: give it once');
      }
    }
    if (fromUrl.tls && tlsEnabled(options.tls as RedisTlsOptions | boolean | undefined) === false) {
      reader.problem('tls', 'turns TLS off, but the url is rediss:// (TLS)');
    }
  }

  if (reader.issues.length > 0) return { ok: false, issues: reader.issues };
  return { ok: true, options: withoutUndefined(options) as RedisDriverOptions };
}
