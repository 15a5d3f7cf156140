import type { ChangeEvent, ChangeFeed } from '@stowage/core/driver';
import {
  BehaviorSubject,
  combineLatest,
  distinctUntilChanged,
  filter,
  map,
  merge,
  type Observable,
  of,
  share,
  switchMap,
  takeUntil,
  takeWhile,
} from 'rxjs';
import type { ChangeSource } from './ChangeSource.js';

/**
 * The change feed of a Redis store over any number of sources: `events$` merges theirs, `live$`
 * is true while every source is live (a source that may miss events makes the whole feed one that
 * may). `close()` closes every source and completes both streams: no event follows it.
 */
export class RedisChangeFeed implements ChangeFeed {
  readonly events$: Observable<ChangeEvent>;
  readonly live$: Observable<boolean>;
  private readonly closed$ = new BehaviorSubject(false);

  constructor(
    private readonly sources: ReadonlyArray<ChangeSource>,
    /** EXISTS of the initialized marker on the store's connection, asked every time. */
    private readonly markerExists: () => Promise<boolean>,
  ) {
    const whenClosed = this.closed$.pipe(filter(Boolean));
    this.events$ = merge(...sources.map((source) => source.events$)).pipe(
      takeUntil(whenClosed),
      share(),
    );
    // After close: false, then complete (a late observer gets the same).
    this.live$ = this.closed$.pipe(
      switchMap((closed) =>
        closed
          ? of(false)
          : combineLatest(sources.map((source) => source.live$)).pipe(
              map((states) => states.every(Boolean)),
            ),
      ),
      distinctUntilChanged(),
      takeWhile(() => !this.closed$.value, true),
    );
  }

  checkInitialized(): Promise<boolean> {
    return this.markerExists();
  }

  /** Closes every source; `events$` and `live$` complete. */
  async close(): Promise<void> {
    if (this.closed$.value) return;
    this.closed$.next(true);
    await Promise.all(this.sources.map((source) => source.close()));
  }
}
