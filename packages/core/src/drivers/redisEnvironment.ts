/**
 * The Redis driver's variables, kept here only until @stowage/redis holds its own table (its
 * definition reads this one meanwhile). Core does not use it: it routes `STOWAGE_REDIS_*` through
 * whatever table the loaded definition carries.
 *
 * @deprecated Moves to `@stowage/redis/definition` (`redisDriverDefinition.environment`).
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
