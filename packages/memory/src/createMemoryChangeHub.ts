import type { ChangeEvent } from '@stowage/core/driver';
import { BehaviorSubject, distinctUntilChanged, type Observable, Subject } from 'rxjs';

/**
 * One change as the backend fans it out to every driver of a prefix: the event without its `own`
 * flag, and the driver that wrote it (`undefined` for an announced foreign change), from which each
 * driver derives `own` for its own feed.
 */
export interface MemoryChange {
  readonly event: ChangeEvent;
  readonly writer: object | undefined;
}

/**
 * The per-prefix fan-out of changes behind the memory drivers of one backend: what a Redis
 * channel per prefix is to the Redis driver. Drivers publish into it; applications reach it
 * through {@link MemoryBackend.announce} and {@link MemoryBackend.setOffline}.
 */
export interface MemoryChangeHub {
  /** Whether the backend is online: replays the current state, then every change. */
  readonly online$: Observable<boolean>;
  /** The changes of one prefix, hot: only what is published while subscribed is seen. */
  changesOf(prefix: string): Observable<MemoryChange>;
  /**
   * Delivers `event` synchronously to every subscriber of the prefix. Dropped while offline, as a
   * message published while a subscriber is disconnected is lost (the reset on return covers it).
   */
  publish(prefix: string, event: ChangeEvent, writer: object | undefined): void;
  /**
   * Switches the online state. Going back online emits `true` on {@link online$} first, then a
   * `reset` to every prefix: a subscriber that comes back may have missed anything.
   */
  setOnline(online: boolean): void;
}

/** Creates the change fan-out of one backend, online. */
export function createMemoryChangeHub(): MemoryChangeHub {
  const online = new BehaviorSubject(true);
  const prefixes = new Map<string, Subject<MemoryChange>>();
  // Deliveries wait their turn: a subscriber that writes while an event is being delivered would
  // otherwise reach the subscribers after it with the newer event first, breaking per-key order.
  const queue: Array<() => void> = [];
  let delivering = false;

  const inTurn = (work: () => void): void => {
    if (delivering) {
      work();
      return;
    }
    delivering = true;
    try {
      work();
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) next();
    } finally {
      delivering = false;
    }
  };

  const subjectOf = (prefix: string): Subject<MemoryChange> => {
    let subject = prefixes.get(prefix);
    if (subject === undefined) {
      subject = new Subject();
      prefixes.set(prefix, subject);
    }
    return subject;
  };

  return {
    online$: online.pipe(distinctUntilChanged()),
    changesOf: (prefix) => subjectOf(prefix).asObservable(),
    publish(prefix, event, writer) {
      // A prefix nobody ever listened to has no subject: nothing to deliver, nothing to create.
      const subject = prefixes.get(prefix);
      if (!online.value || subject === undefined) return;
      inTurn(() => queue.push(() => subject.next({ event, writer })));
    },
    setOnline(value) {
      if (online.value === value) return;
      inTurn(() => {
        // The resets are queued first, so they follow `live$` and precede what its observers write.
        if (value) {
          for (const subject of prefixes.values()) {
            queue.push(() => subject.next({ event: RESET, writer: undefined }));
          }
        }
        online.next(value);
      });
    },
  };
}

const RESET: ChangeEvent = Object.freeze({ type: 'reset' });
