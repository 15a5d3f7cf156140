import type { ChangeEvent } from '@stowage/core/driver';
import type { ForeignWriteTracker } from '../src/feed/foreignWrites/ForeignWriteTracker.js';

/**
 * How long a write may take to show as an event. Loopback delivers an invalidation in about a
 * millisecond; the bound leaves room for a busy machine.
 */
export const PROPAGATION_BOUND_MS = 500;

/** What a tracker reported, as it arrives, for the foreign-write tests. */
export interface TrackerRecording {
  /** Every event, in order. */
  readonly events: ChangeEvent[];
  /** When each event arrived (`performance.now()`), by index. */
  readonly arrivals: number[];
  /** Every value of `live$`, in order (the replayed first one included). */
  readonly lives: boolean[];
  /** The error `events$` ended with, if it did. */
  readonly error: unknown;
  /** True once `events$` completed. */
  readonly completed: boolean;
  /** Resolves once `condition` holds (checked every 5 ms); rejects after `ms` naming `what`. */
  until(condition: () => boolean, ms: number, what: string): Promise<void>;
  /** Unsubscribes both streams. */
  stop(): void;
}

/** Subscribes to a tracker's events and live state and keeps them. */
export function recordTracker(
  tracker: Pick<ForeignWriteTracker, 'events$' | 'live$'>,
): TrackerRecording {
  const events: ChangeEvent[] = [];
  const arrivals: number[] = [];
  const lives: boolean[] = [];
  let error: unknown;
  let completed = false;
  const subscriptions = [
    tracker.events$.subscribe({
      next: (event) => {
        events.push(event);
        arrivals.push(performance.now());
      },
      error: (failure: unknown) => {
        error = failure;
      },
      complete: () => {
        completed = true;
      },
    }),
    tracker.live$.subscribe((live) => lives.push(live)),
  ];
  return {
    events,
    arrivals,
    lives,
    get error() {
      return error;
    },
    get completed() {
      return completed;
    },
    async until(condition, ms, what) {
      const deadline = performance.now() + ms;
      while (!condition()) {
        if (performance.now() > deadline) {
          throw new Error(
            `${what}: not within ${ms} ms (events ${JSON.stringify(events)}, live ${JSON.stringify(lives)}, error ${String(error)})`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    stop() {
      for (const subscription of subscriptions) subscription.unsubscribe();
    },
  };
}

/** The namespaces of the `kind` events among `events`, in order. */
export function kindsOf(events: ReadonlyArray<ChangeEvent>): string[] {
  return events.flatMap((event) => (event.type === 'kind' ? [event.kind.namespace] : []));
}

/** How many `reset` events are among `events`. */
export function resetsIn(events: ReadonlyArray<ChangeEvent>): number {
  return events.filter((event) => event.type === 'reset').length;
}
