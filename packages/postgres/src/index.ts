export { type PostgresAccess, postgresAccess } from './connection/postgresAccess.js';
export { createPostgresDriver } from './createPostgresDriver.js';
export { changeChannel } from './feed/feedMessage.js';
export { createTableSql, grantSql } from './layout/tableLayout.js';
export { parsePostgresOptions, validatePostgresOptions } from './options/postgresOptionSchema.js';
export type { PostgresDataStore } from './PostgresDataStore.js';
export {
  POSTGRES_DEFAULTS,
  type PostgresDriverOptions,
  type PostgresTlsOptions,
} from './PostgresDriverOptions.js';
export { type PostgresDriverConfig, postgresDriverDefinition } from './postgresDriverDefinition.js';
