import type { DataKind, PersistentDataStore } from '@stowage/core';
import type { ChangeFeed } from '@stowage/core/driver';

/** A `PersistentDataStore` on a PostgreSQL table. */
export interface PostgresDataStore extends PersistentDataStore {
  /** The table, schema-qualified and quoted as the driver uses it in SQL. */
  readonly table: string;
  /** The kinds holding at least one row under the prefix, sorted by namespace. */
  listKinds(): Promise<ReadonlyArray<DataKind>>;
  /**
   * Creates the table (`CREATE TABLE IF NOT EXISTS`, as in the README) and checks its layout.
   * Needs the CREATE right on the schema; an existing table is never altered.
   */
  createTables(): Promise<void>;
  /** The change feed, always there: LISTEN/NOTIFY on the store's channel (see the README). */
  readonly changeFeed: ChangeFeed;
}
