import type { DataKind } from '../contract/DataKind.js';
import type { UpsertResult } from '../contract/PersistentDataStore.js';
import type { SerializedItemDescriptor } from '../contract/SerializedItemDescriptor.js';
import { validateKey, validateUpsert } from '../contract/validation.js';
import { isUnavailability } from '../errors/isUnavailability.js';
import type { CacheEngine } from './CacheEngine.js';
import { CacheEntry, type EntryOwner, NOT_FOUND, type NotFound } from './CacheEntry.js';
import { asStored, type KeptForm } from './KeptForm.js';
import { fillFromAnswer, type KindFill } from './kindFill.js';
import { ItemRead, KindRead } from './reads.js';
import { WritesInFlight } from './WritesInFlight.js';

/** What a write through the cache did, with what is stored in the kind's kept form. */
export interface KeptWrite<V> {
  readonly result: UpsertResult;
  /** When rejected: what is stored, as the kind keeps it (`undefined` if the driver did not say). */
  readonly current: V | undefined;
}

const ignore = () => {};

/**
 * The cache of one kind: its entries, kept as values of type `V` (see {@link KeptForm}), the reads
 * of it in flight, and the rules by which an answer or a write may change what is cached. Made by
 * the {@link CacheEngine}, which holds what all kinds share (the TTL, the bound on entries, the
 * backend). The typed store's item cache and the raw `CachingDataStore` both read and write
 * through it, so a kind used both ways is cached once.
 */
export class KindCache<V> implements EntryOwner {
  readonly items = new Map<string, CacheEntry<V>>();
  /**
   * Until when the entries are the whole kind (a cached `getAll` or `init`), 0 when they are not.
   * Evicting any entry resets it: a kind with a hole must never pass for the whole kind.
   */
  completeUntil = 0;
  /** Bumped by every init of the kind: a write or read that spans one cannot tell what it saw. */
  epoch = 0;
  /** The fill from a whole-kind answer or an init in progress, if any (see kindFill.ts). */
  fill: KindFill | undefined = undefined;
  /** Keys written while the backend was down (infinite TTL), to be written back on recovery. */
  dirty: Set<string> | undefined = undefined;
  /** This instance's writes in flight, while the engine follows a change feed. */
  readonly writes = new WritesInFlight();
  /** The kind as the backend is called with it. */
  readonly kind: DataKind;
  private readonly reads = new Map<string, ItemRead>();
  private allRead: KindRead | undefined = undefined;
  // The engine's settings the hit path reads, kept here: one load each instead of two or three.
  private readonly refreshAheadMs: number;
  private readonly bounded: boolean;

  constructor(
    readonly engine: CacheEngine,
    readonly namespace: string,
    public form: KeptForm<V>,
  ) {
    this.kind = Object.freeze({ namespace });
    this.refreshAheadMs = engine.refreshAheadMs;
    this.bounded = engine.bound.bounded;
  }

  /**
   * A read answered by the cache: the kept value, {@link NOT_FOUND}, or `undefined` when the
   * read must go to the backend ({@link load}). Like any read it uses the entry (it becomes the
   * most recently used) and, in the last part of the entry's life, starts a background refresh.
   * Cached keys were valid when stored, so a hit needs no validation; a key missing from a kind
   * held whole is validated before it is called absent.
   */
  readCached(key: string): V | NotFound | undefined {
    const engine = this.engine;
    // The one check the change feed adds to a hit (see CacheEngine.bypass).
    if (engine.bypass) return undefined;
    const entry = this.items.get(key);
    if (entry === undefined) {
      const until = this.completeUntil;
      if (until === 0 || until <= engine.now()) return undefined;
      validateKey(key);
      return NOT_FOUND;
    }
    const expiresAt = entry.expiresAt;
    // An infinite TTL never reads the clock.
    if (expiresAt !== Number.POSITIVE_INFINITY) {
      const left = expiresAt - engine.now();
      if (left <= this.refreshAheadMs) {
        if (left <= 0) return undefined;
        this.refreshInBackground(key);
      }
    }
    if (this.bounded) engine.bound.touch(entry);
    return entry.value;
  }

  /**
   * The read of `key` from the backend: the one in flight, or a new one. Its answer is cached
   * unless a write or init of this instance overtook it. The caller has validated the key.
   */
  load(key: string): ItemRead {
    this.engine.assertOpen();
    let read = this.reads.get(key);
    if (read === undefined) {
      read = new ItemRead(this.epoch);
      this.reads.set(key, read);
      read.promise = this.fetch(key, read);
    }
    return read;
  }

  // One reload through `load`, so it is shared with concurrent misses and obeys the same race
  // rules; its failure is reported by the status layer below, and the entry simply expires.
  private refreshInBackground(key: string): void {
    if (!this.reads.has(key)) this.load(key).promise.catch(ignore);
  }

  private async fetch(key: string, read: ItemRead): Promise<void> {
    try {
      read.descriptor = await this.engine.inner.get(this.kind, key);
    } finally {
      // Only a write or an init (which mark it stale) take a read out before it settles.
      if (!read.stale) this.reads.delete(key);
    }
    if (this.mayFill(read) && this.dirty?.has(key) !== true) {
      const version = read.descriptor?.version ?? -1;
      this.set(key, read.keptIn(this.form, key), version, this.engine.expiry());
      this.fill?.touched.add(key);
    }
  }

  /** Calls `visit` with every value of the kind, and true, when the cache holds it whole. */
  visitWholeKind(visit: (key: string, value: V) => void): boolean {
    const until = this.completeUntil;
    if (until === 0 || this.engine.bypass || until <= this.engine.now()) return false;
    for (const [key, entry] of this.items) if (entry.value !== NOT_FOUND) visit(key, entry.value);
    return true;
  }

  /** The read of the whole kind from the backend: the one in flight, or a new one. */
  loadAll(): KindRead {
    this.engine.assertOpen();
    let read = this.allRead;
    if (read === undefined) {
      read = new KindRead(this.epoch);
      this.allRead = read;
      read.promise = this.fetchAll(read);
    }
    return read;
  }

  private async fetchAll(read: KindRead): Promise<void> {
    let descriptors: ReadonlyMap<string, SerializedItemDescriptor>;
    try {
      descriptors = await this.engine.inner.getAll(this.kind);
    } finally {
      if (!read.stale) this.allRead = undefined;
    }
    read.descriptors = descriptors;
    const filling = fillFromAnswer(this, read, this.mayFill(read));
    if (filling !== undefined) await filling;
  }

  /** Writes through to the backend, then caches what it stores. */
  async write(key: string, descriptor: SerializedItemDescriptor): Promise<KeptWrite<V>> {
    const engine = this.engine;
    engine.assertWritable('upsert');
    const epoch = this.epoch;
    const following = engine.following;
    if (following) this.writes.beginKey(key);
    let result: UpsertResult;
    try {
      result = await engine.inner.upsert(this.kind, key, descriptor);
    } catch (error) {
      // Announced by the feed: applied after all, though the answer was lost. Read it again.
      if (following && this.writes.endKey(key) >= 0) {
        this.forgetKey(key);
        throw error;
      }
      if (engine.infinite && isUnavailability(error) && !engine.closed && this.epoch === epoch) {
        this.takeWhileDown(key, descriptor);
      }
      throw error;
    }
    // Before anything that may throw: the write is no longer in flight.
    const seen = following ? this.writes.endKey(key) : -1;
    const form = this.form;
    const stored = result.applied ? asStored(key, descriptor) : result.current;
    const kept = stored === undefined ? undefined : form.fromDescriptor(key, stored);
    // Another instance's newer write announced before this answer came makes the answer old.
    const overtaken = seen > (stored?.version ?? -1);
    if (!engine.closed) {
      this.overtake(key);
      if (kept !== undefined && this.epoch === epoch && !overtaken && !engine.bypass) {
        this.settle(key, kept, (stored as SerializedItemDescriptor).version);
      } else if (this.dirty?.has(key) !== true) {
        // Absent, it must not be taken for absent from a kind held whole.
        this.forgetKey(key);
      }
    }
    return { result, current: result.applied ? undefined : kept };
  }

  /** Puts what the backend now holds for a key into the cache. */
  settle(key: string, value: V, version: number): void {
    const entry = this.items.get(key);
    if (entry !== undefined && entry.value !== NOT_FOUND && entry.version > version) {
      // Ours to write back: keep it. Otherwise two answers crossed; let the next read decide.
      if (this.dirty?.has(key) !== true) this.delete(key);
      return;
    }
    this.dirty?.delete(key);
    this.set(key, value, version, this.engine.expiry());
    this.fill?.touched.add(key);
  }

  /** Stores a value for a key, replacing what was there. */
  set(key: string, value: V | NotFound, version: number, expiresAt: number): void {
    const existing = this.items.get(key);
    if (existing === undefined) {
      const entry = new CacheEntry<V>(this, key, value, version, expiresAt);
      this.items.set(key, entry);
      this.engine.bound.added(entry);
      return;
    }
    existing.value = value;
    existing.version = version;
    existing.expiresAt = expiresAt;
    if (this.bounded) this.engine.bound.touch(existing);
  }

  /** Whether an answer read at `read.epoch` may still be cached. */
  mayFill(read: { readonly stale: boolean; readonly epoch: number }): boolean {
    const engine = this.engine;
    return !read.stale && !engine.closed && !engine.bypass && this.epoch === read.epoch;
  }

  /** Forgets `key`, which then is not known absent from a kind held whole either. */
  forgetKey(key: string): void {
    this.delete(key);
    this.completeUntil = 0;
  }

  /**
   * Forgets everything cached and in flight for the kind (close, recovery of a finite TTL). An
   * init also bumps the epoch, so that writes spanning it do not cache what they saw.
   */
  forget(bumpEpoch: boolean): void {
    if (bumpEpoch) this.epoch += 1;
    for (const read of this.reads.values()) read.stale = true;
    this.reads.clear();
    if (this.allRead !== undefined) this.allRead.stale = true;
    this.allRead = undefined;
    this.cancelFill();
    this.engine.bound.clearOwner(this);
    this.dirty = undefined;
  }

  /** Stops the fill in progress, if any: a newer answer, an init or a new form replaces it. */
  cancelFill(): void {
    if (this.fill !== undefined) this.fill.cancelled = true;
    this.fill = undefined;
  }

  /** Infinite TTL, backend down: the cache takes the write, as the backend would have. */
  private takeWhileDown(key: string, descriptor: SerializedItemDescriptor): void {
    validateUpsert(this.kind, key, descriptor);
    const entry = this.items.get(key);
    if (entry !== undefined && entry.value !== NOT_FOUND && entry.version >= descriptor.version) {
      return;
    }
    this.overtake(key);
    const value = this.form.fromDescriptor(key, asStored(key, descriptor));
    this.set(key, value, descriptor.version, Number.POSITIVE_INFINITY);
    this.dirty ??= new Set();
    this.dirty.add(key);
  }

  /** A write touched `key`: what was read before it must not be cached. */
  overtake(key: string): void {
    const read = this.reads.get(key);
    if (read !== undefined) {
      read.stale = true;
      this.reads.delete(key);
    }
    if (this.allRead !== undefined) {
      this.allRead.stale = true;
      this.allRead = undefined;
    }
    this.fill?.touched.add(key);
  }

  private delete(key: string): void {
    const entry = this.items.get(key);
    if (entry !== undefined) this.engine.bound.evict(entry);
  }
}
