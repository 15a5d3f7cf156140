/** Where a built-in driver lives and which environment variables it reads. */
export interface BuiltInDriver {
  /** The package that exports the definition, imported only when the driver is selected. */
  readonly specifier: string;
  /** The name of the exported `DriverDefinition`. */
  readonly exportName: string;
  /** The driver definition's `environment` (see below). */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * The variables of the Redis driver and the option each one sets. Listed here, in core, so that
 * configuration can tell a known `STOWAGE_REDIS_*` variable from a typo without importing
 * `@stowage/redis` (which would load ioredis into an app that only uses memory); the Redis
 * driver's definition uses this same table.
 */
export const REDIS_ENVIRONMENT: Readonly<Record<string, string>> = {
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
};

/**
 * The built-in drivers, by the name configuration selects them by.
 *
 * Each driver's environment variables are known here without importing its package (see
 * {@link REDIS_ENVIRONMENT}). A test checks that the definitions the registry loads say the same.
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
    environment: REDIS_ENVIRONMENT,
  },
};
