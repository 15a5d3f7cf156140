import {
  type DataKind,
  type FullDataSet,
  type PersistentDataStore,
  type SerializedItemDescriptor,
  StoreErrorCode,
  StowageConfigError,
  StowageError,
  StowageSerializationError,
  type UpsertResult,
} from '@stowage/core';
import {
  type ChangeEvent,
  closedError,
  DEFAULT_PREFIX,
  prefixProblem,
  toStoredString,
  validateFullDataSet,
  validateKey,
  validateKind,
  validateUpsert,
} from '@stowage/core/driver';
import {
  createMemoryBackend,
  type MemoryBackend,
  type MemoryEntry,
} from './createMemoryBackend.js';
import { createMemoryChangeFeed } from './createMemoryChangeFeed.js';

/** Options of {@link createMemoryDriver}. */
export interface MemoryDriverOptions {
  /** Namespace of every key the store writes. Default `stowage`. */
  readonly prefix?: string;
  /**
   * Storage to share with other memory drivers, as processes share one Redis. Default: a backend
   * of the driver's own.
   */
  readonly backend?: MemoryBackend;
}

function entryFor(key: string, descriptor: SerializedItemDescriptor): MemoryEntry {
  const stored = toStoredString(key, descriptor);
  return {
    stored,
    descriptor: Object.freeze({
      version: descriptor.version,
      deleted: descriptor.deleted,
      serializedItem: stored,
    }),
  };
}

// Stored descriptors are frozen and shared by nothing else; callers get a fresh copy each time,
// as they would from a driver that parses what a server sent.
const copyOf = (descriptor: SerializedItemDescriptor): SerializedItemDescriptor => ({
  ...descriptor,
});

/**
 * Creates the in-memory driver: the whole store contract without a server. It stores exactly the
 * strings the Redis driver stores and answers exactly as it does, so it is the drop-in double for
 * applications' tests; a `get` is a map lookup plus a copy.
 *
 * Its `changeFeed` carries the writes of every driver on the same backend and prefix. Each event
 * is delivered synchronously right after the write is applied, before the write's promise
 * settles: once `await a.upsert(...)` returns, every other driver's feed has already seen it, so
 * tests of feed-driven code need no waiting.
 */
export function createMemoryDriver(options: MemoryDriverOptions = {}): PersistentDataStore {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const problem = prefixProblem(prefix);
  if (problem !== undefined) {
    throw new StowageConfigError('Invalid memory driver options', [
      { path: 'prefix', message: problem },
    ]);
  }
  const backend = options.backend ?? createMemoryBackend();
  let closed = false;
  let knownInitialized = false;
  // The driver's identity on the backend's fan-out: its own writes are `own` in its feed only.
  const writer = Object.freeze({});

  const data = () => {
    if (closed) throw closedError();
    if (backend.offline) {
      throw new StowageError(StoreErrorCode.Connection, 'The memory backend is offline');
    }
    return backend.prefixData(prefix);
  };

  const kindItems = (kind: DataKind): Map<string, MemoryEntry> | undefined =>
    data().kinds.get(kind.namespace);

  const changeFeed = createMemoryChangeFeed({
    hub: backend.changes,
    prefix,
    writer,
    checkInitialized: async () => data().initialized,
  });
  const announce = (event: ChangeEvent) => backend.changes.publish(prefix, event, writer);

  return {
    changeFeed,

    async init(allData: FullDataSet): Promise<void> {
      validateFullDataSet(allData);
      const prefixData = data();
      // Build every kind first and swap them in afterwards, so a reader never sees half of one.
      const replacements = allData.map(({ kind, items }) => {
        const map = new Map<string, MemoryEntry>();
        for (const [key, descriptor] of items) map.set(key, entryFor(key, descriptor));
        return [kind.namespace, map] as const;
      });
      for (const [namespace, map] of replacements) prefixData.kinds.set(namespace, map);
      prefixData.initialized = true;
      knownInitialized = true;
      // A kind given twice was replaced once (the last one given wins): one event per kind.
      for (const namespace of new Set(replacements.map(([namespace]) => namespace))) {
        announce(Object.freeze({ type: 'init', kind: Object.freeze({ namespace }) }));
      }
    },

    async get(kind, key) {
      validateKind(kind);
      validateKey(key);
      const entry = kindItems(kind)?.get(key);
      if (entry === undefined) return undefined;
      if (entry.descriptor === undefined)
        throw new StowageSerializationError(kind.namespace, [key]);
      return copyOf(entry.descriptor);
    },

    async getAll(kind) {
      validateKind(kind);
      const result = new Map<string, SerializedItemDescriptor>();
      const corrupt: string[] = [];
      for (const [key, entry] of kindItems(kind) ?? []) {
        if (entry.descriptor === undefined) corrupt.push(key);
        else result.set(key, copyOf(entry.descriptor));
      }
      if (corrupt.length > 0) throw new StowageSerializationError(kind.namespace, corrupt, result);
      return result;
    },

    async upsert(kind, key, descriptor): Promise<UpsertResult> {
      validateUpsert(kind, key, descriptor);
      const kinds = data().kinds;
      let items = kinds.get(kind.namespace);
      const current = items?.get(key);
      if (current !== undefined) {
        // Never overwrite what cannot be compared.
        if (current.descriptor === undefined) {
          throw new StowageSerializationError(kind.namespace, [key]);
        }
        if (current.descriptor.version >= descriptor.version) {
          return { applied: false, current: copyOf(current.descriptor) };
        }
      }
      if (items === undefined) {
        items = new Map();
        kinds.set(kind.namespace, items);
      }
      items.set(key, entryFor(key, descriptor));
      announce(
        Object.freeze({
          type: 'upsert',
          kind: Object.freeze({ namespace: kind.namespace }),
          key,
          version: descriptor.version,
          deleted: descriptor.deleted,
        }),
      );
      return { applied: true };
    },

    async listKinds() {
      return [...data().kinds]
        .filter(([, items]) => items.size > 0)
        .map(([namespace]) => namespace)
        .sort()
        .map((namespace) => ({ namespace }));
    },

    async isInitialized() {
      if (knownInitialized) {
        data();
        return true;
      }
      knownInitialized = data().initialized;
      return knownInitialized;
    },

    async isAvailable() {
      return !closed && !backend.offline;
    },

    async close() {
      closed = true;
      changeFeed.close();
    },
  };
}
