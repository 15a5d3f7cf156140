import type { FullDataSet, PersistentDataStore } from '../contract/PersistentDataStore.js';
import { validateFullDataSetYielding } from '../contract/validation.js';
import { closedError } from '../errors/closedError.js';
import { isUnavailability } from '../errors/isUnavailability.js';
import { neverApplied } from '../errors/neverApplied.js';
import { readOnlyError } from '../errors/readOnlyError.js';
import type { StowageError } from '../errors/StowageError.js';
import type { ResolvedCachingOptions } from './CachingOptions.js';
import { convertKind } from './convertKind.js';
import { EntryBound } from './EntryBound.js';
import { descriptorForm, type KeptForm } from './KeptForm.js';
import { KindCache } from './KindCache.js';
import { namespacesOf, primeKind } from './kindFill.js';
import { writeBack } from './writeBack.js';

// "false" is asked again at most this often: apps poll isInitialized() at start-up in a loop.
const INIT_RECHECK_MS = 1_000;

/** What the cache did when the backend came back after an outage. */
export interface RecoveryOutcome {
  /** True when the application's data source should call `init` again. */
  readonly needsRefresh: boolean;
}

/**
 * The one place that holds the cache's rules, over a backend (the status tracker in a store an
 * app gets): the TTL (finite or infinite; a TTL of 0 builds no engine), refresh-ahead, the bound
 * on entries, and, per kind through {@link KindCache}, one backend call per concurrent miss and the
 * rule that a read which started before a write or init of this instance never caches its older
 * answer. Also: an infinite TTL takes writes while the backend is down and writes them back on
 * recovery; `isInitialized()` remembers true and asks "false" again at most once a second.
 *
 * The typed store's item caches and the raw `CachingDataStore` are views of one engine.
 */
export class CacheEngine {
  readonly infinite: boolean;
  /** Milliseconds before expiry from which a hit triggers a background reload; 0 for never. */
  readonly refreshAheadMs: number;
  /** The clock that decides expiry (shared by the hits of one event-loop turn by default). */
  readonly now: () => number;
  readonly bound: EntryBound;
  closed = false;
  /**
   * True while the cache must not answer or keep anything: the backend answers but the change
   * feed the cache follows is not live, so others' writes may be missing (or the store failed
   * for good). Set by the feed follower; read by every hit, so it is a plain field.
   */
  bypass = false;
  /** True while a change feed is followed: writes then note what the feed says meanwhile. */
  following = false;
  /** Writes are refused (code `read-only`) and the cache is never written back. */
  readOnly = false;
  private failure: StowageError | undefined = undefined;
  private onFirstUse: (() => void) | undefined = undefined;
  private recovery: Promise<RecoveryOutcome> | undefined = undefined;
  private readonly ttlMs: number;
  private readonly stampNow: () => number;
  private readonly kinds = new Map<string, KindCache<unknown>>();
  private initTakenWhileDown = false;
  /** The kinds of every init this instance ran (or took while down): the data set it vouches for. */
  private readonly initKinds = new Set<string>();
  private knownInitialized = false;
  private initCheckedAt = Number.NEGATIVE_INFINITY;
  private initCheck: Promise<boolean> | undefined;

  constructor(
    readonly inner: PersistentDataStore,
    options: ResolvedCachingOptions,
  ) {
    this.ttlMs = options.ttlMs;
    this.infinite = options.ttlMs === Number.POSITIVE_INFINITY;
    this.refreshAheadMs = options.refreshAheadMs;
    this.now = options.now;
    this.stampNow = options.stampNow;
    this.bound = new EntryBound(options.maxEntries, () => this.kinds.values(), options.now);
  }

  /** The number of cached entries (not-found results included). */
  get size(): number {
    return this.bound.size;
  }

  /** When an entry stored now expires. */
  expiry(): number {
    return this.infinite ? Number.POSITIVE_INFINITY : this.stampNow() + this.ttlMs;
  }

  /** Throws when the store is closed or failed for good; the first call starts the feed. */
  assertOpen(): void {
    if (this.closed) throw closedError();
    if (this.failure !== undefined) throw this.failure;
    const start = this.onFirstUse;
    if (start !== undefined) {
      this.onFirstUse = undefined;
      start();
    }
  }

  /** {@link assertOpen}, and throws `read-only` for a store that refuses writes. */
  assertWritable(operation: string): void {
    this.assertOpen();
    if (this.readOnly) throw readOnlyError(operation);
  }

  /** Runs `start` on the first operation (creating a store does no I/O; using it may). */
  startOnFirstUse(start: () => void): void {
    this.onFirstUse = start;
  }

  /** From now on every operation rejects with `error`, and nothing cached is answered. */
  fail(error: StowageError): void {
    this.failure ??= error;
    this.bypass = true;
  }

  /** The cache of a kind the engine has seen, if any (namespaces are validated before). */
  existing(namespace: unknown): KindCache<unknown> | undefined {
    return typeof namespace === 'string' ? this.kinds.get(namespace) : undefined;
  }

  /** The cache of a kind, in the form it has; made on first use. The namespace must be valid. */
  kind(namespace: string): KindCache<unknown> {
    let cache = this.kinds.get(namespace);
    if (cache === undefined) {
      cache = new KindCache<unknown>(this, namespace, descriptorForm as KeptForm<unknown>);
      this.kinds.set(namespace, cache);
    }
    return cache;
  }

  /** The cache of a kind, keeping its values in `form` from now on (see convertKind). */
  claim<V>(namespace: string, form: KeptForm<V>): KindCache<V> {
    return convertKind(this.kind(namespace), form);
  }

  /**
   * Sends the init to the backend, then replaces the cached kinds it gives with its content, each
   * held whole. Infinite TTL with the backend down: the cache takes the init (and asks for a
   * refresh on recovery, since upserts cannot remove what the init would have), and it rejects.
   */
  async init(allData: FullDataSet): Promise<void> {
    this.assertWritable('init');
    const watched = this.following ? this.watchInit(allData) : undefined;
    try {
      await this.inner.init(allData);
    } catch (error) {
      for (const cache of watched ?? []) cache.writes.endInit();
      if (this.infinite && isUnavailability(error) && !this.closed) {
        await validateFullDataSetYielding(allData);
        await this.prime(allData);
        this.initTakenWhileDown = true;
      } else if (!neverApplied(error)) {
        // It may have been applied (its outcome unknown), and its own event is ignored.
        for (const namespace of namespacesOf(allData)) this.existing(namespace)?.forget(true);
      }
      throw error;
    }
    // Keys another instance wrote while the init was in flight may be newer than its items.
    const evented = new Map<string, ReadonlySet<string> | 'kind'>();
    for (const cache of watched ?? []) evented.set(cache.namespace, cache.writes.endInit());
    if (this.closed) return;
    this.knownInitialized = true;
    if (this.bypass) {
      // Nothing is cached while the feed is down; the kinds are still this instance's init.
      for (const { kind } of allData) {
        this.existing(kind.namespace)?.forget(true);
        this.initKinds.add(kind.namespace);
      }
      return;
    }
    await this.prime(allData, evented);
  }

  // Notes, per kind of the init, the keys the feed reports written until it is answered.
  private watchInit(allData: FullDataSet): KindCache<unknown>[] {
    const caches = [...new Set(namespacesOf(allData).map((namespace) => this.kind(namespace)))];
    for (const cache of caches) cache.writes.beginInit();
    return caches;
  }

  private async prime(
    allData: FullDataSet,
    evented?: ReadonlyMap<string, ReadonlySet<string> | 'kind'>,
  ): Promise<void> {
    // Every kind is emptied at once, before any slice of work lets other calls in, so that no
    // read meanwhile answers from a kind the backend has replaced.
    for (const { kind } of allData) this.kind(kind.namespace).forget(true);
    const primed = new Set<string>();
    for (const { kind, items } of allData) {
      const cache = this.kind(kind.namespace);
      // A kind given twice: the last one is what the backend holds, as a driver stores it.
      if (primed.has(kind.namespace)) cache.forget(false);
      primed.add(kind.namespace);
      this.initKinds.add(kind.namespace);
      const skipped = evented?.get(kind.namespace);
      // Another init of the kind was announced meanwhile: its items may be newer than these.
      if (skipped === 'kind') continue;
      const priming = primeKind(cache, items, skipped);
      if (priming !== undefined) await priming;
    }
  }

  async isInitialized(): Promise<boolean> {
    this.assertOpen();
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
    this.forgetAll(false);
    await this.inner.close();
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
  recover(): Promise<RecoveryOutcome> {
    // One at a time: the status poll and a reset of the change feed may both ask for it.
    this.recovery ??= this.recoverOnce().finally(() => {
      this.recovery = undefined;
    });
    return this.recovery;
  }

  private async recoverOnce(): Promise<RecoveryOutcome> {
    // A read-only store never writes back: others may have written meanwhile, so it forgets.
    if (!this.infinite || this.readOnly) {
      this.forgetAll(false);
      return { needsRefresh: true };
    }
    await writeBack(this.kinds.values(), this.inner, () => this.closed);
    // The backend may have come back empty. Its initialized marker is written back only by an
    // instance that can vouch for the data set: one that ran an init and still holds every kind
    // of it whole. Any other instance leaves the marker as it is and asks for a refresh.
    if (!this.holdsInitWhole()) return { needsRefresh: true };
    await this.inner.init([]);
    const needsRefresh = this.initTakenWhileDown;
    this.initTakenWhileDown = false;
    return { needsRefresh };
  }

  /** The caches of every kind the engine has seen. */
  caches(): IterableIterator<KindCache<unknown>> {
    return this.kinds.values();
  }

  private holdsInitWhole(): boolean {
    if (this.initKinds.size === 0) return false;
    for (const namespace of this.initKinds) {
      if ((this.kinds.get(namespace)?.completeUntil ?? 0) === 0) return false;
    }
    return true;
  }

  /**
   * Forgets everything cached and in flight (close, recovery of a finite TTL, a reset of the
   * change feed). Bumping the epochs also keeps writes in flight from caching what they saw.
   */
  forgetAll(bumpEpochs: boolean): void {
    for (const cache of this.kinds.values()) cache.forget(bumpEpochs);
    this.bound.reset();
  }
}
