import type { ChangeFeed } from './ChangeFeed.js';
import type { DataKind } from './DataKind.js';
import type { SerializedItemDescriptor } from './SerializedItemDescriptor.js';

/** One item of a data set: its key and its descriptor. */
export type KeyedItem = readonly [key: string, descriptor: SerializedItemDescriptor];

/** Every item of one kind, as handed to {@link PersistentDataStore.init}. */
export interface KindData {
  readonly kind: DataKind;
  readonly items: ReadonlyArray<KeyedItem>;
}

/**
 * A whole data set. Order matters: a backend without transactions writes the kinds in this order,
 * so put the kinds that others depend on first.
 */
export type FullDataSet = ReadonlyArray<KindData>;

/** What {@link PersistentDataStore.upsert} did. */
export interface UpsertResult {
  /** True when the write was stored: there was no entry, or the stored version was lower. */
  readonly applied: boolean;
  /** When the write was rejected: what is stored now (its version is the same or higher). */
  readonly current?: SerializedItemDescriptor;
}

/**
 * The contract every Stowage driver implements: named kinds of versioned items, replaced wholesale
 * by `init`, changed one by one by `upsert`, with deletions kept as tombstones.
 *
 * Drivers must not cache: a driver does exactly what it is told, against its backend, every time.
 * Caching is the job of `CachingDataStore`, which wraps any driver and is itself a
 * `PersistentDataStore`. Every method is async and every failure is a `StowageError` with a stable
 * `code`; a backend failure is never reported as "not found".
 *
 * The full behaviour is specified in the store contract and checked by `@stowage/conformance`.
 */
export interface PersistentDataStore {
  /**
   * Replaces everything for every kind given (items of those kinds that are not in `allData`
   * disappear; kinds not given are left as they are) and marks the store initialized for every
   * instance sharing the prefix. Versions are ignored: what is given is what is stored. Atomic
   * where the backend can do it: a reader never sees a half-replaced kind.
   */
  init(allData: FullDataSet): Promise<void>;

  /** The stored descriptor, tombstones included; `undefined` only when nothing is stored. */
  get(kind: DataKind, key: string): Promise<SerializedItemDescriptor | undefined>;

  /**
   * Every item of the kind, tombstones included; empty for an unknown kind. The map belongs to
   * the caller: changing it changes nothing stored.
   */
  getAll(kind: DataKind): Promise<ReadonlyMap<string, SerializedItemDescriptor>>;

  /**
   * Stores the descriptor only when nothing is stored under the key or the stored version is
   * strictly lower (tombstones included). Deleting is upserting a tombstone.
   */
  upsert(kind: DataKind, key: string, descriptor: SerializedItemDescriptor): Promise<UpsertResult>;

  /**
   * True once any instance sharing the prefix has run `init`; once true, it stays true for this
   * instance. Rejects (never answers false) when the backend cannot be asked.
   */
  isInitialized(): Promise<boolean>;

  /**
   * Optional capability: the kinds that hold at least one item (tombstones count) under the
   * prefix, sorted by namespace. Tools that work on a whole store (`stowage inspect`, `export`,
   * `copy`, `doctor`) need it; a driver that cannot enumerate its backend leaves it out, and
   * those tools then take the kinds from the user. Reads only; never lists another prefix's kinds
   * (a nested prefix `P:x` is not a kind of `P`).
   */
  listKinds?(): Promise<ReadonlyArray<DataKind>>;

  /**
   * Optional capability: the change feed of the prefix (see {@link ChangeFeed}). A driver that has
   * one announces every write atomically with it, whether or not anyone listens, so that other
   * instances sharing the prefix see it. Listening starts with the first subscription to its
   * `events$`. Caches use it to stay coherent across instances; a driver without it leaves it out.
   */
  readonly changeFeed?: ChangeFeed;

  /** The cheapest health probe of the backend. Never throws; answers within the configured timeout. */
  isAvailable(): Promise<boolean>;

  /**
   * Releases what the driver created (never a client handed in by the application). Afterwards
   * every operation rejects with a `closed` error and `isAvailable()` answers false.
   */
  close(): Promise<void>;
}

/**
 * Called by drivers that read, compare and then write from the client (such as the Redis driver's
 * WATCH fallback) between the read and the write of an upsert attempt. Tests use it to write from
 * another instance at exactly that moment and prove the driver retries.
 */
export type UpsertReadWriteHook = (info: {
  readonly kind: DataKind;
  readonly key: string;
  readonly attempt: number;
}) => void | Promise<void>;
