export { type RedisAccess, redisAccess } from './access/redisAccess.js';
export { createRedisDriver } from './createRedisDriver.js';
export { DurabilityNotConfirmedError } from './errors/durabilityNotConfirmed.js';
export { parseRedisOptions, validateRedisOptions } from './options/parseRedisOptions.js';
export type { RedisDataStore } from './RedisDataStore.js';
export {
  REDIS_DEFAULTS,
  type RedisDriverOptions,
  type RedisMode,
  type RedisNodeAddress,
  type RedisTlsOptions,
  type ReplicaRule,
  type UpsertStrategy,
  type WaitForReplicasOptions,
} from './RedisDriverOptions.js';
export { type RedisDriverConfig, redisDriverDefinition } from './redisDriverDefinition.js';
