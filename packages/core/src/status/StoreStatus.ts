import type { StowageError } from '../errors/StowageError.js';

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
   * False on every other event.
   */
  readonly needsRefresh: boolean;
  /** When this status began, in milliseconds since the epoch. */
  readonly since: number;
  /** While unavailable: the failure that made the store unavailable (already free of secrets). */
  readonly error?: StowageError;
}
