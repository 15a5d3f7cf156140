/** Where a built-in driver lives and which environment variables it reads. */
export interface BuiltInDriver {
  /** The package that exports the definition, imported only when the driver is selected. */
  readonly specifier: string;
  /** The name of the exported `DriverDefinition`. */
  readonly exportName: string;
  /** The driver definition's `environment`, copied here (see below). */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * The built-in drivers, by the name configuration selects them by.
 *
 * The environment variable names are copied from each definition so that configuration can tell a
 * known `STOWAGE_REDIS_*` variable from a typo without importing `@stowage/redis` (which would
 * load ioredis into an app that only uses memory). A test compares this table with the
 * definitions, so the copy cannot drift.
 */
export const BUILT_IN_DRIVERS: Readonly<Record<string, BuiltInDriver>> = {
  memory: {
    specifier: '@stowage/memory',
    exportName: 'memoryDriverDefinition',
    environment: {},
  },
  redis: {
    specifier: '@stowage/redis',
    exportName: 'redisDriverDefinition',
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
  },
};
