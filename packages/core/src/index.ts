// The application's entry: the store, its configuration, kinds and errors. Driver authors import
// `@stowage/core/driver`; inversify users `@stowage/core/inversify`.

export type { RecoveryOutcome } from './cache/CacheEngine.js';
export { CachingDataStore } from './cache/CachingDataStore.js';
export type { CachingOptions } from './cache/CachingOptions.js';
export type { Duration } from './cache/parseDuration.js';
export { type LoadConfigOptions, loadConfig } from './config/loadConfig.js';
export {
  type CacheConfig,
  type StatusConfig,
  type StoreModeConfig,
  StowageConfig,
} from './config/StowageConfig.js';
export type { StowageConfigInput } from './config/StowageConfigInput.js';
export type {
  ChangeEvent,
  ChangeFeed,
  InitChange,
  KindChange,
  ResetChange,
  UpsertChange,
} from './contract/ChangeFeed.js';
export type { DataKind } from './contract/DataKind.js';
export type {
  FullDataSet,
  KeyedItem,
  KindData,
  PersistentDataStore,
  UpsertResult,
} from './contract/PersistentDataStore.js';
export type { SerializedItemDescriptor } from './contract/SerializedItemDescriptor.js';
export { createDataStore } from './drivers/createDataStore.js';
export type { DriverDefinition } from './drivers/DriverDefinition.js';
export { registerDriver } from './drivers/DriverRegistry.js';
export { isUnavailability } from './errors/isUnavailability.js';
export { StoreErrorCode } from './errors/StoreErrorCode.js';
export { type ConfigIssue, StowageConfigError } from './errors/StowageConfigError.js';
export { StowageError, type StowageErrorOptions } from './errors/StowageError.js';
export { StowageSerializationError } from './errors/StowageSerializationError.js';
export {
  type RecoveryHandler,
  type StatusOptions,
  StatusTrackingStore,
} from './status/StatusTrackingStore.js';
export type { FeedStatus, StoreStatus } from './status/StoreStatus.js';
export type { DataStore, KindStoreChange, StoreChange } from './typed/DataStore.js';
export { deepFreeze, type Frozen } from './typed/deepFreeze.js';
export { defineKind, type KindDefinition, type KindOptions } from './typed/defineKind.js';
export {
  descriptorToItem,
  type ItemCodec,
  itemToDescriptor,
  jsonItemCodec,
  tombstoneDescriptor,
} from './typed/ItemCodec.js';
export type { VersionedItem } from './typed/VersionedItem.js';
export type { StoredState, WriteResult } from './typed/WriteResult.js';
export { type WrapDriverOptions, wrapDriver } from './typed/wrapDriver.js';
