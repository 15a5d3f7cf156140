// The PostgreSQL driver's definition on its own, as core imports it when configuration selects
// `driver: 'postgres'`: it checks the `postgres` section without loading pg; `load()` does.
export { type PostgresDriverConfig, postgresDriverDefinition } from './postgresDriverDefinition.js';
