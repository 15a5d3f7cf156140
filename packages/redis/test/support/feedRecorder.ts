import type { ChangeEvent, ChangeFeed } from '@stowage/core/driver';
import type { Redis } from 'ioredis';
import type { Subscription } from 'rxjs';

/** What one store's change feed emitted, as it came, with helpers to wait for it (bounded). */
export interface FeedRecorder {
  readonly events: ChangeEvent[];
  /** Every value of `live$`, in order. */
  readonly live: boolean[];
  /** The error `events$` failed with, if it did. */
  readonly error: () => unknown;
  readonly completed: () => boolean;
  /** Resolves once `check` holds, or rejects naming `what` after `ms`. */
  until(check: () => boolean, ms: number, what: string): Promise<void>;
  /** Resolves once the feed is live (true as its latest `live$` value). */
  untilLive(ms: number): Promise<void>;
  /** Index in `events` of the first event at or after `from` matching `match`, or -1. */
  indexOf(match: (event: ChangeEvent) => boolean, from?: number): number;
  stop(): void;
}

/** Subscribes to `feed` (which starts it) and records everything it emits. */
export function recordFeed(feed: ChangeFeed): FeedRecorder {
  const events: ChangeEvent[] = [];
  const live: boolean[] = [];
  let error: unknown;
  let completed = false;
  const subscriptions: Subscription[] = [
    feed.live$.subscribe((value) => live.push(value)),
    feed.events$.subscribe({
      next: (event) => events.push(event),
      error: (failure: unknown) => {
        error = failure;
      },
      complete: () => {
        completed = true;
      },
    }),
  ];
  const until = async (check: () => boolean, ms: number, what: string) => {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) {
        throw new Error(
          `${what} not seen within ${ms} ms; live ${JSON.stringify(live)}, events ${JSON.stringify(events.slice(-20))}, error ${String(error)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return {
    events,
    live,
    error: () => error,
    completed: () => completed,
    until,
    untilLive: (ms) => until(() => live.at(-1) === true, ms, 'the feed live'),
    indexOf: (match, from = 0) => {
      for (let i = from; i < events.length; i++) {
        const event = events[i];
        if (event !== undefined && match(event)) return i;
      }
      return -1;
    },
    stop: () => {
      for (const subscription of subscriptions) subscription.unsubscribe();
    },
  };
}

/** True for the upsert event of `key` at `version`. */
export const upsertOf =
  (key: string, version: number) =>
  (event: ChangeEvent): boolean =>
    event.type === 'upsert' && event.key === key && event.version === version;

/** True for a reset. */
export const isReset = (event: ChangeEvent): boolean => event.type === 'reset';

/** Connections of the server in Pub/Sub mode (subscribers), as `CLIENT LIST TYPE pubsub` counts. */
export async function pubsubClients(admin: Redis): Promise<number> {
  const list = String(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
  return list.split('\n').filter((line) => line.trim() !== '').length;
}

/** Waits until the server has `count` subscriber connections, for at most `ms`; then their count. */
export async function untilPubsubClients(admin: Redis, count: number, ms: number): Promise<number> {
  const end = Date.now() + ms;
  let now = await pubsubClients(admin);
  while (now !== count && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    now = await pubsubClients(admin);
  }
  return now;
}
