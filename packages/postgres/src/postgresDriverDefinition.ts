import type { DriverDefinition } from '@stowage/core/driver';
import { validatePostgresOptions } from './options/postgresOptionSchema.js';
import type { PostgresDriverOptions } from './PostgresDriverOptions.js';

// This module is also the `@stowage/postgres/definition` entry: configuration imports it to check
// the `postgres` section, so nothing it imports may load pg. `load()` brings in the driver.

/** The options of the `postgres` section of the configuration: all but the prefix and the pool. */
export type PostgresDriverConfig = Omit<PostgresDriverOptions, 'prefix' | 'pool'>;

/** The `STOWAGE_POSTGRES_*` variables, each with the option (path in the section) it sets. */
const POSTGRES_ENVIRONMENT: Readonly<Record<string, string>> = {
  STOWAGE_POSTGRES_URL: 'url',
  STOWAGE_POSTGRES_HOST: 'host',
  STOWAGE_POSTGRES_PORT: 'port',
  STOWAGE_POSTGRES_DATABASE: 'database',
  STOWAGE_POSTGRES_USER: 'user',
  STOWAGE_POSTGRES_PASSWORD: 'password',
  STOWAGE_POSTGRES_TLS: 'tls.enabled',
  STOWAGE_POSTGRES_TLS_CA: 'tls.ca',
  STOWAGE_POSTGRES_TLS_CERT: 'tls.cert',
  STOWAGE_POSTGRES_TLS_KEY: 'tls.key',
  STOWAGE_POSTGRES_TLS_SERVERNAME: 'tls.servername',
  STOWAGE_POSTGRES_TLS_REJECT_UNAUTHORIZED: 'tls.rejectUnauthorized',
  STOWAGE_POSTGRES_TABLE: 'table',
  STOWAGE_POSTGRES_CREATE_TABLES: 'createTables',
  STOWAGE_POSTGRES_POOL_SIZE: 'poolSize',
  STOWAGE_POSTGRES_CONNECT_TIMEOUT_MS: 'connectTimeoutMs',
  STOWAGE_POSTGRES_COMMAND_TIMEOUT_MS: 'commandTimeoutMs',
  STOWAGE_POSTGRES_MAX_ATTEMPTS: 'maxAttempts',
};

/**
 * Makes the PostgreSQL driver selectable by configuration as `driver: 'postgres'`, with its
 * options in the `postgres` section or in `STOWAGE_POSTGRES_*` variables. Importable as
 * `@stowage/postgres/definition` without loading pg: options are checked first, and the driver
 * is loaded only once they are valid.
 */
export const postgresDriverDefinition: DriverDefinition<PostgresDriverConfig> = {
  name: 'postgres',
  environment: POSTGRES_ENVIRONMENT,
  validateOptions(section) {
    const result = validatePostgresOptions(section);
    const given = typeof section === 'object' && section !== null;
    const misplaced = (['prefix', 'pool'] as const).filter((name) => given && name in section);
    if (misplaced.length === 0) return result;
    // One prefix per store: the top-level `prefix` (STOWAGE_PREFIX); a pool only in code.
    const issues = misplaced.map((path) => ({
      path,
      message:
        path === 'prefix'
          ? 'is set at the top level (prefix, STOWAGE_PREFIX)'
          : 'is given in code (createPostgresDriver), not in configuration',
    }));
    return { ok: false, issues: [...(result.ok ? [] : result.issues), ...issues] };
  },
  async load() {
    const { createPostgresDriver } = await import('./createPostgresDriver.js');
    return (options, { prefix }) => createPostgresDriver({ ...options, prefix });
  },
};
