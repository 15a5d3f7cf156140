// The Redis driver's definition on its own, as core imports it when configuration selects
// `driver: 'redis'`: it checks the `redis` section without loading ioredis; `load()` does.
export { type RedisDriverConfig, redisDriverDefinition } from './redisDriverDefinition.js';
