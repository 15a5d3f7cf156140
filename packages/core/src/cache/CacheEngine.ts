import type { FullDataSet, PersistentDataStore } from '../contract/PersistentDataStore.js';
import { validateFullDataSetYielding } from '../contract/validation.js';
import { closedError } from '../errors/closedError.js';
import { isUnavailability } from '../errors/isUnavailability.js';
import type { ResolvedCachingOptions } from './CachingOptions.js';
import { EntryBound } from './EntryBound.js';
import { descriptorForm, type KeptForm } from './KeptForm.js';
import { KindCache } from './KindCache.js';
import { primeKind } from './kindFill.js';
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

  assertOpen(): void {
    if (this.closed) throw closedError();
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

  /** The cache of a kind, keeping its values in `form` from now on (see KindCache.convertTo). */
  claim<V>(namespace: string, form: KeptForm<V>): KindCache<V> {
    return this.kind(namespace).convertTo(form);
  }

  /**
   * Sends the init to the backend, then replaces the cached kinds it gives with its content, each
   * held whole. Infinite TTL with the backend down: the cache takes the init (and asks for a
   * refresh on recovery, since upserts cannot remove what the init would have), and it rejects.
   */
  async init(allData: FullDataSet): Promise<void> {
    this.assertOpen();
    try {
      await this.inner.init(allData);
    } catch (error) {
      if (this.infinite && isUnavailability(error) && !this.closed) {
        await validateFullDataSetYielding(allData);
        await this.prime(allData);
        this.initTakenWhileDown = true;
      }
      throw error;
    }
    if (this.closed) return;
    await this.prime(allData);
    this.knownInitialized = true;
  }

  private async prime(allData: FullDataSet): Promise<void> {
    // Every kind is emptied at once, before any slice of work lets other calls in, so that no
    // read meanwhile answers from a kind the backend has replaced.
    for (const { kind } of allData) this.kind(kind.namespace).forget(true);
    const primed = new Set<string>();
    for (const { kind, items } of allData) {
      const cache = this.kind(kind.namespace);
      // A kind given twice: the last one is what the backend holds, as a driver stores it.
      if (primed.has(kind.namespace)) cache.forget(false);
      primed.add(kind.namespace);
      const priming = primeKind(cache, items);
      if (priming !== undefined) await priming;
      this.initKinds.add(kind.namespace);
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
  async recover(): Promise<RecoveryOutcome> {
    if (!this.infinite) {
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

  private holdsInitWhole(): boolean {
    if (this.initKinds.size === 0) return false;
    for (const namespace of this.initKinds) {
      if ((this.kinds.get(namespace)?.completeUntil ?? 0) === 0) return false;
    }
    return true;
  }

  private forgetAll(bumpEpochs: boolean): void {
    for (const cache of this.kinds.values()) cache.forget(bumpEpochs);
    this.bound.reset();
  }
}
