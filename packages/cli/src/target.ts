import { existsSync } from 'node:fs';
import {
  type DataKind,
  type DriverDefinition,
  loadConfig,
  type PersistentDataStore,
  type StowageConfig,
  type StowageConfigInput,
} from '@stowage/core';
import { validateKind } from '@stowage/core/driver';
import { memoryDriverDefinition } from '@stowage/memory';
import {
  type PostgresAccess,
  type PostgresDriverOptions,
  postgresAccess,
  postgresDriverDefinition,
} from '@stowage/postgres';
import {
  type RedisAccess,
  type RedisDriverOptions,
  redisAccess,
  redisDriverDefinition,
} from '@stowage/redis';
import { CliError, ExitCode } from './exitCodes.js';

/** The flags that say which store a command works on. */
export interface TargetFlags {
  /** A JSON configuration file (as STOWAGE_CONFIG_FILE). */
  readonly config?: string | undefined;
  /**
   * A Redis URL or connection string: selects the redis driver; a `postgres://` or
   * `postgresql://` URL selects the postgres driver.
   */
  readonly url?: string | undefined;
  /** The store's prefix. */
  readonly prefix?: string | undefined;
  /** The Redis mode, for a connection string naming several cluster nodes. */
  readonly mode?: string | undefined;
}

/**
 * The drivers the command line selects from: the built-in ones, which it depends on, handed in
 * directly (the same definitions core would import by name), so that they load wherever the
 * command line runs, inside a test worker too.
 */
const drivers: ReadonlyArray<DriverDefinition> = [
  memoryDriverDefinition,
  redisDriverDefinition,
  postgresDriverDefinition,
];

/** A URL of PostgreSQL (the scheme libpq and `pg` accept); any other names Redis. */
const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/** A validated store configuration and the ways to reach it. */
export interface Target {
  readonly config: StowageConfig;
  /** Where the store is, without secrets: `redis standalone 127.0.0.1:6379, prefix "app"`. */
  readonly description: string;
  /** Set for the redis driver: its resolved connection settings and clients. */
  readonly redis: RedisAccess | undefined;
  /** Set for the postgres driver: where its server is and how it is reached. */
  readonly postgres: PostgresAccess | undefined;
  /** A new bare driver (no cache, no status tracking): tools see the backend as it is. */
  open(): PersistentDataStore;
}

/**
 * Loads the configuration exactly as an application does (`loadConfig`: defaults < file <
 * STOWAGE_* environment < flags, one validation), the flags being the highest layer. With
 * `environment: false` (both sides of `copy`) neither STOWAGE_* variables nor STOWAGE_CONFIG_FILE
 * apply.
 */
export async function loadTarget(flags: TargetFlags, environment = true): Promise<Target> {
  const input: Record<string, unknown> = {};
  if (flags.url !== undefined && POSTGRES_URL.test(flags.url)) {
    input.driver = 'postgres';
    input.postgres = { url: flags.url };
  } else if (flags.url !== undefined || flags.mode !== undefined) {
    input.driver = 'redis';
    input.redis = {
      ...(flags.url === undefined ? {} : { url: flags.url }),
      ...(flags.mode === undefined ? {} : { mode: flags.mode }),
    };
  }
  if (flags.prefix !== undefined) input.prefix = flags.prefix;
  const config = await loadConfig(input as StowageConfigInput, {
    env: environment ? process.env : {},
    drivers,
    ...(flags.config === undefined ? {} : { configFile: flags.config }),
  });
  const redis =
    config.driver === 'redis'
      ? redisAccess({ ...(config.driverOptions as RedisDriverOptions), prefix: config.prefix })
      : undefined;
  const postgres =
    config.driver === 'postgres'
      ? postgresAccess(config.driverOptions as PostgresDriverOptions)
      : undefined;
  return {
    config,
    redis,
    postgres,
    description: describe(config, redis, postgres),
    open: () => config.createDriver(),
  };
}

/**
 * A side of `copy`: a config file when a file of that name exists, else a PostgreSQL URL, or a
 * Redis URL or connection string. The environment applies to neither side.
 */
export function loadSide(location: string, prefix: string | undefined): Promise<Target> {
  const isFile = !location.includes('://') && existsSync(location);
  return loadTarget(isFile ? { config: location, prefix } : { url: location, prefix }, false);
}

function describe(
  config: StowageConfig,
  redis: RedisAccess | undefined,
  postgres: PostgresAccess | undefined,
): string {
  if (postgres !== undefined) {
    const how = [
      postgres.tls ? 'TLS' : 'no TLS',
      postgres.user === undefined ? undefined : `user ${postgres.user}`,
      postgres.hasPassword ? 'password' : 'no password',
      postgres.clientCertificate ? 'client certificate' : undefined,
    ].filter((part) => part !== undefined);
    const database = postgres.database === undefined ? '' : `/${postgres.database}`;
    return `postgres ${postgres.host}:${postgres.port}${database} (${how.join(', ')}), table ${postgres.table}, prefix "${config.prefix}"`;
  }
  if (redis === undefined) return `${config.driver}, prefix "${config.prefix}"`;
  const where = redis.endpoints.map(({ host, port }) => `${host}:${port}`).join(',');
  const how = [
    redis.tls ? 'TLS' : 'no TLS',
    redis.username === undefined ? undefined : `user ${redis.username}`,
    redis.hasPassword ? 'password' : 'no password',
  ].filter((part) => part !== undefined);
  const mode = redis.mode === 'sentinel' ? `sentinel ${redis.masterName} via` : redis.mode;
  return `redis ${mode} ${where} (${how.join(', ')}), prefix "${config.prefix}"`;
}

/** `--kinds a,b` as kinds, each a valid namespace. */
export function parseKindsFlag(value: string | undefined): DataKind[] | undefined {
  if (value === undefined) return undefined;
  const kinds = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .map((namespace) => ({ namespace }));
  for (const kind of kinds) {
    try {
      validateKind(kind);
    } catch (error) {
      throw new CliError(`--kinds: ${(error as Error).message}`, ExitCode.Usage);
    }
  }
  return kinds;
}

/**
 * The kinds a command works on: `--kinds` when given, else the driver's `listKinds()`; a driver
 * without it needs `--kinds`.
 */
export async function kindsOf(
  store: PersistentDataStore,
  flag: ReadonlyArray<DataKind> | undefined,
): Promise<DataKind[]> {
  if (flag !== undefined) return [...flag].sort(byNamespace);
  if (store.listKinds === undefined) {
    throw new CliError(
      'this driver cannot list its kinds (no listKinds): name them with --kinds a,b',
      ExitCode.Usage,
    );
  }
  return [...(await store.listKinds())].sort(byNamespace);
}

export const byNamespace = (a: DataKind, b: DataKind): number =>
  a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0;
