import type { ChangeEvent } from '@stowage/core/driver';
import type { Observable } from 'rxjs';

/**
 * One source of a store's change events (the announced writes on the change channel; the tracker
 * of foreign writes), merged by {@link RedisChangeFeed}. The rules of core's `ChangeFeed` apply to
 * each: `events$` hot, started by its first observer, completed by `close()`; `live$` replays its
 * current state; a gap after the source was first live is a `reset` in `events$`.
 */
export interface ChangeSource {
  readonly events$: Observable<ChangeEvent>;
  readonly live$: Observable<boolean>;
  /** Stops the source: its connections are closed, `events$` completes, nothing follows. */
  close(): void | Promise<void>;
}
