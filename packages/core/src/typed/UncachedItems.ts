import type { KeptForm } from '../cache/KeptForm.js';
import type { PersistentDataStore } from '../contract/PersistentDataStore.js';
import type { SerializedItemDescriptor } from '../contract/SerializedItemDescriptor.js';
import { forEachInSlices } from '../contract/yieldingLoop.js';
import type { Frozen } from './deepFreeze.js';
import type { KindDefinition } from './defineKind.js';
import { itemOf, LiveItems, writeResultOf } from './keptItems.js';
import type { TypedItems } from './TypedItems.js';
import { type Kept, typedKindForm } from './typedKindForm.js';
import type { VersionedItem } from './VersionedItem.js';
import type { WriteResult } from './WriteResult.js';

/**
 * The items of one kind without a cache (TTL 0): every call goes to the backend (the status
 * tracker over the driver, which validates the key) and every answer is decoded and deep-frozen
 * as the cache would keep it, so items look the same with or without a cache.
 */
export class UncachedItems<T extends VersionedItem> implements TypedItems<T> {
  private readonly form: KeptForm<Kept<T>>;

  constructor(
    private readonly inner: PersistentDataStore,
    readonly kind: KindDefinition<T>,
  ) {
    this.form = typedKindForm(kind.codec);
  }

  async get(key: string): Promise<Frozen<T> | undefined> {
    const descriptor = await this.inner.get(this.kind, key);
    if (descriptor === undefined) return undefined;
    return itemOf(this.form.fromDescriptor(key, descriptor), this.kind.namespace, key);
  }

  async all(): Promise<Map<string, Frozen<T>>> {
    const descriptors = await this.inner.getAll(this.kind);
    const live = new LiveItems<T>(this.kind.namespace);
    const form = this.form;
    // Decoding and freezing 100,000 items would hold the event loop for a fraction of a second.
    const decoding = forEachInSlices(descriptors, ([key, descriptor]) => {
      live.add(key, form.fromDescriptor(key, descriptor));
    });
    if (decoding !== undefined) await decoding;
    return live.result(form);
  }

  async write(key: string, descriptor: SerializedItemDescriptor): Promise<WriteResult<T>> {
    const result = await this.inner.upsert(this.kind, key, descriptor);
    const stored = result.current;
    return writeResultOf<T>(
      result,
      stored === undefined ? undefined : this.form.fromDescriptor(key, stored),
    );
  }
}
