import type { Observable } from 'rxjs';
import { NOT_FOUND } from '../cache/CacheEntries.js';
import type { CachedWrite, CachingDataStore } from '../cache/CachingDataStore.js';
import type { KindData, PersistentDataStore } from '../contract/PersistentDataStore.js';
import type { SerializedItemDescriptor } from '../contract/SerializedItemDescriptor.js';
import { validateKey, validateKind } from '../contract/validation.js';
import { StoreErrorCode } from '../errors/StoreErrorCode.js';
import { StowageError } from '../errors/StowageError.js';
import { StowageSerializationError } from '../errors/StowageSerializationError.js';
import type { StatusTrackingStore } from '../status/StatusTrackingStore.js';
import type { StoreStatus } from '../status/StoreStatus.js';
import type { DataStore } from './DataStore.js';
import type { Frozen } from './deepFreeze.js';
import type { KindDefinition } from './defineKind.js';
import { type ItemCodec, tombstoneDescriptor } from './ItemCodec.js';
import { KeptTombstone, KeptUndecodable, typedKindForm } from './typedKindForm.js';
import type { VersionedItem } from './VersionedItem.js';
import type { WriteResult } from './WriteResult.js';

const isKindDefinition = (kind: unknown): kind is KindDefinition<VersionedItem> =>
  typeof (kind as { codec?: { deserialize?: unknown } }).codec?.deserialize === 'function';

/**
 * The {@link DataStore} implementation: typed kinds over a {@link CachingDataStore} (TTL 0 when
 * there is no cache) over a {@link StatusTrackingStore} over the driver. Built by `wrapDriver`.
 */
export class TypedDataStore implements DataStore {
  readonly status$: Observable<StoreStatus>;
  // The codec each namespace is used with: one namespace, one codec, one cached form.
  private readonly codecs = new Map<string, ItemCodec<VersionedItem>>();

  constructor(
    private readonly cache: CachingDataStore,
    private readonly tracker: StatusTrackingStore,
  ) {
    this.status$ = tracker.status$;
  }

  get status(): StoreStatus {
    return this.tracker.status;
  }

  get raw(): PersistentDataStore {
    return this.cache;
  }

  async get<T extends VersionedItem>(
    kind: KindDefinition<T>,
    key: string,
  ): Promise<Frozen<T> | undefined> {
    this.claim(kind);
    // The hit path: two map lookups, no validation, no deserialization, no copy.
    let value = typeof key === 'string' ? this.cache.peek(kind.namespace, key) : undefined;
    if (value === undefined) {
      validateKey(key);
      value = await this.cache.load(kind, key);
    }
    if (value === NOT_FOUND || value instanceof KeptTombstone) return undefined;
    if (value instanceof KeptUndecodable) throw value.toError(kind.namespace, key);
    return value as Frozen<T>;
  }

  async all<T extends VersionedItem>(kind: KindDefinition<T>): Promise<Map<string, Frozen<T>>> {
    this.claim(kind);
    const values = this.cache.peekAll(kind.namespace) ?? (await this.cache.loadAll(kind));
    const undecodable: string[] = [];
    for (const [key, value] of values) {
      if (value instanceof KeptTombstone) values.delete(key);
      else if (value instanceof KeptUndecodable) undecodable.push(key);
    }
    if (undecodable.length > 0) {
      const form = typedKindForm(kind.codec);
      const parsed = new Map<string, SerializedItemDescriptor>();
      for (const [key, value] of values) {
        if (!(value instanceof KeptUndecodable)) parsed.set(key, form.toDescriptor(key, value));
      }
      throw new StowageSerializationError(kind.namespace, undecodable, parsed);
    }
    return values as Map<string, Frozen<T>>;
  }

  async upsert<T extends VersionedItem>(kind: KindDefinition<T>, item: T): Promise<WriteResult<T>> {
    validateKey(item?.key);
    this.claim(kind);
    let serializedItem: string;
    try {
      serializedItem = kind.codec.serialize(item);
    } catch (error) {
      throw new StowageError(
        StoreErrorCode.InvalidDescriptor,
        `Item ${JSON.stringify(item.key.slice(0, 100))} of kind "${kind.namespace}" could not be encoded`,
        { cause: error },
      );
    }
    const descriptor = { version: item.version, deleted: item.deleted === true, serializedItem };
    return this.toWriteResult<T>(await this.cache.write(kind, item.key, descriptor));
  }

  async delete<T extends VersionedItem>(
    kind: KindDefinition<T>,
    key: string,
    version: number,
  ): Promise<WriteResult<T>> {
    validateKey(key);
    this.claim(kind);
    return this.toWriteResult<T>(
      await this.cache.write(kind, key, tombstoneDescriptor(key, version)),
    );
  }

  async init(data: ReadonlyArray<KindData>): Promise<void> {
    if (Array.isArray(data)) {
      for (const { kind } of data) if (isKindDefinition(kind)) this.claim(kind);
    }
    await this.cache.init(data);
  }

  isInitialized(): Promise<boolean> {
    return this.cache.isInitialized();
  }

  close(): Promise<void> {
    return this.cache.close();
  }

  private toWriteResult<T>({ result, current }: CachedWrite): WriteResult<T> {
    if (result.applied) return { applied: true };
    if (current instanceof KeptTombstone) {
      return { applied: false, current: { deleted: true, version: current.version } };
    }
    // What is stored could not be decoded (or the driver did not say): report the rejection alone.
    if (current === undefined || current instanceof KeptUndecodable) return { applied: false };
    const item = current as Frozen<T> & VersionedItem;
    return { applied: false, current: { deleted: false, version: item.version, item } };
  }

  private claim<T extends VersionedItem>(kind: KindDefinition<T>): void {
    const codec = kind.codec as unknown as ItemCodec<VersionedItem>;
    const known = this.codecs.get(kind.namespace);
    if (known === codec) return;
    validateKind(kind);
    if (known !== undefined || !isKindDefinition(kind)) {
      throw new StowageError(
        StoreErrorCode.InvalidKind,
        `Kind "${kind.namespace}" is used with two different codecs (or without defineKind): define it once and share the definition`,
      );
    }
    this.codecs.set(kind.namespace, codec);
    this.cache.useForm(kind.namespace, typedKindForm(codec));
  }
}
