import type { SerializedItemDescriptor } from '@stowage/core';
import { type ChangeEvent, parseStoredString } from '@stowage/core/driver';
import { createMemoryChangeHub, type MemoryChangeHub } from './createMemoryChangeHub.js';
import { foreignEvent } from './foreignEvent.js';

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
 * server: an outage switch, raw writes (values from other writers, or corrupt ones) and announced
 * changes (what a change feed reports about writers that are not memory drivers).
 */
export interface MemoryBackend {
  /**
   * While offline, every operation of every driver on this backend fails with a `connection`
   * error and `isAvailable()` answers false, as when Redis goes away. Every driver's
   * `changeFeed.live$` follows it; coming back online emits `live$` true and then a `reset` on
   * every prefix's feed, in that order, after the backend answers again.
   */
  setOffline(offline: boolean): void;
  /** True while {@link setOffline} has taken the backend offline. */
  readonly offline: boolean;
  /**
   * Stores `stored` verbatim under the prefix, kind namespace and key, without validation: the
   * memory equivalent of `HSET prefix:kind key stored`. Like such a write it announces nothing:
   * feeds do not see it (use {@link announce} as well to simulate a tracked foreign write).
   */
  writeRaw(prefix: string, namespace: string, key: string, stored: string): void;
  /**
   * Delivers `event` to the change feed of every driver on the prefix, synchronously, as a change
   * by a writer that is none of them (`own` is always false): a `kind` event for a foreign write a
   * tracking feed reports, a `reset` for a gap (a failover, or, after {@link clearPrefix}, a
   * server that restarted without its data), an `upsert` or `init` from an announcing writer in
   * another process. Changes nothing stored. Lost while offline, as a published message is.
   */
  announce(prefix: string, event: ChangeEvent): void;
  /** Deletes everything stored under the prefix, the initialized marker included; announces nothing. */
  clearPrefix(prefix: string): void;
  /** The data of a prefix, created on first use. For drivers; applications do not need it. */
  prefixData(prefix: string): MemoryPrefixData;
  /** The per-prefix change fan-out. For drivers; applications use {@link announce}. */
  readonly changes: MemoryChangeHub;
}

/** Creates an empty {@link MemoryBackend}. */
export function createMemoryBackend(): MemoryBackend {
  const prefixes = new Map<string, MemoryPrefixData>();
  let offline = false;
  const changes = createMemoryChangeHub();

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
      // The state changes first, so that whoever reacts to `live$` or the reset can read again.
      offline = value;
      changes.setOnline(!value);
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
    announce(prefix, event) {
      changes.publish(prefix, foreignEvent(event), undefined);
    },
    clearPrefix(prefix) {
      prefixes.delete(prefix);
    },
    prefixData,
    changes,
  };
}
