import type { SerializedItemDescriptor } from '../contract/SerializedItemDescriptor.js';

/**
 * How the cache keeps the items of one kind. The cache stores whatever {@link fromDescriptor}
 * returns, so that the typed store can keep parsed, frozen items and hand them out on a hit
 * without deserializing anything (and without keeping the serialized string beside them, which
 * would nearly double the memory of a large cache).
 */
export interface CachedKindForm {
  /** The value kept for a stored descriptor. Must not throw: keep a marker for what it cannot read. */
  fromDescriptor(key: string, descriptor: SerializedItemDescriptor): unknown;
  /** A fresh descriptor for a kept value: for raw reads and for the write-back after an outage. */
  toDescriptor(key: string, value: unknown): SerializedItemDescriptor;
}

/**
 * The form of kinds the typed store has not claimed: the descriptor itself, frozen in the cache,
 * copied on the way out (a raw caller may mutate what it gets).
 */
export const descriptorForm: CachedKindForm = {
  fromDescriptor: (_key, descriptor) =>
    Object.freeze(
      descriptor.serializedItem === undefined
        ? { version: descriptor.version, deleted: descriptor.deleted }
        : {
            version: descriptor.version,
            deleted: descriptor.deleted,
            serializedItem: descriptor.serializedItem,
          },
    ),
  toDescriptor: (_key, value) => ({ ...(value as SerializedItemDescriptor) }),
};
