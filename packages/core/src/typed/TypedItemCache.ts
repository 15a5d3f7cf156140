import type { CacheEngine } from '../cache/CacheEngine.js';
import type { KeptForm } from '../cache/KeptForm.js';
import type { KindCache } from '../cache/KindCache.js';
import { valuesOf } from '../cache/kindFill.js';
import { cachedAfterFailure, wholeKindAfterFailure } from '../cache/servedDuringOutage.js';
import type { SerializedItemDescriptor } from '../contract/SerializedItemDescriptor.js';
import { validateKey } from '../contract/validation.js';
import type { Frozen } from './deepFreeze.js';
import type { KindDefinition } from './defineKind.js';
import { itemOf, LiveItems, writeResultOf } from './keptItems.js';
import type { TypedItems } from './TypedItems.js';
import { type Kept, typedKindForm } from './typedKindForm.js';
import type { VersionedItem } from './VersionedItem.js';
import type { WriteResult } from './WriteResult.js';

/**
 * The typed store's cache of one kind: the engine's cache of the kind, claimed in the kind's
 * kept form (parsed, deep-frozen items), so that a hit is two map lookups and hands out the
 * shared frozen item: nothing is deserialized, copied or validated.
 */
export class TypedItemCache<T extends VersionedItem> implements TypedItems<T> {
  private readonly form: KeptForm<Kept<T>>;
  private readonly cache: KindCache<Kept<T>>;

  constructor(
    engine: CacheEngine,
    readonly kind: KindDefinition<T>,
  ) {
    this.form = typedKindForm(kind.codec);
    this.cache = engine.claim(kind.namespace, this.form);
  }

  // Not async: a hit then costs one promise, not an async function's frame as well.
  get(key: string): Promise<Frozen<T> | undefined> {
    try {
      const kept = this.cache.readCached(key);
      if (kept !== undefined) return Promise.resolve(itemOf(kept, this.kind.namespace, key));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.load(key);
  }

  private async load(key: string): Promise<Frozen<T> | undefined> {
    validateKey(key);
    const read = this.cache.load(key);
    try {
      await read.promise;
    } catch (error) {
      return itemOf(cachedAfterFailure(this.cache, key, error), this.kind.namespace, key);
    }
    return itemOf(read.keptIn(this.form, key), this.kind.namespace, key);
  }

  async all(): Promise<Map<string, Frozen<T>>> {
    const live = new LiveItems<T>(this.kind.namespace);
    if (!this.cache.visitWholeKind(live.add)) {
      const read = this.cache.loadAll();
      try {
        await read.promise;
      } catch (error) {
        wholeKindAfterFailure(this.cache, live.add, error);
        return live.result(this.form);
      }
      for (const [key, kept] of await valuesOf(this.cache, read)) live.add(key, kept);
    }
    return live.result(this.form);
  }

  async write(key: string, descriptor: SerializedItemDescriptor): Promise<WriteResult<T>> {
    const { result, current } = await this.cache.write(key, descriptor);
    return writeResultOf(result, current);
  }
}
