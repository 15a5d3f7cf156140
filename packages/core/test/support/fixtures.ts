import { createMemoryBackend, createMemoryDriver, type MemoryBackend } from '@stowage/memory';
import {
  CachingDataStore,
  type CachingOptions,
  type DataKind,
  defineKind,
  type SerializedItemDescriptor,
  type VersionedItem,
} from '../../src/index.js';
import { ControlledDriver } from './ControlledDriver.js';

export const features: DataKind = { namespace: 'features' };
export const segments: DataKind = { namespace: 'segments' };

/** A live item whose body agrees with its descriptor. */
export function item(key: string, version: number, extra: object = {}): SerializedItemDescriptor {
  return { version, deleted: false, serializedItem: JSON.stringify({ key, version, ...extra }) };
}

/** A tombstone in the schema's form. */
export function tombstone(key: string, version: number): SerializedItemDescriptor {
  return {
    version,
    deleted: true,
    serializedItem: JSON.stringify({ key, version, deleted: true }),
  };
}

/** The feature flag of the typed tests. */
export interface Flag extends VersionedItem {
  readonly on: boolean;
  readonly rules?: ReadonlyArray<{ readonly variation: number }>;
}

export const flags = defineKind<Flag>('features');

/** A manual clock for TTL tests. */
export function manualClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/**
 * A caching store over a counting, holdable memory driver on a backend of its own (or the one
 * given), with a manual clock.
 */
export function cachedMemory(
  options: Omit<CachingOptions, 'now'>,
  backend: MemoryBackend = createMemoryBackend(),
  prefix = 'test',
) {
  const clock = manualClock();
  const driver = new ControlledDriver(createMemoryDriver({ prefix, backend }));
  const cache = new CachingDataStore(driver, { ...options, now: clock.now });
  return { cache, driver, backend, clock };
}
