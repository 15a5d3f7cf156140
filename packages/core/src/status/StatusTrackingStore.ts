import { BehaviorSubject, type Observable } from 'rxjs';
import type { ChangeFeed } from '../contract/ChangeFeed.js';
import type { DataKind } from '../contract/DataKind.js';
import type {
  FullDataSet,
  PersistentDataStore,
  UpsertResult,
} from '../contract/PersistentDataStore.js';
import type { SerializedItemDescriptor } from '../contract/SerializedItemDescriptor.js';
import { isUnavailability } from '../errors/isUnavailability.js';
import { readOnlyError } from '../errors/readOnlyError.js';
import type { StowageError } from '../errors/StowageError.js';
import type { FeedStatus, StoreStatus } from './StoreStatus.js';

/** The default interval of the recovery poll, in milliseconds. */
export const DEFAULT_POLL_INTERVAL_MS = 500;

/** Options of {@link StatusTrackingStore}. */
export interface StatusOptions {
  /** How often `isAvailable()` is asked while the backend is down, in ms. Default 500. */
  readonly pollIntervalMs?: number;
  /** The clock, in milliseconds. For tests; default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Runs when the poll finds the backend answering again, before the store is announced available
 * (the caching decorator writes its cache back here). Rejecting with a connection or timeout
 * error keeps the store unavailable and the poll going.
 */
export type RecoveryHandler = () => Promise<{ readonly needsRefresh: boolean }>;

/**
 * Wraps any store and publishes its availability as {@link status$}. Every store an application
 * gets has one, with or without a cache.
 *
 * Only failures that mean "the backend is not answering" count (see `isUnavailabilityCode`): a
 * conflict, a corrupt value or the application's own `close()` do not. The first such failure
 * publishes one `available: false` event and starts polling `isAvailable()`; calls still go to the
 * backend meanwhile, but only the poll announces recovery, with one `available: true` event. The
 * poll's timer never keeps the process alive and stops on `close()`.
 *
 * It is also the one layer every call crosses on its way to the driver, so it refuses writes of
 * a read-only store ({@link refuseWrites}) and every call once the store has failed for good
 * ({@link fail}), and it publishes the state of the change feed that `wrapDriver` follows
 * ({@link publishFeed}).
 */
export class StatusTrackingStore implements PersistentDataStore {
  /**
   * The status stream. A subscriber gets the current status at once, then every change; the
   * stream completes on `close()`.
   */
  readonly status$: Observable<StoreStatus>;
  /**
   * The driver's change feed, if it has one: its streams as they are, and `checkInitialized`
   * watched like every other call (a failure to answer makes the store unavailable).
   */
  readonly changeFeed?: ChangeFeed;
  private readonly subject: BehaviorSubject<StoreStatus>;
  private readonly pollIntervalMs: number;
  private readonly now: () => number;
  private recoveryHandler: RecoveryHandler | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readOnly = false;
  // Set once the store can no longer work (a fatal failure of its change feed).
  private failure: StowageError | undefined = undefined;
  private readonly onFailure = (error: unknown): never => {
    this.observe(error);
    throw error;
  };

  constructor(
    private readonly inner: PersistentDataStore,
    options: StatusOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.now = options.now ?? Date.now;
    this.subject = new BehaviorSubject<StoreStatus>({
      available: true,
      needsRefresh: false,
      // Nothing follows the feed until wrapDriver's follower says so.
      feed: inner.changeFeed === undefined ? 'unsupported' : 'off',
      since: this.now(),
    });
    this.status$ = this.subject.asObservable();
    const feed = inner.changeFeed;
    if (feed !== undefined) {
      this.changeFeed = {
        events$: feed.events$,
        live$: feed.live$,
        checkInitialized: () => {
          try {
            return this.watch(feed.checkInitialized());
          } catch (error) {
            return this.failed(error);
          }
        },
      };
    }
  }

  /** The current status. */
  get status(): StoreStatus {
    return this.subject.getValue();
  }

  /** Sets what runs on recovery before the store is announced available again. */
  setRecoveryHandler(handler: RecoveryHandler | undefined): void {
    this.recoveryHandler = handler;
  }

  /** From now on `init` and `upsert` reject with code `read-only`, before the driver is called. */
  refuseWrites(): void {
    this.readOnly = true;
  }

  /** From now on every operation rejects with `error` (the store can no longer be trusted). */
  fail(error: StowageError): void {
    this.failure ??= error;
  }

  /**
   * Publishes a new state of the change feed, as one event (none when it is unchanged).
   * `needsRefresh` is true when the reset that made it live found data lost that this instance
   * could not restore.
   */
  publishFeed(feed: FeedStatus, needsRefresh = false): void {
    const current = this.subject.getValue();
    if (this.closed || (current.feed === feed && !needsRefresh)) return;
    this.subject.next({ ...current, feed, needsRefresh, since: this.now() });
  }

  // Each call hands its promise to `watch` rather than a closure to a wrapper: this is on the
  // path of every cache miss, where an allocation per call shows.
  init(allData: FullDataSet): Promise<void> {
    if (this.readOnly || this.failure !== undefined) return this.refused('init');
    try {
      return this.watch(this.inner.init(allData));
    } catch (error) {
      return this.failed(error);
    }
  }

  get(kind: DataKind, key: string): Promise<SerializedItemDescriptor | undefined> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    try {
      return this.watch(this.inner.get(kind, key));
    } catch (error) {
      return this.failed(error);
    }
  }

  getAll(kind: DataKind): Promise<ReadonlyMap<string, SerializedItemDescriptor>> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    try {
      return this.watch(this.inner.getAll(kind));
    } catch (error) {
      return this.failed(error);
    }
  }

  upsert(kind: DataKind, key: string, descriptor: SerializedItemDescriptor): Promise<UpsertResult> {
    if (this.readOnly || this.failure !== undefined) return this.refused('upsert');
    try {
      return this.watch(this.inner.upsert(kind, key, descriptor));
    } catch (error) {
      return this.failed(error);
    }
  }

  isInitialized(): Promise<boolean> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    try {
      return this.watch(this.inner.isInitialized());
    } catch (error) {
      return this.failed(error);
    }
  }

  isAvailable(): Promise<boolean> {
    return this.inner.isAvailable();
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.stopPoll();
      this.subject.complete();
    }
    await this.inner.close();
  }

  private watch<T>(promise: Promise<T>): Promise<T> {
    return promise.then(undefined, this.onFailure);
  }

  private refused(operation: string): Promise<never> {
    return Promise.reject(this.failure ?? readOnlyError(operation));
  }

  // A driver that throws instead of rejecting is reported the same way.
  private failed(error: unknown): Promise<never> {
    this.observe(error);
    return Promise.reject(error);
  }

  private observe(error: unknown): void {
    if (isUnavailability(error)) this.markUnavailable(error);
  }

  private markUnavailable(error: StowageError): void {
    if (this.closed || !this.subject.getValue().available) return;
    this.subject.next({
      ...this.subject.getValue(),
      available: false,
      needsRefresh: false,
      since: this.now(),
      error,
    });
    this.schedulePoll();
  }

  private schedulePoll(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.poll(), this.pollIntervalMs);
    // A store waiting for its backend must not keep the process alive on its own.
    this.timer.unref();
  }

  private stopPoll(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    if (this.closed) return;
    let needsRefresh = true;
    try {
      if (!(await this.inner.isAvailable())) return this.schedulePoll();
      if (this.recoveryHandler !== undefined) {
        ({ needsRefresh } = await this.recoveryHandler());
      }
    } catch (error) {
      if (isUnavailability(error)) return this.schedulePoll();
      // Anything else will not be fixed by waiting: announce recovery and ask for a refresh.
      needsRefresh = true;
    }
    if (this.closed) return;
    const { error: _cleared, ...previous } = this.subject.getValue();
    this.subject.next({ ...previous, available: true, needsRefresh, since: this.now() });
  }
}
