import type { SerializedItemDescriptor } from '@stowage/core';
import { parseStoredString } from '@stowage/core/driver';

/**
 * One stored entry: the string Redis would hold, with its parsed version and deleted flag kept
 * beside it so that reads are a map lookup, not a parse. `descriptor` is `undefined` for a value
 * that is not a valid serialized item (written with {@link MemoryBackend.writeRaw}).
 */
export interface MemoryEntry {
  readonly stored: string;
  readonly descriptor: SerializedItemDescriptor | undefined;
}

/** The data of one prefix: the initialized marker and one map per kind. */
export interface MemoryPrefixData {
  initialized: boolean;
  readonly kinds: Map<string, Map<string, MemoryEntry>>;
}

/**
 * The storage behind one or more memory drivers. Drivers given the same backend share data the way
 * processes sharing one Redis do; a driver created without one gets its own.
 *
 * Besides storage it offers what application tests need to reproduce production trouble without a
 * server: an outage switch and raw writes (values from other writers, or corrupt ones).
 */
export interface MemoryBackend {
  /**
   * While offline, every operation of every driver on this backend fails with a `connection`
   * error and `isAvailable()` answers false, as when Redis goes away.
   */
  setOffline(offline: boolean): void;
  /** True while {@link setOffline} has taken the backend offline. */
  readonly offline: boolean;
  /**
   * Stores `stored` verbatim under the prefix, kind namespace and key, without validation: the
   * memory equivalent of `HSET prefix:kind key stored`.
   */
  writeRaw(prefix: string, namespace: string, key: string, stored: string): void;
  /** Deletes everything stored under the prefix, the initialized marker included. */
  clearPrefix(prefix: string): void;
  /** The data of a prefix, created on first use. For drivers; applications do not need it. */
  prefixData(prefix: string): MemoryPrefixData;
}

/** Creates an empty {@link MemoryBackend}. */
export function createMemoryBackend(): MemoryBackend {
  const prefixes = new Map<string, MemoryPrefixData>();
  let offline = false;

  const prefixData = (prefix: string): MemoryPrefixData => {
    let data = prefixes.get(prefix);
    if (data === undefined) {
      data = { initialized: false, kinds: new Map() };
      prefixes.set(prefix, data);
    }
    return data;
  };

  return {
    get offline() {
      return offline;
    },
    setOffline(value) {
      offline = value;
    },
    writeRaw(prefix, namespace, key, stored) {
      const kinds = prefixData(prefix).kinds;
      let items = kinds.get(namespace);
      if (items === undefined) {
        items = new Map();
        kinds.set(namespace, items);
      }
      items.set(key, { stored, descriptor: parseStoredString(stored) });
    },
    clearPrefix(prefix) {
      prefixes.delete(prefix);
    },
    prefixData,
  };
}
