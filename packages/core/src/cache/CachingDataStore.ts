import type { DataKind } from '../contract/DataKind.js';
import type {
  FullDataSet,
  PersistentDataStore,
  UpsertResult,
} from '../contract/PersistentDataStore.js';
import type { SerializedItemDescriptor } from '../contract/SerializedItemDescriptor.js';
import { validateFullDataSet, validateKey, validateKind } from '../contract/validation.js';
import { closedError } from '../errors/closedError.js';
import { isUnavailability } from '../errors/isUnavailability.js';
import type { CachedKindForm } from './CachedKindForm.js';
import { NOT_FOUND } from './CacheEntries.js';
import { asStored, CacheState } from './CacheState.js';
import { type CachingOptions, resolveCachingOptions } from './CachingOptions.js';
import type { PendingRead } from './PendingReads.js';
import { writeBack } from './writeBack.js';

// "false" is asked again at most this often: apps poll isInitialized() at start-up in a loop.
const INIT_RECHECK_MS = 1_000;

/** What the cache did when the backend came back after an outage. */
export interface RecoveryOutcome {
  /** True when the application's data source should call `init` again. */
  readonly needsRefresh: boolean;
}

/** The outcome of an upsert through the cache, with what is stored in the cache's own form. */
export interface CachedWrite {
  readonly result: UpsertResult;
  /** When rejected: the kept value of what is stored (see {@link CachedKindForm}). */
  readonly current: unknown;
}

/**
 * A value in the form it is kept in. The form travels with the value because a kind's form can
 * change while a read is in flight (on the kind's first typed use).
 */
interface Kept<T> {
  readonly form: CachedKindForm;
  readonly value: T;
}

/** A `get` in flight, with its answer converted once per form its callers need. */
type ItemRead = PendingRead<SerializedItemDescriptor | undefined> & { kept?: Kept<unknown> };
/** A `getAll` in flight, likewise. */
type KindRead = PendingRead<ReadonlyMap<string, SerializedItemDescriptor>> & {
  kept?: Kept<Map<string, unknown>>;
};

function keptItem(
  read: ItemRead,
  form: CachedKindForm,
  key: string,
  descriptor: SerializedItemDescriptor | undefined,
): Kept<unknown> {
  if (read.kept?.form !== form) {
    const value = descriptor === undefined ? NOT_FOUND : form.fromDescriptor(key, descriptor);
    read.kept = { form, value };
  }
  return read.kept;
}

/**
 * The caching decorator: wraps any {@link PersistentDataStore} and is one. Drivers never cache;
 * this does, with the rules of the store contract:
 *
 * - TTL > 0: items, not-found results and whole kinds (`getAll`) are kept for the TTL; a
 *   successful upsert updates the item and keeps the kind's whole-kind entry up to date; `init`
 *   replaces the kinds it is given, once the backend accepted it. TTL 0: every call goes through.
 *   Infinite TTL: nothing expires, and while the backend is down a failed write still rejects but
 *   the cache takes it, to be written back by {@link recover}.
 * - Concurrent misses for one key (or one kind's `getAll`) make one backend call.
 * - A read that started before a write or `init` of this instance never caches its older answer.
 * - `isInitialized()`: true is remembered, false asked again at most once a second.
 */
export class CachingDataStore implements PersistentDataStore {
  /** The TTL in milliseconds: 0 for no cache, `Infinity` for an infinite TTL. */
  readonly ttlMs: number;
  private readonly now: () => number;
  private readonly refreshAheadMs: number;
  private readonly enabled: boolean;
  private readonly infinite: boolean;
  private readonly state: CacheState;
  private initTakenWhileDown = false;
  /** The kinds of every init this instance ran (or took while down): the data set it vouches for. */
  private readonly initKinds = new Set<string>();
  private knownInitialized = false;
  private initCheckedAt = Number.NEGATIVE_INFINITY;
  private initCheck: Promise<boolean> | undefined;
  private closed = false;

  constructor(
    private readonly inner: PersistentDataStore,
    options: CachingOptions,
  ) {
    const resolved = resolveCachingOptions(options);
    this.ttlMs = resolved.ttlMs;
    this.now = resolved.now;
    this.refreshAheadMs = resolved.refreshAheadMs;
    this.enabled = resolved.ttlMs > 0;
    this.infinite = resolved.ttlMs === Number.POSITIVE_INFINITY;
    this.state = new CacheState(resolved.ttlMs, resolved.maxEntries, resolved.now);
  }

  /** The number of cached entries (not-found results included). */
  get size(): number {
    return this.state.entries.size;
  }

  /** The number of keys written while the backend was down and not yet written back. */
  get pendingWriteBacks(): number {
    return this.state.dirty.size;
  }

  /**
   * Keeps the items of `namespace` in `form` from now on (the typed store keeps parsed, frozen
   * items). What is already cached for the kind is converted, so nothing is lost.
   */
  useForm(namespace: string, form: CachedKindForm): void {
    const previous = this.state.formOf(namespace);
    if (previous === form) return;
    this.state.forms.set(namespace, form);
    // Reads in flight are kept: each caller takes their answer in the form current when it
    // resumes (see keptItem), so a first typed use joins a raw read instead of reading again.
    for (const entry of this.state.entries.kind(namespace)?.items.values() ?? []) {
      if (entry.value !== NOT_FOUND) {
        entry.value = form.fromDescriptor(entry.key, previous.toDescriptor(entry.key, entry.value));
      }
    }
  }

  async init(allData: FullDataSet): Promise<void> {
    this.assertOpen();
    if (!this.enabled) return this.inner.init(allData);
    try {
      await this.inner.init(allData);
    } catch (error) {
      if (this.infinite && isUnavailability(error) && !this.closed) {
        validateFullDataSet(allData);
        this.state.prime(allData);
        for (const { kind } of allData) this.initKinds.add(kind.namespace);
        // Upserts cannot remove what init would have removed: the data source should init again.
        this.initTakenWhileDown = true;
      }
      throw error;
    }
    if (this.closed) return;
    this.state.prime(allData);
    for (const { kind } of allData) this.initKinds.add(kind.namespace);
    this.knownInitialized = true;
  }

  async get(kind: DataKind, key: string): Promise<SerializedItemDescriptor | undefined> {
    if (!this.enabled) return this.inner.get(kind, key);
    validateKind(kind);
    validateKey(key);
    const cached = this.peek(kind.namespace, key);
    if (cached === undefined) {
      const { form, value } = await this.loadKept(kind, key);
      return value === NOT_FOUND ? undefined : form.toDescriptor(key, value);
    }
    return cached === NOT_FOUND
      ? undefined
      : this.state.formOf(kind.namespace).toDescriptor(key, cached);
  }

  async getAll(kind: DataKind): Promise<ReadonlyMap<string, SerializedItemDescriptor>> {
    if (!this.enabled) return this.inner.getAll(kind);
    validateKind(kind);
    const cached = this.peekAll(kind.namespace);
    const { form, value: values } =
      cached === undefined
        ? await this.loadAllKept(kind)
        : { form: this.state.formOf(kind.namespace), value: cached };
    const result = new Map<string, SerializedItemDescriptor>();
    for (const [key, value] of values) result.set(key, form.toDescriptor(key, value));
    return result;
  }

  async upsert(
    kind: DataKind,
    key: string,
    descriptor: SerializedItemDescriptor,
  ): Promise<UpsertResult> {
    return (await this.write(kind, key, descriptor)).result;
  }

  async isInitialized(): Promise<boolean> {
    this.assertOpen();
    if (!this.enabled) return this.inner.isInitialized();
    if (this.knownInitialized) return true;
    if (this.now() - this.initCheckedAt < INIT_RECHECK_MS) return false;
    this.initCheck ??= this.inner.isInitialized().then(
      (initialized) => {
        this.initCheck = undefined;
        if (initialized) this.knownInitialized = true;
        else this.initCheckedAt = this.now();
        return initialized;
      },
      (error: unknown) => {
        this.initCheck = undefined;
        throw error;
      },
    );
    return this.initCheck;
  }

  async isAvailable(): Promise<boolean> {
    return !this.closed && this.inner.isAvailable();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.state.entries.clear();
    this.state.pending.overtakeAll();
    this.state.dirty.clear();
    await this.inner.close();
  }

  /**
   * The kept value of a key when the cache can answer without the backend: an item's value,
   * {@link NOT_FOUND}, or `undefined` when {@link load} must be called. A hit needs no validation
   * (only valid keys are ever cached), so the caller validates only before {@link load}.
   */
  peek(namespace: string, key: string): unknown {
    if (this.closed) throw closedError();
    if (!this.enabled) return undefined;
    const entry = this.state.entries.get(namespace, key);
    if (entry === undefined) {
      // A key missing from a kind held whole is known not to exist.
      const completeUntil = this.state.entries.kind(namespace)?.completeUntil ?? 0;
      if (completeUntil === 0 || (!this.infinite && completeUntil <= this.now())) return undefined;
      // Callers may peek before validating (a cached key was valid when it was stored); a key
      // that is not cached must be checked before it is called absent.
      validateKey(key);
      return NOT_FOUND;
    }
    if (!this.infinite) {
      const left = entry.expiresAt - this.now();
      if (left <= 0) return undefined;
      if (left <= this.refreshAheadMs) this.refreshInBackground(namespace, key);
    }
    return entry.value;
  }

  // One reload through `load`, so it is shared with concurrent misses and obeys the same race
  // rules; its failure is reported by the status layer below, and the entry simply expires.
  private refreshInBackground(namespace: string, key: string): void {
    if (this.state.pending.item(namespace, key) !== undefined) return;
    this.load({ namespace }, key).catch(() => {});
  }

  /**
   * Reads a key from the backend (one call for concurrent misses), caches the answer, and
   * resolves with its kept value in the kind's current form.
   */
  async load(kind: DataKind, key: string): Promise<unknown> {
    return (await this.loadKept(kind, key)).value;
  }

  private async loadKept(kind: DataKind, key: string): Promise<Kept<unknown>> {
    const read = this.readItem(kind, key);
    const descriptor = await read.promise;
    // The form is looked up after the wait: it may have changed meanwhile.
    return keptItem(read, this.state.formOf(kind.namespace), key, descriptor);
  }

  private readItem(kind: DataKind, key: string): ItemRead {
    const namespace = kind.namespace;
    const pending = this.enabled ? this.state.pending.item(namespace, key) : undefined;
    if (pending !== undefined) return pending as ItemRead;
    const epoch = this.state.epoch(namespace);
    const read = { stale: false } as ItemRead;
    read.promise = this.inner.get(kind, key).then(
      (descriptor) => {
        this.state.pending.removeItem(namespace, key, read);
        if (this.mayFill(read, namespace, epoch) && !this.state.dirty.has(namespace, key)) {
          const { value } = keptItem(read, this.state.formOf(namespace), key, descriptor);
          const version = descriptor?.version ?? -1;
          this.state.entries.set(namespace, key, value, version, this.state.expiry());
        }
        return descriptor;
      },
      (error: unknown) => {
        this.state.pending.removeItem(namespace, key, read);
        throw error;
      },
    );
    if (this.enabled) this.state.pending.addItem(namespace, key, read);
    return read;
  }

  /** The kept values of a whole kind when the cache holds it all, else `undefined`. */
  peekAll(namespace: string): Map<string, unknown> | undefined {
    if (this.closed) throw closedError();
    if (!this.enabled) return undefined;
    const kind = this.state.entries.kind(namespace);
    if (kind === undefined || kind.completeUntil === 0) return undefined;
    if (!this.infinite && kind.completeUntil <= this.now()) return undefined;
    const values = new Map<string, unknown>();
    for (const [key, entry] of kind.items)
      if (entry.value !== NOT_FOUND) values.set(key, entry.value);
    return values;
  }

  /**
   * Reads a whole kind from the backend (one call for concurrent misses), caches it, and resolves
   * with a map of its own holding the kept values in the kind's current form.
   */
  async loadAll(kind: DataKind): Promise<Map<string, unknown>> {
    return (await this.loadAllKept(kind)).value;
  }

  private async loadAllKept(kind: DataKind): Promise<Kept<Map<string, unknown>>> {
    const namespace = kind.namespace;
    const read = this.readKind(kind);
    const descriptors = await read.promise;
    const form = this.state.formOf(namespace);
    if (read.kept?.form !== form) {
      read.kept = { form, value: this.state.fillKind(namespace, descriptors, false) };
    }
    // Each caller gets a map of its own: the result belongs to the caller.
    return { form, value: new Map(read.kept.value) };
  }

  private readKind(kind: DataKind): KindRead {
    const namespace = kind.namespace;
    const pending = this.state.pending.kind(namespace);
    if (pending !== undefined) return pending as KindRead;
    const epoch = this.state.epoch(namespace);
    const read = { stale: false } as KindRead;
    read.promise = this.inner.getAll(kind).then(
      (descriptors) => {
        this.state.pending.removeKind(namespace, read);
        const fill = this.mayFill(read, namespace, epoch);
        const values = this.state.fillKind(namespace, descriptors, fill);
        read.kept = { form: this.state.formOf(namespace), value: values };
        return descriptors;
      },
      (error: unknown) => {
        this.state.pending.removeKind(namespace, read);
        throw error;
      },
    );
    if (this.enabled) this.state.pending.addKind(namespace, read);
    return read;
  }

  /** An upsert that also returns what is stored in the cache's form (for the typed store). */
  async write(
    kind: DataKind,
    key: string,
    descriptor: SerializedItemDescriptor,
  ): Promise<CachedWrite> {
    this.assertOpen();
    validateKind(kind);
    const namespace = kind.namespace;
    const epoch = this.state.epoch(namespace);
    let result: UpsertResult;
    try {
      result = await this.inner.upsert(kind, key, descriptor);
    } catch (error) {
      if (this.infinite && isUnavailability(error) && !this.closed) {
        if (this.state.epoch(namespace) === epoch) this.state.takeWhileDown(kind, key, descriptor);
      }
      throw error;
    }
    const form = this.state.formOf(namespace);
    const current =
      result.current === undefined ? undefined : form.fromDescriptor(key, result.current);
    if (this.enabled && !this.closed) {
      this.state.pending.overtakeItem(namespace, key);
      const stored = result.applied ? descriptor : result.current;
      if (this.state.epoch(namespace) !== epoch || stored === undefined) {
        if (!this.state.dirty.has(namespace, key)) this.state.entries.delete(namespace, key);
      } else {
        const value = result.applied
          ? form.fromDescriptor(key, asStored(key, descriptor))
          : current;
        this.state.settle(namespace, key, value, stored.version);
      }
    }
    return { result, current };
  }

  /**
   * Called when the backend is back after an outage. Infinite TTL: writes back, with
   * version-checked upserts (never an `init` of a kind, which would clobber what other instances
   * wrote meanwhile), every kind the cache holds whole plus every key written during the outage; a
   * kind held in part is never written as if whole. Then the initialized marker (an `init` of no
   * kind), only where this instance ran an init and holds all of its kinds whole; otherwise it
   * asks for a refresh. Finite TTL: forgets everything (other instances may have written) and
   * asks for a refresh. Rejects when the backend fails again.
   */
  async recover(): Promise<RecoveryOutcome> {
    if (!this.infinite) {
      this.state.entries.clear();
      this.state.pending.overtakeAll();
      return { needsRefresh: true };
    }
    await writeBack(this.state, this.inner, () => this.closed);
    // The backend may have come back empty. Its initialized marker is written back only by an
    // instance that can vouch for the data set: one that ran an init and still holds every kind
    // of it whole. Any other instance leaves the marker as it is and asks for a refresh.
    if (!this.holdsInitWhole()) return { needsRefresh: true };
    await this.inner.init([]);
    const needsRefresh = this.initTakenWhileDown;
    this.initTakenWhileDown = false;
    return { needsRefresh };
  }

  private holdsInitWhole(): boolean {
    if (this.initKinds.size === 0) return false;
    for (const namespace of this.initKinds) {
      if ((this.state.entries.kind(namespace)?.completeUntil ?? 0) === 0) return false;
    }
    return true;
  }

  private mayFill(read: PendingRead<unknown>, namespace: string, epoch: number): boolean {
    return this.enabled && !read.stale && !this.closed && this.state.epoch(namespace) === epoch;
  }

  private assertOpen(): void {
    if (this.closed) throw closedError();
  }
}
