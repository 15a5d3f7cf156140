import type { SerializedItemDescriptor } from '../contract/SerializedItemDescriptor.js';
import { tombstoneBody } from '../contract/storedItem.js';
import { StoreErrorCode } from '../errors/StoreErrorCode.js';
import { StowageError } from '../errors/StowageError.js';
import type { VersionedItem } from './VersionedItem.js';

/** Turns an application's items into stored strings and back. */
export interface ItemCodec<T extends VersionedItem> {
  /** The string stored for `item`; it must keep `key`, `version` and `deleted` readable as JSON. */
  serialize(item: T): string;
  /** The item a stored string holds; throws when the string is not one. */
  deserialize(serialized: string): T;
}

/**
 * The default codec: `JSON.stringify` and `JSON.parse`. It checks that what it reads back is an
 * object with a string key and a numeric version; validating the rest of the item is the
 * application's business (wrap this codec to add a schema).
 */
export function jsonItemCodec<T extends VersionedItem>(): ItemCodec<T> {
  return {
    serialize: (item) => JSON.stringify(item),
    deserialize: (serialized) => {
      const value: unknown = JSON.parse(serialized);
      const { key, version } = (value ?? {}) as Partial<VersionedItem>;
      if (typeof value !== 'object' || typeof key !== 'string' || typeof version !== 'number') {
        throw new Error('not an object with a string key and a numeric version');
      }
      return value as T;
    },
  };
}

/** The descriptor a store keeps for `item`. */
export function itemToDescriptor<T extends VersionedItem>(
  item: T,
  codec: ItemCodec<T> = jsonItemCodec<T>(),
): SerializedItemDescriptor {
  return {
    version: item.version,
    deleted: item.deleted === true,
    serializedItem: codec.serialize(item),
  };
}

/** The descriptor of a tombstone for `key` at `version`, in the form other writers of the schema use. */
export function tombstoneDescriptor(key: string, version: number): SerializedItemDescriptor {
  return {
    version,
    deleted: true,
    serializedItem: tombstoneBody(key, version),
  };
}

/**
 * The item a descriptor holds, or `undefined` for a tombstone. A body that the codec cannot read
 * is a `serialization` error naming the kind and key.
 */
export function descriptorToItem<T extends VersionedItem>(
  descriptor: SerializedItemDescriptor,
  where: { readonly kind: string; readonly key: string },
  codec: ItemCodec<T> = jsonItemCodec<T>(),
): T | undefined {
  if (descriptor.deleted || descriptor.serializedItem === undefined) return undefined;
  try {
    return codec.deserialize(descriptor.serializedItem);
  } catch (error) {
    throw undecodableError(where.kind, where.key, error);
  }
}

/** The `serialization` error of a stored body that the kind's codec cannot read. */
export function undecodableError(kind: string, key: string, cause: unknown): StowageError {
  return new StowageError(
    StoreErrorCode.Serialization,
    `Item ${JSON.stringify(key)} of kind "${kind}" could not be decoded`,
    { cause },
  );
}
