import type { CachedKindForm } from '../cache/CachedKindForm.js';
import type { SerializedItemDescriptor } from '../contract/SerializedItemDescriptor.js';
import type { StowageError } from '../errors/StowageError.js';
import { deepFreeze } from './deepFreeze.js';
import { type ItemCodec, tombstoneDescriptor, undecodableError } from './ItemCodec.js';
import type { VersionedItem } from './VersionedItem.js';

/** What the cache keeps for a tombstone of a typed kind: only its version. */
export class KeptTombstone {
  constructor(readonly version: number) {
    Object.freeze(this);
  }
}

/** What the cache keeps for a stored body the codec could not read: the body and the reason. */
export class KeptUndecodable {
  constructor(
    readonly descriptor: SerializedItemDescriptor,
    readonly cause: unknown,
  ) {
    Object.freeze(this);
  }

  /** The serialization error a typed read of this value reports. */
  toError(kind: string, key: string): StowageError {
    return undecodableError(kind, key, this.cause);
  }
}

const forms = new WeakMap<ItemCodec<VersionedItem>, CachedKindForm>();

/**
 * The cache form of a typed kind: live items are kept deserialized and deep-frozen (a hit
 * deserializes nothing, and callers share the object safely); the serialized string is not kept,
 * which keeps a large cache close to the size of the parsed items alone. One form per codec.
 */
export function typedKindForm<T extends VersionedItem>(codec: ItemCodec<T>): CachedKindForm {
  const known = forms.get(codec as ItemCodec<VersionedItem>);
  if (known !== undefined) return known;
  const form: CachedKindForm = {
    fromDescriptor(_key, descriptor) {
      if (descriptor.deleted || descriptor.serializedItem === undefined) {
        return new KeptTombstone(descriptor.version);
      }
      try {
        return deepFreeze(codec.deserialize(descriptor.serializedItem));
      } catch (error) {
        return new KeptUndecodable({ ...descriptor }, error);
      }
    },
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
  forms.set(codec as ItemCodec<VersionedItem>, form);
  return form;
}
