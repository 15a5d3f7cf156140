import type { ChangeEvent, ChangeFeed, InitChange, UpsertChange } from '@stowage/core';

/**
 * How long the suite waits by default for a feed to deliver or to become live, in ms. Real drivers
 * deliver asynchronously (a pub/sub round trip); every wait is bounded.
 */
export const DEFAULT_FEED_DEADLINE_MS = 5000;

/** What one subscription to a feed has seen so far. */
export interface FeedRecording {
  /** Every event received, in order. */
  readonly events: ReadonlyArray<ChangeEvent>;
  /** The last value of `live$`, `undefined` before its first. */
  readonly live: boolean | undefined;
  /** Every value `live$` emitted. */
  readonly liveValues: ReadonlyArray<boolean>;
  /** Whether `events$` completed. */
  readonly completed: boolean;
  /** Errors either observable sent (a feed never errors). */
  readonly errors: ReadonlyArray<unknown>;
  /** The upsert events received, in order (the ones the cases reason about, with init events). */
  upserts(): UpsertChange[];
  /** The init events received, in order. */
  inits(): InitChange[];
  /** Ends both subscriptions. */
  stop(): void;
}

/** Subscribes to `events$` (first, as the connecting subscription) and `live$`, and records both. */
export function recordFeed(feed: ChangeFeed): FeedRecording {
  const events: ChangeEvent[] = [];
  const liveValues: boolean[] = [];
  const errors: unknown[] = [];
  let completed = false;
  const onError = (error: unknown) => errors.push(error ?? 'an error without a value');
  const subscriptions = [
    feed.events$.subscribe({
      next: (event) => events.push(event),
      error: onError,
      complete: () => {
        completed = true;
      },
    }),
    feed.live$.subscribe({ next: (live) => liveValues.push(live), error: onError }),
  ];
  return {
    events,
    liveValues,
    errors,
    get live() {
      return liveValues.at(-1);
    },
    get completed() {
      return completed;
    },
    upserts: () => events.filter((e): e is UpsertChange => e.type === 'upsert'),
    inits: () => events.filter((e): e is InitChange => e.type === 'init'),
    stop() {
      for (const subscription of subscriptions) subscription.unsubscribe();
    },
  };
}

/** Bounded waits for what a feed delivers. */
export interface FeedWaits {
  /** Polls `condition` until it holds; fails with `what` and what `seen` returns after the deadline. */
  until(condition: () => boolean, what: string, seen?: () => unknown): Promise<void>;
  /** Waits until `recording` has the upsert event of `key` at `version`. */
  forUpsert(recording: FeedRecording, key: string, version: number): Promise<void>;
}

/** Waits that each fail after `deadlineMs`. */
export function feedWaits(deadlineMs: number): FeedWaits {
  const until = async (condition: () => boolean, what: string, seen = (): unknown => null) => {
    const deadline = Date.now() + deadlineMs;
    while (!condition()) {
      if (Date.now() > deadline) {
        throw new Error(`${what}: not within ${deadlineMs} ms; seen: ${JSON.stringify(seen())}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return {
    until,
    forUpsert: (recording, key, version) =>
      until(
        () => recording.upserts().some((e) => e.key === key && e.version === version),
        `the upsert event of ${key} v${version}`,
        () => recording.events,
      ),
  };
}
