// The service identifiers StowageModule binds under unless given others, all in this one file.
// Each is a registry symbol (`Symbol.for`), so two installed copies of @stowage/core agree on them.

/** The typed `DataStore` the application uses (a singleton, closed when the container unbinds it). */
export const DataStoreToken: unique symbol = Symbol.for('@stowage/core/DataStore');

/** The untyped `PersistentDataStore` under the typed store (cache and status tracking included). */
export const PersistentDataStoreToken: unique symbol = Symbol.for(
  '@stowage/core/PersistentDataStore',
);

/** The store's availability stream, an `Observable<StoreStatus>`. */
export const StoreStatusToken: unique symbol = Symbol.for('@stowage/core/StoreStatus');

/** The validated `StowageConfig` the module was built from. */
export const StowageConfigToken: unique symbol = Symbol.for('@stowage/core/StowageConfig');
