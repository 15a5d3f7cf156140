import type { StowageError } from '../errors/StowageError.js';

/**
 * The state of a store's change feed: `live` while every write by any instance reaches this
 * one's cache; `down` while the driver has a feed that is not live (before it first connects,
 * after a gap until its reset has been applied); `off` when configured off (`feed: 'off'`);
 * `unsupported` when the driver has none. Only with `live` is a cache coherent across instances;
 * otherwise cached items are kept for the TTL.
 */
export type FeedStatus = 'live' | 'down' | 'off' | 'unsupported';

/**
 * The availability of a store's backend, as published by `status$`.
 *
 * A store starts out `available: true` (nothing has failed yet). The first call that fails
 * because the backend is not answering (a connection, timeout or outcome-unknown error) makes it
 * unavailable; only the recovery poll makes it available again. One event each way.
 */
export interface StoreStatus {
  /** False from the first failure of the backend until the poll finds it answering again. */
  readonly available: boolean;
  /**
   * On the event that announces recovery: true when data may have been missed while the backend
   * was down, so the application's data source should call `init` again (finite TTL or no cache;
   * an infinite TTL writes its cache back instead and only asks when an `init` failed meanwhile).
   * Also on the event that announces the change feed `live` again when its reset found that the
   * backend lost its data and this instance could not restore all of it. False on every other
   * event.
   */
  readonly needsRefresh: boolean;
  /** The state of the change feed; a change of it alone is an event of the stream too. */
  readonly feed: FeedStatus;
  /** When this status began, in milliseconds since the epoch. */
  readonly since: number;
  /** While unavailable: the failure that made the store unavailable (already free of secrets). */
  readonly error?: StowageError;
}
