export {
  type ContainerEngine,
  ENGINE_MISSING_VARIABLE,
  type StartContainerEngineOptions,
  startContainerEngine,
  whyNoContainerEngine,
} from './containerEngine.js';
export {
  createTestCertificates,
  type TestCertificateFiles,
  type TestCertificates,
} from './createTestCertificates.js';
export { findRedisBinaries, type RedisBinaries } from './findRedisBinaries.js';
export { HarnessError, HarnessErrorCode, type HarnessErrorOptions } from './HarnessError.js';
export { keySlot } from './keySlot.js';
export {
  type LeasePortBlockOptions,
  leasePortBlock,
  type PortBlockLease,
} from './leasePortBlock.js';
export {
  findPostgresBinaries,
  type PostgresBinaries,
} from './postgres/findPostgresBinaries.js';
export type {
  PostgresQueryResult,
  PostgresServer,
  PostgresStartupTimings,
  PostgresTlsOptions,
  PostgresUser,
} from './postgres/PostgresServer.js';
export {
  type StartPostgresServerOptions,
  startPostgresServer,
} from './postgres/startPostgresServer.js';
export type { MigrateSlotOptions, RedisCluster, SlotMigration } from './RedisCluster.js';
export type { RedisContainer, RedisContainerState } from './RedisContainer.js';
export type { RedisEndpoint } from './RedisEndpoint.js';
export type { RedisServer, RedisUser } from './RedisServer.js';
export {
  REDIS_PROVIDER_VARIABLE,
  type RedisProvider,
  resolveRedisProvider,
} from './redisProvider.js';
export type { ContainerSentinelGroup, SentinelGroup } from './SentinelGroup.js';
export { type StartClusterOptions, startCluster } from './startCluster.js';
export { startContainerCluster } from './startContainerCluster.js';
export { startContainerSentinelGroup } from './startContainerSentinelGroup.js';
export {
  type StartRedisContainerOptions,
  startRedisContainer,
} from './startRedisContainer.js';
export { type StartRedisServerOptions, startRedisServer } from './startRedisServer.js';
export { type StartSentinelGroupOptions, startSentinelGroup } from './startSentinelGroup.js';
export type { TlsOptions } from './TlsOptions.js';
