import {
  defer,
  EMPTY,
  map,
  Observable,
  Subject,
  type Subscription,
  share,
  takeUntil,
  throwError,
} from 'rxjs';
import type { CacheEngine, RecoveryOutcome } from '../cache/CacheEngine.js';
import {
  applyChange,
  forgetForReset,
  isEmpty,
  resetAsksBackend,
  resetFromFeed,
} from '../cache/feedRules.js';
import type { ChangeEvent, ChangeFeed } from '../contract/ChangeFeed.js';
import { StoreErrorCode } from '../errors/StoreErrorCode.js';
import { StowageError } from '../errors/StowageError.js';
import type { StatusTrackingStore } from '../status/StatusTrackingStore.js';
import type { StoreStatus } from '../status/StoreStatus.js';
import type { StoreChange } from '../typed/DataStore.js';
import { toStoreChange } from './toStoreChange.js';

const NO_REFRESH: RecoveryOutcome = { needsRefresh: false };

/**
 * Follows a driver's change feed for one store (made by `wrapDriver` when the driver has a feed
 * and `feed` is not `'off'`): applies each event to the cache, applies a reset whenever the feed
 * comes back (`live$` turning true, the first time included) or reports a gap, publishes the
 * feed's state on the status stream, and hands the events to `changes$`.
 *
 * - Creating it does no I/O. With a cache, the feed is listened to from the engine's first
 *   operation (or the first `changes$` subscriber) until close; without one, only while
 *   `changes$` has subscribers.
 * - The state is `down` until the feed is live and its reset applied, `live` afterwards. While
 *   the backend answers and the feed is down, the cache answers and keeps nothing
 *   (`CacheEngine.bypass`); while the backend does not answer, cached reads are served as ever.
 * - A reset that cannot be applied (the backend failed during an infinite TTL's check or
 *   write-back) leaves the feed down, and is tried again on the next `live$`, reset, or return of
 *   the backend.
 * - An error of the driver's `events$` (a set-up failure such as a missing permission) fails the
 *   store for good: every later operation rejects with it, and the feed stays `down`.
 */
export class FeedFollower {
  /** The driver's events as applications see them (see `DataStore.changes$`). */
  readonly changes$: Observable<StoreChange>;
  private readonly feed: ChangeFeed;
  private readonly source$: Observable<ChangeEvent>;
  private readonly closing$ = new Subject<void>();
  private cacheSubscription: Subscription | undefined = undefined;
  private statusSubscription: Subscription | undefined = undefined;
  private live = false;
  private state: 'down' | 'live' = 'down';
  private available = true;
  private resetting = false;
  private resetAgain = false;
  /** A reset could not be applied: try again when the backend is back. */
  private resetOwed = false;
  private closed = false;
  private readonly checkInitialized = () => this.feed.checkInitialized();
  private failure: StowageError | undefined = undefined;

  constructor(
    private readonly tracker: StatusTrackingStore,
    private readonly engine: CacheEngine | undefined,
  ) {
    this.feed = tracker.changeFeed as ChangeFeed;
    this.source$ = new Observable<ChangeEvent>((subscriber) => {
      const subscription = this.feed.events$.subscribe({
        next: (event) => {
          try {
            this.onEvent(event);
          } catch (error) {
            // An event the cache cannot read: the cache could no longer be trusted.
            this.onFatal(error);
            subscriber.error(error);
            return;
          }
          subscriber.next(event);
        },
        error: (error: unknown) => {
          this.onFatal(error);
          subscriber.error(error);
        },
        complete: () => subscriber.complete(),
      });
      subscription.add(this.feed.live$.subscribe((live) => this.onLive(live)));
      subscription.add(() => this.onStopped());
      return subscription;
    }).pipe(share());
    this.changes$ = defer(() => {
      if (this.failure !== undefined) return throwError(() => this.failure);
      if (this.closed) return EMPTY;
      this.follow();
      return this.source$.pipe(takeUntil(this.closing$), map(toStoreChange));
    });
    if (engine !== undefined) {
      engine.following = true;
      engine.startOnFirstUse(() => this.follow());
    }
    tracker.publishFeed('down');
    this.statusSubscription = tracker.status$.subscribe({
      next: (status) => this.onStatus(status),
      complete: () => this.close(),
    });
    if (this.closed) this.statusSubscription.unsubscribe();
  }

  // With a cache, the feed is listened to for good from the first use: the cache relies on it.
  private follow(): void {
    if (this.engine === undefined || this.closed || this.cacheSubscription !== undefined) return;
    // The error is the store's failure, handled in onFatal; the subscription just ends.
    this.cacheSubscription = this.source$.subscribe({ error: () => undefined });
  }

  private onEvent(event: ChangeEvent): void {
    if (this.closed) return;
    // A reset right after live$ turned true repeats one just applied: cheap (nothing cached since),
    // and it cannot be told from a silent gap that follows at once.
    if (event.type === 'reset') this.requestReset();
    else if (this.engine !== undefined) applyChange(this.engine, event);
  }

  private onLive(live: boolean): void {
    if (this.closed || this.failure !== undefined) return;
    this.live = live;
    // Events may have been missed before the feed was live: every time, the first included.
    if (live) this.requestReset();
    else this.setState('down');
  }

  private onStatus(status: StoreStatus): void {
    const cameBack = status.available && !this.available;
    this.available = status.available;
    this.updateBypass();
    // Not from inside this status event: the reset publishes events of its own, which later
    // subscribers would otherwise receive before this one.
    if (cameBack && this.resetOwed) queueMicrotask(this.retryReset);
  }

  private readonly retryReset = () => {
    if (this.resetOwed && this.live && !this.closed) this.requestReset();
  };

  private onStopped(): void {
    this.live = false;
    this.cacheSubscription = undefined;
    if (!this.closed) this.setState('down');
  }

  private requestReset(): void {
    if (this.resetting) {
      this.resetAgain = true;
      return;
    }
    const engine = this.engine;
    // A reset that finds the cache empty while the feed is live (the driver's reset right after
    // live$ turned true, which repeats the one just applied) changes nothing anyone can see; its
    // epochs are bumped all the same, for the reads in flight.
    if (this.state === 'live' && (engine === undefined || isEmpty(engine))) {
      if (engine !== undefined) forgetForReset(engine);
      return;
    }
    // Down until applied, even at once: every reset that may drop something is on the status stream.
    this.setState('down');
    if (engine === undefined || !resetAsksBackend(engine)) {
      // At once, so that the first operation, which starts the feed, is already cached.
      if (engine !== undefined) forgetForReset(engine);
      this.resetOwed = false;
      this.setState(this.live ? 'live' : 'down');
      return;
    }
    this.resetting = true;
    void this.runReset();
  }

  private async runReset(): Promise<void> {
    let outcome: RecoveryOutcome | undefined;
    do {
      this.resetAgain = false;
      try {
        outcome =
          this.engine === undefined
            ? NO_REFRESH
            : await resetFromFeed(this.engine, this.checkInitialized);
      } catch {
        // Reported by the status layer when the backend failed; tried again later either way.
        outcome = undefined;
      }
    } while (this.resetAgain && !this.closed);
    this.resetting = false;
    if (this.closed) return;
    this.resetOwed = outcome === undefined;
    if (outcome !== undefined && this.live) this.setState('live', outcome.needsRefresh);
  }

  private onFatal(error: unknown): void {
    if (this.closed) return;
    this.failure = StowageError.is(error)
      ? error
      : new StowageError(StoreErrorCode.Backend, 'The change feed failed', { cause: error });
    this.tracker.fail(this.failure);
    this.engine?.fail(this.failure);
    this.setState('down');
  }

  private setState(state: 'down' | 'live', needsRefresh = false): void {
    if (this.failure !== undefined) state = 'down';
    this.state = state;
    this.updateBypass();
    this.tracker.publishFeed(state, needsRefresh);
  }

  private updateBypass(): void {
    const engine = this.engine;
    if (engine === undefined) return;
    engine.bypass = this.failure !== undefined || (this.available && this.state !== 'live');
  }

  /** Stops following; `changes$` completes. Called when the status stream completes (close). */
  private close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.engine !== undefined) this.engine.following = false;
    this.closing$.next();
    this.closing$.complete();
    this.cacheSubscription?.unsubscribe();
    this.statusSubscription?.unsubscribe();
  }
}
