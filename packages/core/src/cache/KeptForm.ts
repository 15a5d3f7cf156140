import type { SerializedItemDescriptor } from '../contract/SerializedItemDescriptor.js';
import { toStoredString } from '../contract/storedItem.js';

/**
 * How the cache keeps the items of one kind: as values of type `V`. The typed store keeps parsed,
 * frozen items, so that a hit deserializes nothing (and keeps no serialized string beside them,
 * which would nearly double the memory of a large cache); raw users keep descriptors.
 */
export interface KeptForm<V> {
  /** The value kept for a stored descriptor. Must not throw: keep a marker for what it cannot read. */
  fromDescriptor(key: string, descriptor: SerializedItemDescriptor): V;
  /**
   * The value kept for a descriptor the backend just answered, which nothing else holds: unlike
   * {@link fromDescriptor}, it may keep the object itself (the cache never hands it out).
   */
  fromAnswer(key: string, descriptor: SerializedItemDescriptor): V;
  /** A fresh descriptor for a kept value: for raw reads and for the write-back after an outage. */
  toDescriptor(key: string, value: V): SerializedItemDescriptor;
}

/** A copy of a descriptor with exactly its three fields. */
export function copyDescriptor(descriptor: SerializedItemDescriptor): SerializedItemDescriptor {
  return descriptor.serializedItem === undefined
    ? { version: descriptor.version, deleted: descriptor.deleted }
    : {
        version: descriptor.version,
        deleted: descriptor.deleted,
        serializedItem: descriptor.serializedItem,
      };
}

/**
 * The form of kinds no typed item cache has claimed: a descriptor of the cache's own, never
 * handed out (a raw caller may mutate what it gets, so it gets a copy of its own).
 */
export const descriptorForm: KeptForm<SerializedItemDescriptor> = {
  fromDescriptor: (_key, descriptor) => copyDescriptor(descriptor),
  // A miss copies once, for its caller, rather than once more for the cache.
  fromAnswer: (_key, descriptor) => descriptor,
  toDescriptor: (_key, value) => copyDescriptor(value),
};

/** What a driver stores for a descriptor it accepted (a tombstone without a body gets the schema's). */
export const asStored = (
  key: string,
  descriptor: SerializedItemDescriptor,
): SerializedItemDescriptor =>
  descriptor.serializedItem === undefined
    ? { ...descriptor, serializedItem: toStoredString(key, descriptor) }
    : descriptor;
