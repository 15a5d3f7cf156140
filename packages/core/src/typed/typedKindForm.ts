import type { KeptForm } from '../cache/KeptForm.js';
import type { SerializedItemDescriptor } from '../contract/SerializedItemDescriptor.js';
import type { StowageError } from '../errors/StowageError.js';
import { deepFreeze, type Frozen } from './deepFreeze.js';
import { type ItemCodec, tombstoneDescriptor, undecodableError } from './ItemCodec.js';
import type { VersionedItem } from './VersionedItem.js';

/**
 * What is kept for a key of a typed kind that is not a live item. One base class, so that a hit
 * on a live item is told apart with a single check.
 */
export abstract class NotAnItem {}

/** What is kept for a tombstone of a typed kind: only its version. */
export class KeptTombstone extends NotAnItem {
  constructor(readonly version: number) {
    super();
    Object.freeze(this);
  }
}

/** What is kept for a stored body the codec could not read: the body and the reason. */
export class KeptUndecodable extends NotAnItem {
  constructor(
    readonly descriptor: SerializedItemDescriptor,
    readonly cause: unknown,
  ) {
    super();
    Object.freeze(this);
  }

  /** The serialization error a typed read of this value reports. */
  toError(kind: string, key: string): StowageError {
    return undecodableError(kind, key, this.cause);
  }
}

/** What the typed store keeps for a stored item of type `T`. */
export type Kept<T> = Frozen<T> | KeptTombstone | KeptUndecodable;

const forms = new WeakMap<ItemCodec<VersionedItem>, KeptForm<Kept<VersionedItem>>>();

/**
 * The kept form of a typed kind: live items are kept deserialized and deep-frozen (a hit
 * deserializes nothing, and callers share the object safely); the serialized string is not kept,
 * which keeps a large cache close to the size of the parsed items alone. One form per codec, so
 * that every definition of a kind with the same codec shares the cached items.
 */
export function typedKindForm<T extends VersionedItem>(codec: ItemCodec<T>): KeptForm<Kept<T>> {
  const known = forms.get(codec as ItemCodec<VersionedItem>);
  // Made below for this very codec.
  if (known !== undefined) return known as KeptForm<Kept<T>>;
  const fromDescriptor = (_key: string, descriptor: SerializedItemDescriptor): Kept<T> => {
    if (descriptor.deleted || descriptor.serializedItem === undefined) {
      return new KeptTombstone(descriptor.version);
    }
    try {
      return deepFreeze(codec.deserialize(descriptor.serializedItem));
    } catch (error) {
      return new KeptUndecodable({ ...descriptor }, error);
    }
  };
  const form: KeptForm<Kept<T>> = {
    fromDescriptor,
    // Nothing of the descriptor is kept but a copy of an undecodable one.
    fromAnswer: fromDescriptor,
    toDescriptor(key, value) {
      if (value instanceof KeptTombstone) return tombstoneDescriptor(key, value.version);
      if (value instanceof KeptUndecodable) return { ...value.descriptor };
      const item = value as T;
      return {
        version: item.version,
        deleted: item.deleted === true,
        serializedItem: codec.serialize(item),
      };
    },
  };
  forms.set(codec as ItemCodec<VersionedItem>, form as KeptForm<Kept<VersionedItem>>);
  return form;
}
