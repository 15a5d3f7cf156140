import type { DataKind, PersistentDataStore } from '@stowage/core';
import type { UpsertReadWriteHook } from '@stowage/core/driver';

/** What the suite passes when it creates a store. */
export interface CreateStoreOptions {
  /**
   * Given only when {@link ConformanceTarget.supportsUpsertHook} is true: the driver must call it
   * inside `upsert`, between reading the current entry and writing the new one, on every attempt.
   */
  readonly upsertHook?: UpsertReadWriteHook;
}

/** A driver under test, described by the factories the suite needs. */
export interface ConformanceTarget {
  /** Shown as the name of the suite, e.g. `redis (TLS)`. */
  readonly name: string;
  /**
   * A new store on `prefix`. Stores created with the same prefix must share their data the way
   * two processes sharing one backend do. The suite closes every store it creates.
   */
  createStore(
    prefix: string,
    options: CreateStoreOptions,
  ): PersistentDataStore | Promise<PersistentDataStore>;
  /** Deletes everything stored under `prefix`, the initialized marker included. */
  clearPrefix(prefix: string): Promise<void>;
  /**
   * Stores `raw` verbatim as the value of `key` in `kind` under `prefix`, bypassing the driver (as
   * another writer of the schema would). Enables the cases about corrupt and foreign values.
   */
  writeRaw?(prefix: string, kind: DataKind, key: string, raw: string): Promise<void>;
  /** A store whose backend cannot be reached. Enables the cases about outages. */
  createUnreachableStore?(): PersistentDataStore | Promise<PersistentDataStore>;
  /**
   * The longest an operation on the unreachable store may take to fail, in ms (the driver's
   * configured timeouts). Default 5000.
   */
  readonly unreachableTimeoutMs?: number;
  /**
   * True for drivers that read, compare and write from the client, and call
   * {@link CreateStoreOptions.upsertHook} in between. Enables the cases that write from another
   * instance at that moment and prove the driver retries.
   */
  readonly supportsUpsertHook?: boolean;
  /**
   * The longest the change feed cases wait for an event to arrive or for `live$` to turn true, in
   * ms. Default 5000. Only used when the target's stores have a `changeFeed`.
   */
  readonly feedDeadlineMs?: number;
  /**
   * The base of the prefixes the suite generates (each test gets its own). Default
   * `stowage-conformance`.
   */
  readonly prefixBase?: string;
}
