import { NOT_FOUND, type NotFound } from '../cache/CacheEntry.js';
import type { KeptForm } from '../cache/KeptForm.js';
import type { UpsertResult } from '../contract/PersistentDataStore.js';
import type { SerializedItemDescriptor } from '../contract/SerializedItemDescriptor.js';
import { StowageSerializationError } from '../errors/StowageSerializationError.js';
import type { Frozen } from './deepFreeze.js';
import { type Kept, KeptTombstone, KeptUndecodable, NotAnItem } from './typedKindForm.js';
import type { VersionedItem } from './VersionedItem.js';
import type { WriteResult } from './WriteResult.js';

// How kept values become what the typed store answers, cached or not.

/** The item a kept value is, `undefined` for none or a tombstone; throws for an undecodable body. */
export function itemOf<T>(
  kept: Kept<T> | NotFound,
  namespace: string,
  key: string,
): Frozen<T> | undefined {
  if (kept === NOT_FOUND) return undefined;
  if (!(kept instanceof NotAnItem)) return kept;
  if (kept instanceof KeptUndecodable) throw kept.toError(namespace, key);
  return undefined;
}

/** What a typed write reports, from the backend's result and what is stored as kept. */
export function writeResultOf<T>(
  result: UpsertResult,
  current: Kept<T> | undefined,
): WriteResult<T> {
  if (result.applied) return { applied: true };
  if (current instanceof KeptTombstone) {
    return { applied: false, current: { deleted: true, version: current.version } };
  }
  // What is stored could not be decoded (or the driver did not say): report the rejection alone.
  if (current === undefined || current instanceof KeptUndecodable) return { applied: false };
  // A live item of a kind whose items are VersionedItems.
  const { version } = current as Frozen<T> & VersionedItem;
  return { applied: false, current: { deleted: false, version, item: current } };
}

/**
 * Collects the live items of a whole kind from its kept values: tombstones left out, and every
 * key whose body the codec could not read remembered for one serialization error.
 */
export class LiveItems<T> {
  private readonly items = new Map<string, Frozen<T>>();
  private undecodable: string[] | undefined = undefined;

  constructor(private readonly namespace: string) {}

  /** Takes one kept value (bound, to be handed to a visitor). */
  readonly add = (key: string, kept: Kept<T>): void => {
    if (!(kept instanceof NotAnItem)) this.items.set(key, kept);
    else if (kept instanceof KeptUndecodable) {
      this.undecodable ??= [];
      this.undecodable.push(key);
    }
  };

  /** The live items, or the serialization error naming every key that could not be decoded. */
  result(form: KeptForm<Kept<T>>): Map<string, Frozen<T>> {
    if (this.undecodable === undefined) return this.items;
    const parsed = new Map<string, SerializedItemDescriptor>();
    for (const [key, item] of this.items) parsed.set(key, form.toDescriptor(key, item));
    throw new StowageSerializationError(this.namespace, this.undecodable, parsed);
  }
}
