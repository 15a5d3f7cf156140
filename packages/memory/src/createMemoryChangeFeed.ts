import type { ChangeEvent, ChangeFeed } from '@stowage/core/driver';
import { AsyncSubject, concat, defer, EMPTY, map, of, takeUntil } from 'rxjs';
import type { MemoryChange, MemoryChangeHub } from './createMemoryChangeHub.js';

/** What a memory driver needs to give its feed. */
export interface MemoryChangeFeedOptions {
  readonly hub: MemoryChangeHub;
  readonly prefix: string;
  /** The driver's identity in the hub: its writes are `own` in its feed and no other. */
  readonly writer: object;
  /** The driver's read of the prefix's marker, failing as its reads fail. */
  readonly checkInitialized: () => Promise<boolean>;
}

/** A memory driver's {@link ChangeFeed}, with the switch its `close()` pulls. */
export interface MemoryChangeFeed extends ChangeFeed {
  /** Completes `events$` and `live$` (which emits `false` first); nothing is emitted afterwards. */
  close(): void;
}

/**
 * The change feed of one memory driver: the hub's changes of its prefix, with `own` set from the
 * writer. The hub delivers synchronously, so a write's event has reached every feed on the prefix
 * before the write's promise settles.
 */
export function createMemoryChangeFeed(options: MemoryChangeFeedOptions): MemoryChangeFeed {
  const { hub, prefix, writer } = options;
  // An AsyncSubject replays its completion: a subscription made after close ends at once.
  const closed = new AsyncSubject<void>();
  let isClosed = false;

  const withOwn = ({ event, writer: from }: MemoryChange): ChangeEvent =>
    event.type === 'upsert' || event.type === 'init' ? { ...event, own: from === writer } : event;

  return {
    events$: defer(() =>
      isClosed ? EMPTY : hub.changesOf(prefix).pipe(map(withOwn), takeUntil(closed)),
    ),
    live$: defer(() =>
      isClosed ? of(false) : concat(hub.online$.pipe(takeUntil(closed)), of(false)),
    ),
    checkInitialized: options.checkInitialized,
    close() {
      if (isClosed) return;
      isClosed = true;
      closed.next();
      closed.complete();
    },
  };
}
