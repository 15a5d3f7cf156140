export type { DataKind } from './contract/DataKind.js';
export type {
  FullDataSet,
  KeyedItem,
  KindData,
  PersistentDataStore,
  UpsertReadWriteHook,
  UpsertResult,
} from './contract/PersistentDataStore.js';
export type { SerializedItemDescriptor } from './contract/SerializedItemDescriptor.js';
export { parseStoredString, toStoredString } from './contract/storedItem.js';
export {
  DEFAULT_PREFIX,
  isValidNamespace,
  isValidVersion,
  MAX_KEY_BYTES,
  MAX_NAMESPACE_LENGTH,
  prefixProblem,
  validateDescriptor,
  validateFullDataSet,
  validateFullDataSetYielding,
  validateKey,
  validateKind,
  validateUpsert,
} from './contract/validation.js';
export { forEachYielding, SLICE_MS } from './contract/yieldingLoop.js';
export type {
  DriverContext,
  DriverDefinition,
  DriverOptionsResult,
} from './di/DriverDefinition.js';
export { closedError } from './errors/closedError.js';
export { isUnavailability } from './errors/isUnavailability.js';
export { redactSecrets, redactText } from './errors/redactSecrets.js';
export { isUnavailabilityCode, StoreErrorCode } from './errors/StoreErrorCode.js';
export { type ConfigIssue, StowageConfigError } from './errors/StowageConfigError.js';
export { StowageError, type StowageErrorOptions } from './errors/StowageError.js';
export { StowageSerializationError } from './errors/StowageSerializationError.js';
export {
  descriptorToItem,
  type ItemCodec,
  itemToDescriptor,
  jsonItemCodec,
  tombstoneDescriptor,
} from './typed/ItemCodec.js';
export type { VersionedItem } from './typed/VersionedItem.js';

// The application-facing half: caching, availability, typed store, configuration, DI wiring.

export type { RecoveryOutcome } from './cache/CacheEngine.js';
export { CachingDataStore } from './cache/CachingDataStore.js';
export {
  type CachingOptions,
  DEFAULT_CACHE_TTL,
  type ResolvedCachingOptions,
  resolveCachingOptions,
} from './cache/CachingOptions.js';
export { type Duration, parseDuration } from './cache/parseDuration.js';
export {
  BUILT_IN_DRIVERS,
  type BuiltInDriver,
  REDIS_ENVIRONMENT,
} from './config/builtInDrivers.js';
export { DEFAULT_CONFIG, type LoadConfigOptions, loadConfig } from './config/loadConfig.js';
export { CONFIG_FILE_VARIABLE, CORE_ENVIRONMENT } from './config/readEnvironment.js';
export { redactConfig } from './config/redactConfig.js';
export { type CacheConfig, type StatusConfig, StowageConfig } from './config/StowageConfig.js';
export type { StowageConfigInput } from './config/StowageConfigInput.js';
export { createDataStore, storeFromConfig } from './di/createDataStore.js';
export {
  DriverRegistry,
  type DriverVariable,
  defaultDriverRegistry,
  registerDriver,
} from './di/DriverRegistry.js';
export { StowageModule } from './di/StowageModule.js';
export {
  DataStoreToken,
  PersistentDataStoreToken,
  StoreStatusToken,
  StowageConfigToken,
} from './di/tokens.js';
export {
  DEFAULT_POLL_INTERVAL_MS,
  type RecoveryHandler,
  type StatusOptions,
  StatusTrackingStore,
} from './status/StatusTrackingStore.js';
export type { StoreStatus } from './status/StoreStatus.js';
export type { DataStore } from './typed/DataStore.js';
export { deepFreeze, type Frozen } from './typed/deepFreeze.js';
export { defineKind, type KindDefinition, type KindOptions } from './typed/defineKind.js';
export { TypedDataStore } from './typed/TypedDataStore.js';
export type { StoredState, WriteResult } from './typed/WriteResult.js';
export { type WrapDriverOptions, wrapDriver } from './typed/wrapDriver.js';
