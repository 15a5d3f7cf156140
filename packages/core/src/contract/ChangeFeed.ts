import type { Observable } from 'rxjs';
import type { DataKind } from './DataKind.js';

/** An item was written (a tombstone included): its new version. No body: read it if you need it. */
export interface UpsertChange {
  readonly type: 'upsert';
  readonly kind: DataKind;
  readonly key: string;
  readonly version: number;
  readonly deleted: boolean;
  /** True when the driver whose feed this is wrote it (absent: unknown, treat as another's). */
  readonly own?: boolean;
}

/** A kind was replaced by `init` (one event per kind of the init). */
export interface InitChange {
  readonly type: 'init';
  readonly kind: DataKind;
  /** True when the driver whose feed this is ran the init (absent: unknown, treat as another's). */
  readonly own?: boolean;
}

/** A kind changed in a way the feed cannot tell item by item (a writer that does not announce). */
export interface KindChange {
  readonly type: 'kind';
  readonly kind: DataKind;
}

/** The feed had a gap: anything may have changed since the last event. */
export interface ResetChange {
  readonly type: 'reset';
}

/**
 * One event of a change feed. Per key, events arrive in the order the writes were applied; a
 * writer's own writes are in its feed too.
 */
export type ChangeEvent = UpsertChange | InitChange | KindChange | ResetChange;

/**
 * The optional change feed of a driver: every write to the store's prefix, by any instance
 * sharing it, as it is applied (see {@link PersistentDataStore.changeFeed}).
 *
 * - `events$` is hot and shared: the driver listens to its backend while at least one observer is
 *   subscribed (the first subscription connects), and completes it on `close()`; no event follows
 *   `close()`.
 * - `live$` replays the current state at once, then every change: `true` while the driver
 *   receives every event, `false` before the first connection and from the moment it knows it may
 *   miss events until it receives again.
 * - Whenever events may have been missed after the feed was first live (a reconnect, a failover,
 *   a moved slot, a server restart), `events$` emits a `reset`: after `live$` turns true again, or
 *   on its own when the gap was silent and `live$` stayed true.
 */
export interface ChangeFeed {
  readonly events$: Observable<ChangeEvent>;
  readonly live$: Observable<boolean>;
  /**
   * Asks the backend now whether the prefix's initialized marker exists, whatever
   * `isInitialized()` remembers: after a `reset`, a marker that is gone means the backend lost
   * its data (a restart without persistence), and a cache that holds the only copy of it writes
   * it back. Fails like any read when the backend cannot be asked.
   */
  checkInitialized(): Promise<boolean>;
}
