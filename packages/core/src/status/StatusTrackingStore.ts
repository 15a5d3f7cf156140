import { BehaviorSubject, type Observable } from 'rxjs';
import type { DataKind } from '../contract/DataKind.js';
import type {
  FullDataSet,
  PersistentDataStore,
  UpsertResult,
} from '../contract/PersistentDataStore.js';
import type { SerializedItemDescriptor } from '../contract/SerializedItemDescriptor.js';
import { isUnavailability } from '../errors/isUnavailability.js';
import type { StowageError } from '../errors/StowageError.js';
import type { StoreStatus } from './StoreStatus.js';

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
 */
export class StatusTrackingStore implements PersistentDataStore {
  /**
   * The status stream. A subscriber gets the current status at once, then every change; the
   * stream completes on `close()`.
   */
  readonly status$: Observable<StoreStatus>;
  private readonly subject: BehaviorSubject<StoreStatus>;
  private readonly pollIntervalMs: number;
  private readonly now: () => number;
  private recoveryHandler: RecoveryHandler | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
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
      feed: inner.changeFeed === undefined ? 'unsupported' : 'off',
      since: this.now(),
    });
    this.status$ = this.subject.asObservable();
  }

  /** The current status. */
  get status(): StoreStatus {
    return this.subject.getValue();
  }

  /** Sets what runs on recovery before the store is announced available again. */
  setRecoveryHandler(handler: RecoveryHandler | undefined): void {
    this.recoveryHandler = handler;
  }

  // Each call hands its promise to `watch` rather than a closure to a wrapper: this is on the
  // path of every cache miss, where an allocation per call shows.
  init(allData: FullDataSet): Promise<void> {
    try {
      return this.watch(this.inner.init(allData));
    } catch (error) {
      return this.failed(error);
    }
  }

  get(kind: DataKind, key: string): Promise<SerializedItemDescriptor | undefined> {
    try {
      return this.watch(this.inner.get(kind, key));
    } catch (error) {
      return this.failed(error);
    }
  }

  getAll(kind: DataKind): Promise<ReadonlyMap<string, SerializedItemDescriptor>> {
    try {
      return this.watch(this.inner.getAll(kind));
    } catch (error) {
      return this.failed(error);
    }
  }

  upsert(kind: DataKind, key: string, descriptor: SerializedItemDescriptor): Promise<UpsertResult> {
    try {
      return this.watch(this.inner.upsert(kind, key, descriptor));
    } catch (error) {
      return this.failed(error);
    }
  }

  isInitialized(): Promise<boolean> {
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
