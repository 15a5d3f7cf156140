// The entry of inversify users. It imports inversify (an optional peer dependency of core), which
// the root entry never does.

export {
  StowageModule,
  type StowageModuleOptions,
  type StowageTokens,
} from './inversify/StowageModule.js';
export {
  DataStoreToken,
  PersistentDataStoreToken,
  StoreStatusToken,
  StowageConfigToken,
} from './inversify/tokens.js';
