// The entry of driver authors: the contract a driver implements, the validation and stored form
// every driver shares, the helpers for its errors, and the definition that makes it selectable
// by name. Errors themselves (`StowageError`, `StoreErrorCode`, ...) come from `@stowage/core`.

export type {
  ChangeEvent,
  ChangeFeed,
  InitChange,
  KindChange,
  ResetChange,
  UpsertChange,
} from './contract/ChangeFeed.js';
export {
  initMessage,
  kindMessage,
  readChangeMessage,
  upsertMessage,
} from './contract/changeMessage.js';
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
export { forEachYielding } from './contract/yieldingLoop.js';
export type {
  DriverContext,
  DriverDefinition,
  DriverFactory,
  DriverOptionsResult,
} from './drivers/DriverDefinition.js';
export { closedError } from './errors/closedError.js';
export { redactSecrets, redactText } from './errors/redactSecrets.js';
export { isUnavailabilityCode } from './errors/StoreErrorCode.js';
export type { ConfigIssue } from './errors/StowageConfigError.js';
export { socketFailureCode } from './errors/socketFailureCode.js';
